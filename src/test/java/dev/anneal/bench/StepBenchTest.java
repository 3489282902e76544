package dev.anneal.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.cli.Main;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.data.NpyFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code anneal bench step} feeds the model samples of the data's own shape: a CNN on the user's image arrays
 * ({@code [N, H, W]} in an npz, so samples {@code [1, H, W]}) is timed instead of being refused because its
 * convolution met flat {@code [D]} samples; synthetic and IDX data keep the shape their config names.
 */
class StepBenchTest {
    private static final String CNN = """
            optimizer: {type: sgd, lr: 0.01}
            model:
              type: sequential
              layers:
                - {type: conv2d, out_channels: 3, kernel_size: 3, padding: 1}
                - {type: relu}
                - {type: max_pool2d, kernel_size: 2}
                - {type: flatten}
                - {type: linear}
            data: {dataset: npz, path: DATA, batch_size: 4}
            train: {seed: 1}
            """;

    @TempDir
    Path dir;

    /** 12 train and 4 test 6x10 grayscale images with labels 0..4 (5 classes). */
    private Path images() {
        Map<String, byte[]> arrays = new LinkedHashMap<>();
        arrays.put("x_train", NpyFiles.npy("|u1", "(12, 6, 10)", pixels(12 * 60)));
        arrays.put("y_train", NpyFiles.npy("<i8", "(12,)", NpyFiles.longs(0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1)));
        arrays.put("x_test", NpyFiles.npy("|u1", "(4, 6, 10)", pixels(4 * 60)));
        arrays.put("y_test", NpyFiles.npy("<i8", "(4,)", NpyFiles.longs(4, 3, 2, 1)));
        return NpyFiles.npz(dir.resolve("images.npz"), arrays, false);
    }

    private static byte[] pixels(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 37 % 251);
        }
        return b;
    }

    private AnnealConfig config(String yaml, String... sets) {
        return LoadedConfig.parse("bench.yaml", yaml.replace("DATA", images().toString()), List.of(sets)).config();
    }

    @Test
    void aCnnOnImageArraysIsTimedOnSamplesOfTheImagesShape() {
        AnnealConfig cfg = config(CNN);
        StepBench.Input input = StepBench.input(cfg);
        assertArrayEquals(new int[] {1, 6, 10}, input.sample());
        assertEquals(5, input.classes());
        try (CpuBackend cpu = new CpuBackend()) {
            StepBench.Result r = StepBench.run(cpu, cfg, 1, 2, StepBench.wallClock(cpu));
            assertEquals(60, r.inputs());
            assertEquals(5, r.classes());
            assertEquals(4, r.batch());
            // conv2d 3 x (1*3*3) + 3, linear 5 x (3*3*5) + 5
            assertEquals(30 + 230, r.parameters());
            assertTrue(r.secondsPerStep() > 0 && r.hostSecondsPerStep() > 0, r.toString());
        }
    }

    @Test
    void benchStepOnACnnConfigWithImageArraysRunsThroughTheCommand() throws IOException {
        Path cfg = dir.resolve("cnn.yaml");
        Files.writeString(cfg, CNN.replace("DATA", images().toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.execute(new PrintWriter(out), new PrintWriter(err), "bench", "step", "--config",
                cfg.toString(), "--device", "cpu", "--steps", "2", "--warmup", "1");
        assertEquals(0, status, err + "" + out);
        assertTrue(out.toString().contains("model: sequential conv2d-relu-max_pool2d-flatten-linear (260 parameters)"
                + ", batch 4"), out.toString());
    }

    @Test
    void syntheticAndIdxDataKeepTheShapesTheirConfigNames() {
        String mlp = """
                optimizer: {type: sgd, lr: 0.01}
                model: {hidden: [8]}
                data: {dataset: synthetic, features: 7, classes: 3}
                """;
        StepBench.Input synthetic = StepBench.input(LoadedConfig.parse("s.yaml", mlp, List.of()).config());
        assertArrayEquals(new int[] {7}, synthetic.sample());
        assertEquals(3, synthetic.classes());
        StepBench.Input idx = StepBench.input(LoadedConfig.parse("f.yaml", mlp, List.of(
                "data.dataset=fashion-mnist", "data.features=null", "data.classes=null")).config());
        assertArrayEquals(new int[] {1, 28, 28}, idx.sample());
        assertEquals(10, idx.classes());
        assertEquals(784, idx.features());
    }
}
