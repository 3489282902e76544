package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.data.NpyFiles;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same files trained with {@code data.memory_map: true} and {@code false} end with the same weights, bit for
 * bit: float32 NHWC {@code .npy} files with a validation split on two CPU replicas with accumulation, and uint8
 * images mapped inside a stored {@code .npz}.
 */
class MemoryMappedTrainsLikeInMemoryTest {
    @TempDir
    Path dir;

    private byte[] train(String data, String name) throws IOException {
        Path config = Files.writeString(dir.resolve(name + ".yaml"), """
                optimizer: {type: adam, lr: 0.01}
                model: {hidden: [8]}
                train: {epochs: 2, seed: 5, accumulation_steps: 2}
                data: {batch_size: 8, eval_batch_size: 7, %s}
                device: cpu
                devices: 2
                """.formatted(data));
        Path run = dir.resolve(name);
        CliRun r = CliRun.of("train", "--config", config.toString(), "--run-dir", run.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertEquals(data.contains("memory_map: true"), r.out().contains("features memory-mapped"), r.out());
        List<Path> weights;
        try (Stream<Path> files = Files.walk(run)) {
            weights = files.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
        assertFalse(weights.isEmpty(), "no safetensors in the run");
        return Files.readAllBytes(weights.get(weights.size() - 1));
    }

    private static byte[] labels(int n) {
        byte[] y = new byte[n];
        for (int i = 0; i < n; i++) {
            y[i] = (byte) (i % 3);
        }
        return y;
    }

    @Test
    void float32NhwcWithAValidationSplitOnTwoReplicas() throws IOException {
        SplittableRandom rnd = new SplittableRandom(8);
        Path arrays = Files.createDirectories(dir.resolve("arrays"));
        for (String set : List.of("train", "test")) {
            int n = set.equals("train") ? 120 : 30;
            float[] x = new float[n * 4 * 4 * 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextGaussian() + (i / 32) % 3);
            }
            Files.write(arrays.resolve("x_" + set + ".npy"), NpyFiles.npy("<f4", "(" + n + ", 4, 4, 2)",
                    NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, x)));
            Files.write(arrays.resolve("y_" + set + ".npy"), NpyFiles.npy("|u1", "(" + n + ",)", labels(n)));
        }
        String data = "dataset: npy, path: " + arrays + ", layout: nhwc, validation_split: 0.25, memory_map: ";
        byte[] inMemory = train(data + "false", "in-memory");
        byte[] mapped = train(data + "true", "mapped");
        assertTrue(inMemory.length > 0);
        assertArrayEquals(inMemory, mapped);
    }

    @Test
    void uint8ImagesMappedInsideAStoredNpz() throws IOException {
        SplittableRandom rnd = new SplittableRandom(9);
        Map<String, byte[]> arrays = new LinkedHashMap<>();
        for (String set : List.of("train", "test")) {
            int n = set.equals("train") ? 90 : 21;
            byte[] px = new byte[n * 5 * 5];
            rnd.nextBytes(px);
            arrays.put("x_" + set, NpyFiles.npy("|u1", "(" + n + ", 5, 5)", px));
            arrays.put("y_" + set, NpyFiles.npy("|u1", "(" + n + ",)", labels(n)));
        }
        Path npz = NpyFiles.npz(dir.resolve("images.npz"), arrays, false);
        String data = "dataset: npz, path: " + npz + ", memory_map: ";
        assertArrayEquals(train(data + "false", "npz-in-memory"), train(data + "true", "npz-mapped"));
    }
}
