package dev.anneal.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.data.Batches;
import dev.anneal.data.Dataset;
import dev.anneal.data.Datasets;
import dev.anneal.data.EpochOrder;
import dev.anneal.data.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loader bench's structure: what it reads, what it reports, how the ratio is formed. No timing thresholds. */
class LoaderBenchTest {
    private static final LoaderBench.Settings QUICK = new LoaderBench.Settings(1, 3, 0, 1, 3);

    private static AnnealConfig config(int samples, int batch, int accumulation) {
        return LoadedConfig.parse("test", """
                optimizer: {type: adam, lr: 0.01}
                model: {hidden: [8]}
                data: {dataset: synthetic, train_samples: %d, test_samples: 10, features: 6, classes: 3, batch_size: %d}
                train: {accumulation_steps: %d, seed: 3}
                """.formatted(samples, batch, accumulation), List.of()).config();
    }

    private static Dataset train(AnnealConfig cfg) {
        return Datasets.load(cfg.data(), cfg.train().seed()).train();
    }

    @Test
    void anEpochGathersEverySampleOnceAndEndsWithTheLastStepsRows() {
        AnnealConfig cfg = config(50, 4, 3);
        Dataset data = train(cfg);
        int[] order = EpochOrder.permutation(3, 0, data.n());
        float[] x = new float[12 * data.d()];
        int[] y = new int[12];
        assertEquals(50, LoaderBench.epoch(data, order, 4, 3, x, y));
        // the last step (positions 48, 49) is one micro-batch of two rows at the start of the buffers
        float[] ex = new float[2 * data.d()];
        int[] ey = new int[2];
        Batches.gather(data, order, new Span(48, 50), ex, ey);
        for (int k = 0; k < ex.length; k++) {
            assertEquals(ex[k], x[k], "x[" + k + "]");
        }
        assertEquals(ey[0], y[0]);
        assertEquals(ey[1], y[1]);
    }

    @Test
    void runReportsPositiveRatesAndTheRatioOfThem() {
        AnnealConfig cfg = config(100, 16, 2);
        LoaderBench.Result r = LoaderBench.run(new CpuBackend(), cfg, train(cfg), QUICK);
        assertEquals(100, r.n());
        assertEquals(6, r.d());
        assertEquals(3, r.classes());
        assertEquals(16, r.batch());
        assertEquals(2, r.accumulation());
        assertTrue(r.loader().epochs() >= 3, "epochs " + r.loader().epochs());
        assertTrue(r.loader().secondsPerEpoch() > 0 && r.loader().samplesPerSecond() > 0, r.toString());
        assertEquals(100 / r.loader().secondsPerEpoch(), r.loader().samplesPerSecond(), 1e-6 * r.loader()
                .samplesPerSecond());
        assertEquals(3, r.step().steps());
        assertEquals(32, r.step().samplesPerStep(), "a full step is batch x accumulation");
        assertTrue(r.step().secondsPerStep() > 0 && r.step().parameters() == 6 * 8 + 8 + 8 * 3 + 3, r.toString());
        assertEquals(r.loader().samplesPerSecond() / r.step().samplesPerSecond(), r.ratio(), 1e-9 * r.ratio());
        assertEquals(1 / r.ratio(), r.loaderShare(), 1e-12);
    }

    @Test
    void aSetSmallerThanOneStepIsTimedAsItsOneShortStep() {
        AnnealConfig cfg = config(5, 8, 1);
        LoaderBench.Result r = LoaderBench.run(new CpuBackend(), cfg, train(cfg), QUICK);
        assertEquals(5, r.step().samplesPerStep());
        assertTrue(r.step().samplesPerSecond() > 0 && r.loader().samplesPerSecond() > 0, r.toString());
    }

    @Test
    void settingsRefuseEmptyMeasurements() {
        assertThrows(IllegalArgumentException.class, () -> new LoaderBench.Settings(0, 0, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new LoaderBench.Settings(0, 1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LoaderBench.Settings(-1, 1, 0, 0, 1));
    }
}
