package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.anneal.data.NpyFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same images and labels, written as IDX files and as an .npz, train to the same weights, bit for bit. */
class NpzTrainsLikeIdxTest {
    private static final int TRAIN = 60;
    private static final int TEST = 20;
    private static final int SIDE = 4;

    @TempDir
    Path dir;

    private static byte[] pixels(int n, int salt) {
        byte[] px = new byte[n * SIDE * SIDE];
        for (int i = 0; i < px.length; i++) {
            int image = i / (SIDE * SIDE);
            px[i] = (byte) (((i * 31 + salt) ^ (image % 10) * 25) & 0xff);
        }
        return px;
    }

    private static byte[] labels(int n) {
        byte[] y = new byte[n];
        for (int i = 0; i < n; i++) {
            y[i] = (byte) (i % 10);
        }
        return y;
    }

    private static byte[] idx(int magic, int[] dims, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length).putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(payload).array();
    }

    private byte[] train(String data, String name) throws IOException {
        Path config = Files.writeString(dir.resolve(name + ".yaml"), """
                optimizer: {type: adam, lr: 0.01}
                model: {hidden: [8]}
                train: {epochs: 2, seed: 5}
                data: {batch_size: 16, eval_batch_size: 7, %s}
                """.formatted(data));
        Path run = dir.resolve(name);
        CliRun r = CliRun.of("train", "--config", config.toString(), "--run-dir", run.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        List<Path> weights;
        try (Stream<Path> files = Files.walk(run)) {
            weights = files.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
        assertFalse(weights.isEmpty(), "no safetensors in the run");
        return Files.readAllBytes(weights.get(weights.size() - 1));
    }

    @Test
    void theSameImagesAsIdxAndAsNpzTrainToTheSameBits() throws IOException {
        byte[] trainPx = pixels(TRAIN, 0);
        byte[] testPx = pixels(TEST, 7);
        Path idxDir = Files.createDirectories(dir.resolve("idx"));
        Files.write(idxDir.resolve("train-images-idx3-ubyte"), idx(0x803, new int[] {TRAIN, SIDE, SIDE}, trainPx));
        Files.write(idxDir.resolve("train-labels-idx1-ubyte"), idx(0x801, new int[] {TRAIN}, labels(TRAIN)));
        Files.write(idxDir.resolve("t10k-images-idx3-ubyte"), idx(0x803, new int[] {TEST, SIDE, SIDE}, testPx));
        Files.write(idxDir.resolve("t10k-labels-idx1-ubyte"), idx(0x801, new int[] {TEST}, labels(TEST)));
        Map<String, byte[]> arrays = new LinkedHashMap<>();
        arrays.put("x_train", NpyFiles.npy("|u1", "(" + TRAIN + ", " + SIDE + ", " + SIDE + ")", trainPx));
        arrays.put("y_train", NpyFiles.npy("|u1", "(" + TRAIN + ",)", labels(TRAIN)));
        arrays.put("x_test", NpyFiles.npy("|u1", "(" + TEST + ", " + SIDE + ", " + SIDE + ")", testPx));
        arrays.put("y_test", NpyFiles.npy("|u1", "(" + TEST + ",)", labels(TEST)));
        Path npz = NpyFiles.npz(dir.resolve("same.npz"), arrays, true);

        byte[] fromIdx = train("dataset: mnist, path: " + idxDir, "idx-run");
        byte[] fromNpz = train("dataset: npz, path: " + npz, "npz-run");
        assertArrayEquals(fromIdx, fromNpz);
    }
}
