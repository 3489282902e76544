package dev.anneal.backend.cuda;

import static dev.anneal.backend.cuda.TrainCommandRuns.requireDevices;
import static dev.anneal.backend.cuda.TrainCommandRuns.train;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole command, {@code anneal train}, on CUDA follows the CPU run's loss curve: one device op by op, and two
 * devices (half the batch each: the same global batch) with the step replayed as CUDA graphs. The checks below the
 * command (trainer, replicas, graphs) have their own tests; this one proves the CLI wires the devices the config
 * names. Tolerance {@code 1e-4 + 1e-3 |cpu|} per epoch loss: the kernels' sums run in another order than the CPU's.
 */
@Tag("gpu")
class CudaTrainCommandTest {
    private static final String CONFIG = """
            optimizer: {type: adamw, lr: 0.01}
            schedule: {type: cosine, t_max: 24, warmup: {steps: 4, start_factor: 0.1}}
            model: {hidden: [32, 16], activation: gelu}
            data: {dataset: synthetic, train_samples: 256, test_samples: 64, features: 12, classes: 3, batch_size: 32}
            train: {epochs: 3, seed: 5}
            """;

    @TempDir
    Path dir;

    @Test
    void cudaRunsOfTheCommandFollowTheCpuRun() throws IOException {
        requireDevices(2);
        Path config = dir.resolve("run.yaml");
        Files.writeString(config, CONFIG);
        List<JsonNode> cpu = train(dir, config, "cpu", "device=cpu");
        List<JsonNode> cuda = train(dir, config, "cuda", "device=cuda");
        // train.cuda_graph: auto (the default) replays graphs on CUDA, says so once, and gives the bits of op by op.
        String auto = Files.readString(dir.resolve("cuda.out"));
        assertEquals(1, auto.lines().filter(l -> l.contains("steps replayed as CUDA graphs")).count(), auto);
        List<JsonNode> eager = train(dir, config, "cuda-eager", "device=cuda", "train.cuda_graph=false");
        assertTrue(!Files.readString(dir.resolve("cuda-eager.out")).contains("CUDA graphs"));
        for (int e = 0; e < 3; e++) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) eager.get(e)).remove("samples_per_second");
            ((com.fasterxml.jackson.databind.node.ObjectNode) cuda.get(e)).remove("samples_per_second");
        }
        assertEquals(eager, cuda, "graph replay and op by op: the same bits");
        List<JsonNode> graphs = train(dir, config, "cuda-dp-graph", "device=cuda", "devices=2", "data.batch_size=16",
                "train.cuda_graph=true");
        for (var run : List.of(new Named("cuda", cuda), new Named("cuda-dp-graph", graphs))) {
            assertEquals(3, run.epochs.size(), run.name + " epochs");
            for (int e = 0; e < 3; e++) {
                for (String key : List.of("train_loss", "test_loss")) {
                    double want = cpu.get(e).get(key).asDouble();
                    double got = run.epochs.get(e).get(key).asDouble();
                    assertTrue(Double.isFinite(want) && want > 0, "cpu " + key + " " + want);
                    assertEquals(want, got, 1e-4 + 1e-3 * Math.abs(want),
                            run.name + ": epoch " + (e + 1) + " " + key + ": cpu " + want + ", cuda " + got);
                }
            }
        }
    }

    private record Named(String name, List<JsonNode> epochs) {
    }
}
