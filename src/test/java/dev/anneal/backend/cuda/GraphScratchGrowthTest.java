package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/**
 * A captured step keeps pointing at the backend's scratch buffers after an evaluation outgrew them: the loss's
 * per-row scratch starts at 1024 rows and grows for an evaluation batch of 1500 rows (an MLP evaluates its whole
 * batch at once) between the epochs, after the step was captured; the replays of the next epochs must still find
 * the buffer they were captured with, and give the bits of the op-by-op run.
 */
@Tag("gpu")
class GraphScratchGrowthTest {
    private static final String CONFIG = """
            optimizer: {type: sgd, lr: 0.05, momentum: 0.9}
            model: {hidden: [16], activation: relu}
            data: {dataset: synthetic, train_samples: 192, test_samples: 1500, features: 6, classes: 3,
                   batch_size: 32, eval_batch_size: 1500}
            train: {epochs: 3, seed: 3}
            """;

    @TempDir
    Path dir;

    private record Run(List<Double> losses, float[] params, List<EvalMetrics> history, long replayed) {
    }

    private Run train(boolean graph) throws IOException {
        AnnealConfig cfg = LoadedConfig.parse("scratch.yaml", CONFIG, List.of("train.cuda_graph=" + graph)).config();
        Datasets data = Datasets.load(cfg.data(), cfg.train().seed());
        LossCurve curve = new LossCurve();
        try (CudaBackend gpu = Parity.openOrSkip(CudaBackend.Gemm.AUTO);
             Trainer t = new Trainer(cfg, data, gpu, new RunDirectory(dir.resolve("graph-" + graph)), curve)) {
            t.initialize();
            t.run();
            return new Run(curve.losses, Parity.get(gpu, t.model().parameters()), t.history(), t.replayedSteps());
        }
    }

    @Test
    void stepsReplayedAfterAnEvaluationThatGrewTheScratchGiveTheEagerBits() throws IOException {
        Run eager = train(false);
        Run graph = train(true);
        // 192 samples in batches of 32: 6 steps an epoch; the second step is captured, 2 epochs replay after an
        // evaluation of 1500 rows.
        assertEquals(17, graph.replayed());
        assertEquals(eager.losses(), graph.losses());
        assertArrayEquals(eager.params(), graph.params());
        assertEquals(3, graph.history().size());
        for (int e = 0; e < 3; e++) {
            assertEquals(eager.history().get(e).testLoss(), graph.history().get(e).testLoss(), 0.0, "epoch " + e);
        }
        assertTrue(eager.losses().get(17) < eager.losses().get(0), "the run learns: " + eager.losses());
    }
}
