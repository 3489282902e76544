package dev.anneal.cli;

import static dev.anneal.cli.BadInputAssert.oneLine;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datasets that cannot be trained on (empty sets, files that disagree, are truncated or are not IDX files):
 * {@code anneal train} says which file and what is wrong in one line, exits 2 and creates no run directory.
 * The IDX files are written here from the format: big-endian header, magic 0x00000803 (images: count, rows,
 * cols) or 0x00000801 (labels: count), then one unsigned byte per pixel or label.
 */
class BadInputDataTest {
    private static final int ROWS = 4;
    private static final int COLS = 4;

    @TempDir
    Path dir;
    Path data;

    @BeforeEach
    void completeDataset() throws IOException {
        data = Files.createDirectories(dir.resolve("idx"));
        writeImages("train-images-idx3-ubyte", 20);
        writeLabels("train-labels-idx1-ubyte", 20);
        writeImages("t10k-images-idx3-ubyte", 10);
        writeLabels("t10k-labels-idx1-ubyte", 10);
    }

    private static byte[] images(int n, int payloadBytes) {
        ByteBuffer b = ByteBuffer.allocate(16 + payloadBytes);
        b.putInt(0x00000803).putInt(n).putInt(ROWS).putInt(COLS);
        for (int i = 0; i < payloadBytes; i++) {
            b.put((byte) (i * 7));
        }
        return b.array();
    }

    private static byte[] labels(int n, int payloadBytes) {
        ByteBuffer b = ByteBuffer.allocate(8 + payloadBytes);
        b.putInt(0x00000801).putInt(n);
        for (int i = 0; i < payloadBytes; i++) {
            b.put((byte) (i % 10));
        }
        return b.array();
    }

    private Path writeImages(String name, int n) throws IOException {
        return Files.write(data.resolve(name), images(n, n * ROWS * COLS));
    }

    private Path writeLabels(String name, int n) throws IOException {
        return Files.write(data.resolve(name), labels(n, n));
    }

    private CliRun train() throws IOException {
        Path config = Files.writeString(dir.resolve("mnist.yaml"), """
                optimizer: {type: sgd, lr: 0.1}
                device: cpu
                data:
                  dataset: mnist
                  path: %s
                  batch_size: 8
                  eval_batch_size: 8
                train: {epochs: 1}
                """.formatted(data));
        return CliRun.of("train", "--config", config.toString(), "--run-dir", dir.resolve("run").toString());
    }

    private String refused(String... fragments) throws IOException {
        String line = oneLine(train(), fragments);
        assertFalse(Files.exists(dir.resolve("run")), "no run directory is created");
        return line;
    }

    @Test
    void zeroTrainingImagesInTheHeaderIsRefused() throws IOException {
        Path f = writeImages("train-images-idx3-ubyte", 0);
        writeLabels("train-labels-idx1-ubyte", 0);
        refused(f + " holds 0 images (the count in its IDX header is 0); the training set needs at least one");
    }

    @Test
    void zeroTestImagesIsRefusedInsteadOfATestAccuracyOfNaN() throws IOException {
        Path f = writeImages("t10k-images-idx3-ubyte", 0);
        writeLabels("t10k-labels-idx1-ubyte", 0);
        String line = refused(f + " holds 0 images", "the test set needs at least one");
        assertFalse(line.contains("NaN"), line);
    }

    @Test
    void gzipCompressedEmptyTestSetIsRefusedToo() throws IOException {
        Files.delete(data.resolve("t10k-images-idx3-ubyte"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(images(0, 0));
        }
        Path gz = Files.write(data.resolve("t10k-images-idx3-ubyte.gz"), out.toByteArray());
        writeLabels("t10k-labels-idx1-ubyte", 0);
        refused(gz + " holds 0 images");
    }

    @Test
    void imageAndLabelCountsThatDifferNameBothFiles() throws IOException {
        Path labels = writeLabels("t10k-labels-idx1-ubyte", 9);
        refused(data.resolve("t10k-images-idx3-ubyte") + " holds 10 images but " + labels + " holds 9 labels");
    }

    @Test
    void truncatedImageFileSaysHowMuchIsMissing() throws IOException {
        Path f = data.resolve("train-images-idx3-ubyte");
        Files.write(f, Arrays.copyOf(Files.readAllBytes(f), 100));
        refused(f + " holds 84 bytes of pixels, the header promises 320", "the file is truncated");
    }

    @Test
    void headerPromisingMoreThanTheFileHoldsIsRefusedWithoutAllocatingIt() throws IOException {
        Path f = Files.write(data.resolve("train-images-idx3-ubyte"), images(2_000_000, 1000));
        refused(f + " holds 1000 bytes of pixels, the header promises 32000000", "truncated");
    }

    @Test
    void labelCountBeyondTheFileIsRefused() throws IOException {
        Path f = Files.write(data.resolve("train-labels-idx1-ubyte"), labels(2_000_000_000, 20));
        refused(f + " holds 20 labels, the header promises 2000000000; the file is truncated");
    }

    @Test
    void truncatedHeaderIsNamed() throws IOException {
        Path f = Files.write(data.resolve("t10k-labels-idx1-ubyte"), Arrays.copyOf(labels(10, 10), 6));
        refused(f + " is truncated inside its IDX label header");
    }

    @Test
    void labelFileWhereImagesBelongIsNamedByItsMagic() throws IOException {
        Path f = Files.write(data.resolve("train-images-idx3-ubyte"), labels(20, 20));
        refused(f + " is not an IDX image file (magic 0x00000801, an IDX label file; expected 0x00000803)");
    }

    @Test
    void emptyFileIsNotAnIdxFile() throws IOException {
        Path f = Files.write(data.resolve("t10k-images-idx3-ubyte"), new byte[0]);
        refused(f + " is empty, not an IDX image file");
    }

    @Test
    void syntheticWithoutTrainingSamplesIsRefusedAtTheKey() throws IOException {
        Path c = Files.writeString(dir.resolve("s.yaml"), """
                optimizer: {type: sgd, lr: 0.1}
                data:
                  dataset: synthetic
                  train_samples: 0
                """);
        oneLine(CliRun.of("train", "--config", c.toString(), "--run-dir", dir.resolve("run").toString()),
                c + ":4: data.train_samples must be > 0, got 0");
    }

    @Test
    void syntheticWithoutTestSamplesIsRefusedAtTheOverride() throws IOException {
        Path c = Files.writeString(dir.resolve("s.yaml"), "optimizer: {type: sgd, lr: 0.1}\ndata: {dataset: synthetic}\n");
        oneLine(CliRun.of("train", "--config", c.toString(), "--run-dir", dir.resolve("run").toString(), "--set",
                "data.test_samples=0"), "--set data.test_samples=0: data.test_samples must be > 0, got 0");
        assertFalse(Files.exists(dir.resolve("run")));
    }
}
