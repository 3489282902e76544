package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.SgdArgs;
import dev.anneal.backend.StepGraph;
import dev.anneal.backend.StepScalars;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.data.Datasets;
import dev.anneal.train.LossCurve;
import dev.anneal.train.RunDirectory;
import dev.anneal.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train.cuda_graph}: a training step captured once in a CUDA graph and replayed gives the bits of the same
 * steps run op by op; a replay reads the step scalars written before it (so the schedule drives every replay) and
 * decides on the device to skip a step with non-finite gradients; ops a graph cannot hold fail at capture.
 */
@Tag("gpu")
class CudaGraphTest {
    private static final String CONFIG = """
            optimizer: {type: sgd, lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.0001}
            schedule: {type: one_cycle, max_lr: 0.2, total_steps: 40}
            model: {hidden: [48, 24], activation: gelu, init: kaiming}
            data: {dataset: synthetic, train_samples: 600, test_samples: 200, features: 31, classes: 5, batch_size: 32}
            train: {epochs: 3, seed: 5, clip_grad_norm: 0.5, accumulation_steps: 2}
            """;

    @TempDir
    Path dir;

    @Test
    void replayedStepsEqualEagerStepsBitForBit() throws IOException {
        AnnealConfig eager = LoadedConfig.parse("graph-test.yaml", CONFIG, List.of("train.cuda_graph=false")).config();
        AnnealConfig graph = LoadedConfig.parse("graph-test.yaml", CONFIG, List.of("train.cuda_graph=true")).config();
        Run a = train(eager, dir.resolve("eager"));
        Run b = train(graph, dir.resolve("graph"));
        // 600 samples in steps of 64: 9 full steps and a short one per epoch; the first full step runs eagerly.
        assertEquals(0, a.replayed);
        assertEquals(3 * 9 - 1, b.replayed);
        assertEquals(a.losses, b.losses, "loss per step");
        assertArrayEquals(a.params, b.params, "parameters after training");
        assertTrue(a.losses.get(a.losses.size() - 1) < a.losses.get(0), "the run learns: " + a.losses);
    }

    @Test
    void aReplayReadsTheScalarsWrittenBeforeItAndSkipsNonFiniteGradients() {
        try (CudaBackend gpu = Parity.openOrSkip(CudaBackend.Gemm.AUTO)) {
            int n = 1025;
            float[] ones = new float[n];
            Arrays.fill(ones, 1f);
            FloatArray p = Parity.put(gpu, ones);
            FloatArray g = Parity.put(gpu, ones);
            FloatArray stats = gpu.allocate(1);
            FloatArray scalars = gpu.allocate(StepScalars.SIZE);
            float[] host = new float[StepScalars.SIZE];
            try (StepGraph step = gpu.capture(() -> {
                gpu.squaredNorm(g, 0, n, stats, 0);
                gpu.finalizeStepScalars(stats, 0, 0f, scalars);
                gpu.sgdStep(SgdArgs.of(0, 0, false), scalars, p, g, null, n);
            })) {
                assertEquals(1f, Parity.get(gpu, p)[7], "capturing runs nothing");
                host[StepScalars.LR] = 0.25f;
                gpu.upload(host, 0, scalars, 0, host.length);
                step.replay();
                assertEquals(0.75f, Parity.get(gpu, p)[7]);
                host[StepScalars.LR] = 0.5f;
                gpu.upload(host, 0, scalars, 0, host.length);
                step.replay();
                assertEquals(0.25f, Parity.get(gpu, p)[1024]);
                float[] poisoned = ones.clone();
                poisoned[500] = Float.NaN;
                gpu.upload(poisoned, 0, g, 0, n);
                step.replay();
                float[] after = Parity.get(gpu, p);
                assertEquals(0.25f, after[0], "a step with a NaN gradient is skipped on the device");
                assertEquals(0.25f, after[500]);
                assertEquals(1f, Parity.get(gpu, scalars)[StepScalars.SKIP]);
            }
        }
    }

    @Test
    void anAllocationDuringACaptureFailsAndTheBackendStaysUsable() {
        try (CudaBackend gpu = Parity.openOrSkip(CudaBackend.Gemm.AUTO)) {
            CudaException e = assertThrows(CudaException.class, () -> gpu.capture(() -> gpu.allocate(16)));
            assertTrue(e.getMessage().contains("cuMemAlloc"), e.getMessage());
            FloatArray x = gpu.allocate(3);
            gpu.fill(x, 0, 3, 2f);
            assertArrayEquals(new float[] {2f, 2f, 2f}, Parity.get(gpu, x));
        }
    }

    @Test
    void aDownloadDuringACaptureFails() {
        try (CudaBackend gpu = Parity.openOrSkip(CudaBackend.Gemm.AUTO)) {
            FloatArray x = gpu.allocate(3);
            assertThrows(CudaException.class, () -> gpu.capture(() -> gpu.download(x, 0, new float[3], 0, 3)));
        }
    }

    @Test
    @Tag("emulator")
    void replayingAGraphWhoseBufferWasFreedIsCaughtByTheEmulator() {
        assumeTrue("1".equals(System.getenv("ANNEAL_CUDA_EMULATOR")), "a use after free is undefined on a GPU");
        try (CudaBackend gpu = Parity.openOrSkip(CudaBackend.Gemm.AUTO)) {
            FloatArray x = gpu.allocate(64);
            StepGraph fill = gpu.capture(() -> gpu.fill(x, 0, 64, 1f));
            fill.replay();
            x.close();
            CudaException e = assertThrows(CudaException.class, fill::replay);
            assertTrue(e.getMessage().contains("cuGraphLaunch"), e.getMessage());
            fill.close();
        }
    }

    private record Run(List<Double> losses, float[] params, long replayed) {
    }

    private static Run train(AnnealConfig cfg, Path runDir) throws IOException {
        LossCurve listener = new LossCurve();
        List<Double> losses = listener.losses;
        Datasets data = Datasets.load(cfg.data(), cfg.train().seed());
        try (CudaBackend gpu = Parity.openOrSkip(CudaBackend.Gemm.AUTO);
             Trainer t = new Trainer(cfg, data, gpu, new RunDirectory(runDir), listener)) {
            t.initialize();
            t.run();
            return new Run(losses, Parity.get(gpu, t.model().parameters()), t.replayedSteps());
        }
    }
}
