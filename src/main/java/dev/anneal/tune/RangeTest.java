package dev.anneal.tune;

import dev.anneal.backend.Backend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.data.Batches;
import dev.anneal.data.Dataset;
import dev.anneal.data.Datasets;
import dev.anneal.train.EvalMetrics;
import dev.anneal.train.RunDirectory;
import dev.anneal.train.TrainListener;
import dev.anneal.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The LR range test (Smith 2017, "Cyclical Learning Rates for Training Neural Networks", section 3.3; fastai's
 * {@code LRFinder}, Lightning's {@code lr_find}): trains a fresh copy of the config's model for {@code N}
 * optimizer updates while the rate follows the {@link Ramp} ({@link RampConfig}: the ordinary {@link Trainer}
 * and schedule code, so accumulation and several devices count global updates), recording each update's rate,
 * loss and {@link LossSmoother smoothed loss}, and every {@code eval_every} updates the loss and accuracy on a
 * fixed subset of the validation set, or of the test set without one (the first {@code eval_samples} samples),
 * for Smith's accuracy-vs-rate plot. The data cycles epoch after epoch when an epoch is shorter than the test; the test ends after {@code N} updates or
 * when {@link DivergenceStop} says so (an update skipped for non-finite gradients counts as diverged).
 *
 * <p>The run is throwaway: its trainer writes no checkpoint and is stopped before any epoch-end output, and the
 * temporary directory it is given is deleted afterwards.
 */
public final class RangeTest {
    private final AnnealConfig user;
    private final RangeTestSpec spec;
    private final Datasets data;
    private final List<Backend> backends;

    /**
     * @param user the config as the user wrote it (with overrides)
     * @param data its datasets, loaded once for every repeat
     * @param backends one per {@code user.devices()}, left open
     */
    public RangeTest(AnnealConfig user, RangeTestSpec spec, Datasets data, List<Backend> backends) {
        this.user = user;
        this.spec = spec;
        this.data = data;
        this.backends = backends;
    }

    /** Updates per epoch of the config on its data: {@code ceil(n / (batch_size x devices x accumulation))}. */
    public long stepsPerEpoch() {
        long batch = (long) user.data().batchSize() * user.devices();
        return Batches.stepsPerEpoch(data.train().n(), (int) Math.min(batch, Integer.MAX_VALUE),
                (int) Math.min(user.train().accumulationSteps(), Integer.MAX_VALUE));
    }

    /** The config that repeat {@code r} trains ({@code train.seed + r}). */
    public AnnealConfig configFor(int r) {
        return RampConfig.of(user, spec, spec.seed() + r, stepsPerEpoch());
    }

    /** Runs every repeat in turn. */
    public List<Curve> runAll() throws IOException {
        List<Curve> curves = new ArrayList<>();
        for (int r = 0; r < spec.repeats(); r++) {
            curves.add(run(r));
        }
        return curves;
    }

    /** Runs repeat {@code r}. */
    public Curve run(int r) throws IOException {
        AnnealConfig cfg = configFor(r);
        Dataset subset = spec.evalEvery() > 0 ? firstSamples(data.monitored(), spec.evalSamples()) : null;
        Path tmp = Files.createTempDirectory("anneal-lr-find-");
        try {
            Recorder recorder = new Recorder(subset);
            try (Trainer trainer = new Trainer(cfg, data, backends, new RunDirectory(tmp), recorder)) {
                recorder.trainer = trainer;
                trainer.disableCheckpoints();
                trainer.synchronous();
                trainer.initialize();
                trainer.run();
            }
            boolean early = recorder.points.size() < spec.steps();
            return new Curve(recorder.points, early, early ? recorder.stopReason : "", cfg.train().seed());
        } finally {
            deleteTree(tmp);
        }
    }

    /** The first {@code n} samples of {@code set} (all of them when it has fewer). */
    static Dataset firstSamples(Dataset set, int n) {
        return set.head(Math.min(n, set.n()));
    }

    /** Records each update and stops the trainer after the last one or on divergence. */
    private final class Recorder implements TrainListener {
        final List<CurvePoint> points = new ArrayList<>();
        final LossSmoother smoother = new LossSmoother(spec.smooth());
        final DivergenceStop stop = new DivergenceStop(spec.stopDiv());
        final Dataset subset;
        Trainer trainer;
        String stopReason = "";
        long recorded;

        Recorder(Dataset subset) {
            this.subset = subset;
        }

        @Override
        public void stepped(long update, double loss, double lr, double samplesPerSecond) {
            if (update == recorded) {
                return; // a skipped update: skipped() has stopped the run
            }
            recorded = update;
            long i = update - 1;
            double smoothed = smoother.add(loss);
            double testLoss = Double.NaN;
            double testAccuracy = Double.NaN;
            if (subset != null && (update % spec.evalEvery() == 0 || update == spec.steps())) {
                EvalMetrics m = trainer.evaluate(subset, 0);
                testLoss = m.loss();
                testAccuracy = m.accuracy();
            }
            points.add(new CurvePoint(i, lr, loss, smoothed, testLoss, testAccuracy));
            String why = stop.check(loss, smoothed);
            if (why != null && update < spec.steps()) {
                stopReason = why;
                trainer.requestStop();
            } else if (update >= spec.steps()) {
                trainer.requestStop();
            }
        }

        @Override
        public void skipped(long update, long inARow, String why) {
            stopReason = "update " + (update + 1) + " was skipped: " + why;
            trainer.requestStop();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
