package dev.anneal.tune.sweep;

import dev.anneal.train.Checkpoints;
import dev.anneal.train.EvalMetrics;
import dev.anneal.train.RunDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one trial to its end, as segments of {@code anneal train} ({@link TrialProcess}). Without early stopping
 * a trial is one segment, {@code anneal train --config base.yaml --run-dir DIR/trial-NNN --set ...}: exactly the
 * run a user would start by hand. With ASHA it is one segment per rung: the first trains
 * {@code --set train.epochs=r0}, each next one continues with {@code anneal train --resume DIR/trial-NNN --set
 * train.epochs=r_k}, which is bit-identical to training {@code r_k} epochs at once (a resumed run continues its
 * checkpoint exactly, and no schedule in Anneal takes its length from {@code train.epochs}); between segments the
 * rung's result goes to the {@link RungBoard}, which decides whether the trial goes on.
 *
 * <p>The same code finishes a trial that an interrupted sweep left: a segment whose trial has a checkpoint
 * resumes from it, one without starts afresh (its directory is deleted first), and a rung already recorded in
 * {@code rungs.csv} is not trained again.
 */
final class TrialExecution {
    private final SweepDirectory dir;
    private final SweepSpec spec;
    private final RungBoard board;

    TrialExecution(SweepDirectory dir, SweepSpec spec, RungBoard board) {
        this.dir = dir;
        this.spec = spec;
        this.board = board;
    }

    /**
     * @param epochs the trial's {@code train.epochs}
     * @param device the device it runs on, null for the config's own
     */
    TrialRow run(Trial trial, long epochs, int threads, String device) throws IOException, InterruptedException {
        List<Long> rungs = spec.asha() == null ? List.of(epochs) : spec.asha().rungs(epochs);
        Path run = dir.trialDir(trial.index());
        double seconds = 0;
        for (int k = 0; k < rungs.size(); k++) {
            long r = rungs.get(k);
            boolean last = k == rungs.size() - 1;
            if (last || board.result(trial.index(), r) == null) {
                boolean fresh = new Checkpoints(run, 1).latest().isEmpty();
                TrialProcess.Exit exit = TrialProcess.run(dir.trialLock(trial.index()), fresh ? run : null,
                        segmentArgs(trial, run, fresh, r, last, device), threads, dir.log(trial.index()));
                seconds += exit.seconds();
                if (exit.status() != 0) {
                    return row(trial, TrialRow.FAILED, run, seconds);
                }
                if (!last) {
                    board.record(trial.index(), r, valueAt(run, r));
                }
            }
            if (!last && !board.decide(trial.index(), r)) {
                return row(trial, TrialRow.STOPPED, run, seconds);
            }
        }
        return row(trial, TrialRow.DONE, run, seconds);
    }

    private List<String> segmentArgs(Trial trial, Path run, boolean fresh, long epochs, boolean last, String device) {
        List<String> args = new ArrayList<>();
        args.add("train");
        if (fresh) {
            args.addAll(List.of("--config", dir.baseConfig().toString(), "--run-dir", run.toString()));
            for (String s : TrialConfigs.overrides(spec, trial)) {
                args.addAll(List.of("--set", s));
            }
            if (!last) {
                args.addAll(List.of("--set", "train.epochs=" + epochs));
            }
        } else {
            args.addAll(List.of("--resume", run.toString(), "--set", "train.epochs=" + epochs));
        }
        if (device != null) {
            args.addAll(List.of("--set", "device=" + device));
        }
        return args;
    }

    private double valueAt(Path run, long epoch) throws IOException {
        List<EvalMetrics> history = new RunDirectory(run).readMetrics();
        for (EvalMetrics m : history) {
            if (m.epoch() == epoch) {
                return spec.metric().of(m);
            }
        }
        return Double.NaN;
    }

    private TrialRow row(Trial trial, String status, Path run, double seconds) throws IOException {
        List<EvalMetrics> history = new RunDirectory(run).readMetrics();
        if (history.isEmpty()) {
            return new TrialRow(trial.index(), trial.values(), status, null, null, null, null, 0, seconds);
        }
        EvalMetrics last = history.get(history.size() - 1);
        return new TrialRow(trial.index(), trial.values(), status, spec.metric().of(last),
                spec.metric().best(history), last.testLoss(), last.testAccuracy(), last.epoch(), seconds);
    }
}
