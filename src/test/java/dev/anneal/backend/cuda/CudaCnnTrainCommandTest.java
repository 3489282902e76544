package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anneal.cli.Main;
import dev.anneal.data.NpyFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

    /** {@code n} images: a vertical (class 0) or horizontal (class 1) bar of 255 at a random place, on 0-60 noise. */
    private static byte[][] images(int n, Random r) {
        byte[] x = new byte[n * 64];
        byte[] y = new byte[n * 8];
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(2);
            y[i * 8] = (byte) label;
            for (int p = 0; p < 64; p++) {
                x[i * 64 + p] = (byte) r.nextInt(60);
            }
            int at = 1 + r.nextInt(6);
            for (int k = 1; k < 7; k++) {
                x[i * 64 + (label == 1 ? at * 8 + k : k * 8 + at)] = (byte) 255;
            }
        }
        return new byte[][] {x, y};
    }

    private Path config() throws IOException {
        Random r = new Random(4);
        byte[][] train = images(160, r);
        byte[][] test = images(48, r);
        Map<String, byte[]> arrays = new LinkedHashMap<>();
        arrays.put("x_train", NpyFiles.npy("|u1", "(160, 8, 8)", train[0]));
        arrays.put("y_train", NpyFiles.npy("<i8", "(160,)", train[1]));
        arrays.put("x_test", NpyFiles.npy("|u1", "(48, 8, 8)", test[0]));
        arrays.put("y_test", NpyFiles.npy("<i8", "(48,)", test[1]));
        Path data = NpyFiles.npz(dir.resolve("bars.npz"), arrays, false);
        Path config = dir.resolve("cnn.yaml");
        Files.writeString(config, CONFIG.replace("DATA", data.toString()));
        return config;
    }

    @Test
    void theCommandTrainsACnnOnCudaLikeOnTheCpu() throws IOException {
        int available = CudaStatus.probe().devices().size();
        try (Parity.Gpu probe = Parity.open(CudaBackend.Gemm.AUTO)) {
            probe.orSkip();
            assumeTrue(available >= 2, "needs 2 CUDA devices, this machine has " + available);
        }
        Path config = config();
        List<JsonNode> cpu = train(config, "cpu", "device=cpu");
        List<JsonNode> cuda = train(config, "cuda", "device=cuda");
        String out = Files.readString(dir.resolve("cuda.out"));
        assertTrue(out.contains("anneal: model for samples [1, 8, 8]:"), out);
        assertEquals(1, out.lines().filter(l -> l.contains("steps replayed as CUDA graphs")).count(), out);
        List<JsonNode> eager = train(config, "cuda-eager", "device=cuda", "train.cuda_graph=false");
        assertTrue(!Files.readString(dir.resolve("cuda-eager.out")).contains("CUDA graphs"));
        assertEquals(withoutRate(eager), withoutRate(cuda), "graph replay and op by op: the same bits");
        follows(cpu, cuda, "cuda");
        double accuracy = cuda.get(2).get("test_accuracy").asDouble();
        assertTrue(accuracy > 0.9, "the CNN learns the bars on CUDA: test accuracy " + accuracy);

        List<JsonNode> cpu2 = train(config, "cpu-dp", "device=cpu", "devices=2", "data.batch_size=8");
        List<JsonNode> cuda2 = train(config, "cuda-dp", "device=cuda", "devices=2", "data.batch_size=8");
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

    private List<JsonNode> train(Path config, String name, String... sets) throws IOException {
        List<String> args = new ArrayList<>(List.of("train", "--config", config.toString(), "--run-dir",
                dir.resolve(name).toString()));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.execute(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertEquals(0, status, name + ": " + out + err);
        Files.writeString(dir.resolve(name + ".out"), out.toString());
        assertTrue(out.toString().contains("anneal: device "), out.toString());
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> epochs = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(name).resolve("metrics.jsonl"))) {
            epochs.add(json.readTree(line));
        }
        return epochs;
    }
}
