package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.data.Datasets;
import dev.anneal.train.EvalMetrics;
import dev.anneal.train.LossCurve;
import dev.anneal.train.RunDirectory;
import dev.anneal.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short training run on CUDA follows the CPU's loss curve. */
@Tag("gpu")
class CudaTrainingTest {
    private static final String CONFIG = """
            optimizer: {type: adamw, lr: 0.01}
            schedule: {type: cosine, t_max: 60, warmup: {steps: 5, start_factor: 0.1}}
            model: {hidden: [64, 32], activation: gelu, init: kaiming}
            data: {dataset: synthetic, train_samples: 600, test_samples: 200, features: 31, classes: 5, batch_size: 32}
            train: {epochs: 3, seed: 3, clip_grad_norm: 1.0, accumulation_steps: 2}
            """;

    @TempDir
    Path dir;

    @Test
    void lossCurveMatchesTheCpu() throws IOException {
        AnnealConfig cfg = LoadedConfig.parse("gpu-test.yaml", CONFIG, List.of()).config();
        try (CudaBackend gpu = Parity.openOrSkip(CudaBackend.Gemm.AUTO)) {
            Run onCpu = train(cfg, new CpuBackend(), dir.resolve("cpu"));
            Run onGpu = train(cfg, gpu, dir.resolve("gpu"));
            assertEquals(onCpu.losses.size(), onGpu.losses.size());
            for (int i = 0; i < onCpu.losses.size(); i++) {
                double e = onCpu.losses.get(i);
                double a = onGpu.losses.get(i);
                assertTrue(Math.abs(a - e) <= 1e-4 + 2e-3 * Math.abs(e), "step " + (i + 1) + " loss: cpu " + e
                        + ", cuda " + a);
            }
            for (int i = 0; i < onCpu.evals.size(); i++) {
                EvalMetrics e = onCpu.evals.get(i);
                EvalMetrics a = onGpu.evals.get(i);
                assertEquals(e.step(), a.step());
                assertEquals(e.testLoss(), a.testLoss(), 1e-4 + 2e-3 * e.testLoss(), "epoch " + e.epoch());
                assertEquals(e.testAccuracy(), a.testAccuracy(), 2.0 / 200, "epoch " + e.epoch());
            }
        }
    }

    private record Run(List<Double> losses, List<EvalMetrics> evals) {
    }

    private static Run train(AnnealConfig cfg, Backend backend, Path runDir) throws IOException {
        LossCurve listener = new LossCurve();
        List<Double> losses = listener.losses;
        Datasets data = Datasets.load(cfg.data(), cfg.train().seed());
        try (Trainer t = new Trainer(cfg, data, backend, new RunDirectory(runDir), listener)) {
            t.initialize();
            t.run();
            return new Run(losses, List.copyOf(t.history()));
        }
    }
}
