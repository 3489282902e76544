package dev.anneal.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.data.Datasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The range test driving the real trainer on small synthetic data. */
class LrFindRangeTestTest {
    static final String BASE = """
            optimizer: {type: adamw, lr: 0.01}
            schedule: {type: cosine, t_max: 60, warmup: {steps: 5, start_factor: 0.1}}
            model: {hidden: [16]}
            data: {dataset: synthetic, train_samples: 200, test_samples: 64, features: 8, classes: 3, batch_size: 20}
            train: {epochs: 2, seed: 3}
            """;

    private static AnnealConfig config(String... sets) {
        return LoadedConfig.parse("test.yaml", BASE, List.of(sets)).config();
    }

    private static RangeTestSpec spec(double start, double end, long steps, Ramp ramp, double stopDiv, long evalEvery,
                                      int repeats) {
        return new RangeTestSpec(start, end, steps, ramp, stopDiv, 0.98, 3, 2, evalEvery, 50, repeats, 3);
    }

    private static List<Curve> run(AnnealConfig cfg, RangeTestSpec spec) throws IOException {
        Datasets data = Datasets.load(cfg.data(), cfg.train().seed());
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < cfg.devices(); i++) {
            backends.add(new CpuBackend());
        }
        try {
            return new RangeTest(cfg, spec, data, backends).runAll();
        } finally {
            backends.forEach(Backend::close);
        }
    }

    @Test
    void everyUpdateUsesTheExponentialRampsRateToTheBitAndTheDataCycles() throws IOException {
        RangeTestSpec spec = spec(1e-6, 1e-1, 37, Ramp.EXP, 0, 0, 1);
        Curve c = run(config(), spec).get(0);
        assertEquals(37, c.points().size(), "37 updates over 10-update epochs");
        assertFalse(c.stoppedEarly());
        for (CurvePoint p : c.points()) {
            assertEquals(1e-6 * Math.pow(1e-1 / 1e-6, p.step() / 36.0), p.lr(), 0.0, "update " + p.step());
        }
        assertEquals(1e-1, c.points().get(36).lr(), 1e-16);
    }

    @Test
    void linearRampMatchesSmithsFormula() throws IOException {
        RangeTestSpec spec = spec(1e-4, 0.05, 25, Ramp.LINEAR, 0, 0, 1);
        Curve c = run(config(), spec).get(0);
        assertEquals(25, c.points().size());
        for (CurvePoint p : c.points()) {
            double expected = 1e-4 + (0.05 - 1e-4) * p.step() / 24.0;
            assertEquals(expected, p.lr(), 1e-12 * expected, "update " + p.step());
        }
    }

    @Test
    void accumulationAndDevicesCountGlobalUpdatesNotMicroBatches() throws IOException {
        AnnealConfig cfg = config("train.accumulation_steps=2", "devices=2", "device=cpu", "data.batch_size=10");
        RangeTestSpec spec = spec(1e-5, 1e-1, 12, Ramp.EXP, 0, 0, 1);
        Curve c = run(cfg, spec).get(0);
        assertEquals(12, c.points().size(), "12 updates of 40 samples, 48 micro-batch shards");
        for (CurvePoint p : c.points()) {
            assertEquals(spec.lr(p.step()), p.lr(), 0.0);
        }
        assertEquals(1e-1, c.points().get(11).lr(), 1e-16, "the ramp ends at --end on the last update");
        assertEquals(5, new RangeTest(cfg, spec, Datasets.load(cfg.data(), 3), List.of()).stepsPerEpoch());
    }

    @Test
    void smoothedLossIsTheBiasCorrectedAverageOfTheRecordedLosses() throws IOException {
        Curve c = run(config(), spec(1e-5, 1e-1, 20, Ramp.EXP, 0, 0, 1)).get(0);
        double[] expected = LossSmoother.smooth(c.losses(), 0.98);
        assertEquals(c.losses()[0], c.smoothedLosses()[0], 0.0);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], c.smoothedLosses()[i], 0.0);
        }
    }

    @Test
    void aDivergingRampStopsEarlyWithTheTriggeringPointRecorded() throws IOException {
        // Overlapping classes: at a large rate the misclassified samples' loss explodes (separable data would
        // instead drive the loss to 0 at any rate).
        AnnealConfig cfg = config("optimizer={type: sgd, lr: 0.1}", "data.noise=4.0");
        RangeTestSpec spec = spec(1e-3, 1e4, 80, Ramp.EXP, 4, 0, 1);
        Curve c = run(cfg, spec).get(0);
        assertTrue(c.stoppedEarly(), "an SGD rate of 1e4 diverges on overlapping classes");
        assertTrue(c.points().size() < 80);
        assertFalse(c.stopReason().isEmpty());
        CurvePoint last = c.points().get(c.points().size() - 1);
        double best = c.points().stream().mapToDouble(CurvePoint::smoothedLoss).filter(Double::isFinite).min()
                .orElseThrow();
        assertTrue(!Double.isFinite(last.loss()) || last.smoothedLoss() > 4 * best
                        || c.stopReason().contains("skipped"), c.stopReason());
        for (int i = 0; i < c.points().size() - 1; i++) {
            CurvePoint p = c.points().get(i);
            double bestSoFar = c.points().subList(0, i + 1).stream().mapToDouble(CurvePoint::smoothedLoss).min()
                    .orElseThrow();
            assertTrue(p.smoothedLoss() <= 4 * bestSoFar, "no earlier point should have stopped: " + i);
        }
    }

    @Test
    void evaluationOnTheSubsetEveryNUpdatesAndAtTheEnd() throws IOException {
        Curve c = run(config(), spec(1e-5, 1e-1, 23, Ramp.EXP, 0, 5, 1)).get(0);
        List<Long> evaluated = c.points().stream().filter(CurvePoint::evaluated).map(CurvePoint::step).toList();
        assertEquals(List.of(4L, 9L, 14L, 19L, 22L), evaluated, "after updates 5, 10, 15, 20 and the last");
        for (CurvePoint p : c.points()) {
            if (p.evaluated()) {
                double correct = p.testAccuracy() * 50;
                assertEquals(Math.rint(correct), correct, 1e-9, "an accuracy over the 50-sample subset");
            }
        }
    }

    @Test
    void repeatsUseSuccessiveSeedsAndDifferentDataOrders() throws IOException {
        List<Curve> curves = run(config(), spec(1e-5, 1e-1, 15, Ramp.EXP, 0, 0, 3));
        assertEquals(List.of(3L, 4L, 5L), curves.stream().map(Curve::seed).toList());
        assertNotEquals(curves.get(0).losses()[5], curves.get(1).losses()[5]);
        assertEquals(curves.get(0).lrs()[14], curves.get(2).lrs()[14], 0.0, "the same ramp");
    }

    @Test
    void theThrowawayRunLeavesNothingInTheTemporaryDirectory() throws IOException {
        List<Path> before = leftovers();
        run(config(), spec(1e-5, 1e-1, 25, Ramp.EXP, 0, 0, 1));
        assertEquals(before, leftovers());
    }

    @Test
    void theDerivedConfigReplacesOnlyTheRate() {
        AnnealConfig user = config("optimizer.lr_scaling=linear", "optimizer.reference_batch=10");
        RangeTestSpec spec = spec(1e-5, 1e-1, 25, Ramp.EXP, 0, 0, 1);
        AnnealConfig c = RampConfig.of(user, spec, 7, 10);
        assertEquals(1e-5, c.effectiveLr(), 0.0, "lr_scaling is off in the test");
        assertEquals(3L, c.train().epochs(), "ceil(25 / 10)");
        assertEquals(7L, c.train().seed());
        assertEquals(null, c.schedule().warmup());
        assertEquals(user.model(), c.model());
        assertEquals(user.data(), c.data());
        assertEquals(user.optimizer().getClass(), c.optimizer().getClass());
    }

    private static List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("anneal-lr-find-")).sorted().toList();
        }
    }
}
