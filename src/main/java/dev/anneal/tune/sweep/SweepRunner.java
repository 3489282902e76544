package dev.anneal.tune.sweep;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the trials of a sweep that are not in {@code sweep.csv} yet, {@code parallel} at a time, in trial order:
 * worker {@code w} keeps device {@code devices[w mod D]} (one trial per GPU when {@code --device} lists several)
 * and every trial gets the same CPU thread count, so that a trial's bits do not depend on how many run beside
 * it. Each finished trial is added to {@code sweep.csv} at once (atomically), so a sweep killed at any point
 * keeps every finished trial and {@code --resume} runs only the others.
 */
final class SweepRunner {
    private final SweepDirectory dir;
    private final SweepSpec spec;
    private final SweepSettings settings;
    private final PrintWriter out;
    private final Map<Integer, TrialRow> rows;
    private final RungBoard board;

    SweepRunner(SweepDirectory dir, SweepSpec spec, SweepSettings settings, Map<Integer, TrialRow> finished,
                PrintWriter out) throws IOException {
        this.dir = dir;
        this.spec = spec;
        this.settings = settings;
        this.out = out;
        this.rows = new TreeMap<>(finished);
        this.board = spec.asha() == null ? null : new RungBoard(dir.rungs(), spec.asha(), spec.metric());
        if (board != null) {
            finished.keySet().forEach(board::end);
        }
    }

    /** Runs the missing trials; returns every trial's row, in trial order. */
    Map<Integer, TrialRow> run(List<Trial> trials, Map<Integer, Long> epochs) throws IOException, InterruptedException {
        List<Trial> pending = trials.stream().filter(t -> !rows.containsKey(t.index())).toList();
        int workers = Math.max(1, Math.min(settings.parallel(), pending.size()));
        AtomicInteger next = new AtomicInteger();
        TrialExecution execution = new TrialExecution(dir, spec, board);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        CompletionService<Void> workersDone = new ExecutorCompletionService<>(pool);
        try {
            for (int w = 0; w < workers; w++) {
                String device = settings.devices().isEmpty() ? null
                        : settings.devices().get(w % settings.devices().size());
                workersDone.submit(() -> {
                    for (int i = next.getAndIncrement(); i < pending.size(); i = next.getAndIncrement()) {
                        Trial t = pending.get(i);
                        try {
                            finished(execution.run(t, epochs.get(t.index()), settings.trialThreads(), device));
                        } finally {
                            if (board != null) {
                                board.end(t.index());
                            }
                        }
                    }
                    return null;
                });
            }
            for (int w = 0; w < workers; w++) {
                rethrowFailure(workersDone.take());
            }
        } finally {
            if (board != null) {
                board.abort();
            }
            pool.shutdownNow();
        }
        return rows;
    }

    /** A worker's failure, rethrown as it was; the finally block above then stops the other workers. */
    private static void rethrowFailure(Future<Void> f) throws IOException, InterruptedException {
        try {
            f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof InterruptedException ie) {
                throw ie;
            }
            throw new IllegalStateException(c);
        }
    }

    private synchronized void finished(TrialRow row) throws IOException {
        rows.put(row.trial(), row);
        SweepCsv.write(dir.csv(), spec.keyNames(), spec.metric(), rows.values());
        out.println(String.format(Locale.ROOT, "anneal: %s %s: %s; %s %s, %d epochs, %.1f s", dir.trialName(row.trial()),
                row.status(), String.join(" ", new Trial(row.trial(), row.values()).assignments(spec.keyNames())),
                spec.metric().name(), row.finalMetric() == null ? "none" : String.format(Locale.ROOT, "%.4f",
                        row.finalMetric()), row.epochs(), row.seconds())
                + (row.status().equals(TrialRow.FAILED) ? "; see " + dir.log(row.trial()) : ""));
        out.flush();
    }
}
