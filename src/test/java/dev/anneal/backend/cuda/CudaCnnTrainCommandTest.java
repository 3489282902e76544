package dev.anneal.backend.cuda;

import static dev.anneal.backend.cuda.TrainCommandRuns.requireDevices;
import static dev.anneal.backend.cuda.TrainCommandRuns.train;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anneal.data.BarImages;
import dev.anneal.data.NpyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code anneal train --config cnn.yaml} on CUDA (in CI the emulated driver), a small CNN (conv2d, batch norm,
 * max and average pooling, dropout, flatten, linear) on 8x8 grayscale images in an npz archive: the command builds
 * the model for samples {@code [1, 8, 8]} on the device the config names, replays the steps as CUDA graphs
 * ({@code train.cuda_graph: auto}) with the bits of the op-by-op run, learns, and follows the CPU run's epoch losses
 * within {@code 1e-5 + 1e-5 |cpu|} (the kernels' sums do not all add in the CPU's order: GEMM tiles and split-K);
 * two devices follow two CPU replicas the same way.
 *
 * <p>The convolution before batch norm has no bias (PyTorch's habit, {@code bias=False}): batch norm subtracts the
 * channel mean, so such a bias has a gradient of exactly 0 in exact arithmetic and only rounding noise in floats,
 * whose sign AdamW turns into steps of {@code +-lr}. That bias, and through it the running mean and the test loss,
 * would then follow the noise of each backend's sums (measured: 2e-2 relative on the bias, 4e-4 on the first
 * epoch's test loss) while the training loss, which the bias cannot change, agrees to 1e-8.
 */
@Tag("gpu")
class CudaCnnTrainCommandTest {
    private static final String CONFIG = """
            optimizer: {type: adamw, lr: 0.01}
            schedule: {type: cosine, t_max: 30}
            model:
              type: sequential
              init: pytorch
              layers:
                - {type: conv2d, out_channels: 4, kernel_size: 3, padding: 1, bias: false}
                - {type: batch_norm2d}
                - {type: relu}
                - {type: max_pool2d, kernel_size: 2}
                - {type: conv2d, out_channels: 4, kernel_size: 3, padding: 1}
                - {type: relu}
                - {type: avg_pool2d, kernel_size: 2}
                - {type: flatten}
                - {type: dropout, p: 0.1}
                - {type: linear}
            data: {dataset: npz, path: DATA, batch_size: 16, eval_batch_size: 64}
            train: {epochs: 3, seed: 2}
            """;
    private static final List<String> METRICS = List.of("train_loss", "test_loss", "test_accuracy");

    @TempDir
    Path dir;

    /** The config over 160 training and 48 test images of bars ({@link BarImages}). */
    private Path config() throws IOException {
        Path data = NpyFiles.npz(dir.resolve("bars.npz"), BarImages.arrays(160, 48, 4), false);
        Path config = dir.resolve("cnn.yaml");
        Files.writeString(config, CONFIG.replace("DATA", data.toString()));
        return config;
    }

    @Test
    void theCommandTrainsACnnOnCudaLikeOnTheCpu() throws IOException {
        requireDevices(2);
        Path config = config();
        List<JsonNode> cpu = train(dir, config, "cpu", "device=cpu");
        List<JsonNode> cuda = train(dir, config, "cuda", "device=cuda");
        String out = Files.readString(dir.resolve("cuda.out"));
        assertTrue(out.contains("anneal: model for samples [1, 8, 8]:"), out);
        assertEquals(1, out.lines().filter(l -> l.contains("steps replayed as CUDA graphs")).count(), out);
        List<JsonNode> eager = train(dir, config, "cuda-eager", "device=cuda", "train.cuda_graph=false");
        assertTrue(!Files.readString(dir.resolve("cuda-eager.out")).contains("CUDA graphs"));
        assertEquals(withoutRate(eager), withoutRate(cuda), "graph replay and op by op: the same bits");
        follows(cpu, cuda, "cuda");
        double accuracy = cuda.get(2).get("test_accuracy").asDouble();
        assertTrue(accuracy > 0.9, "the CNN learns the bars on CUDA: test accuracy " + accuracy);

        List<JsonNode> cpu2 = train(dir, config, "cpu-dp", "device=cpu", "devices=2", "data.batch_size=8");
        List<JsonNode> cuda2 = train(dir, config, "cuda-dp", "device=cuda", "devices=2", "data.batch_size=8");
        assertTrue(Files.readString(dir.resolve("cuda-dp.out")).contains("2 replicas"),
                Files.readString(dir.resolve("cuda-dp.out")));
        follows(cpu2, cuda2, "two cuda devices");
    }

    private static List<JsonNode> withoutRate(List<JsonNode> epochs) {
        epochs.forEach(e -> ((ObjectNode) e).remove("samples_per_second"));
        return epochs;
    }

    private static void follows(List<JsonNode> cpu, List<JsonNode> cuda, String name) {
        assertEquals(3, cpu.size(), "cpu epochs");
        assertEquals(3, cuda.size(), name + " epochs");
        for (int e = 0; e < 3; e++) {
            for (String key : METRICS) {
                double want = cpu.get(e).get(key).asDouble();
                double got = cuda.get(e).get(key).asDouble();
                assertTrue(Double.isFinite(want) && want > 0, "cpu " + key + " " + want);
                assertEquals(want, got, 1e-5 + 1e-5 * Math.abs(want),
                        name + ": epoch " + (e + 1) + " " + key + ": cpu " + want + ", cuda " + got);
            }
        }
    }
}
