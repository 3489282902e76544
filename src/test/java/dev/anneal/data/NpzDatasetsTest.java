package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzDatasetsTest {
    @TempDir
    Path dir;

    static DataSpec spec(String dataset, Path path, String layout, Double split, String testPath, Integer classes) {
        return new DataSpec(dataset, path.toString(), null, null, true, null, null, null, classes, null, testPath,
                layout, null, null, split);
    }

    /** {@code n} 2x3 images, pixel {@code (i*7 + k*13) mod 256}, labels {@code i mod 3}. */
    static byte[] pixels(int n, int d) {
        byte[] px = new byte[n * d];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) ((i * 7 + (i / d) * 13) % 256);
        }
        return px;
    }

    static byte[] labelBytes(int n) {
        byte[] y = new byte[n];
        for (int i = 0; i < n; i++) {
            y[i] = (byte) (i % 3);
        }
        return y;
    }

    @Test
    void uint8ImagesInAnNpzMatchTheSameImagesAsIdxBitForBit() throws IOException {
        byte[] trainPx = pixels(12, 6);
        byte[] testPx = pixels(5, 6);
        Path idx = Files.createDirectories(dir.resolve("idx"));
        IdxFiles.write(idx.resolve("train-images-idx3-ubyte"), IdxFiles.imagesBytes(12, 2, 3, trainPx));
        IdxFiles.write(idx.resolve("train-labels-idx1-ubyte"), IdxFiles.labelsBytes(labelBytes(12)));
        IdxFiles.write(idx.resolve("t10k-images-idx3-ubyte"), IdxFiles.imagesBytes(5, 2, 3, testPx));
        IdxFiles.write(idx.resolve("t10k-labels-idx1-ubyte"), IdxFiles.labelsBytes(labelBytes(5)));
        Map<String, byte[]> arrays = new LinkedHashMap<>();
        arrays.put("x_train", NpyFiles.npy("|u1", "(12, 2, 3)", trainPx));
        arrays.put("y_train", NpyFiles.npy("|u1", "(12,)", labelBytes(12)));
        arrays.put("x_test", NpyFiles.npy("|u1", "(5, 2, 3)", testPx));
        arrays.put("y_test", NpyFiles.npy("|u1", "(5,)", labelBytes(5)));
        Path npz = NpyFiles.npz(dir.resolve("d.npz"), arrays, true);
        Datasets a = Datasets.images("mnist", idx, true);
        Datasets b = Datasets.load(spec("npz", npz, null, null, null, 10), 0);
        assertArrayEquals(a.train().features(), b.train().features());
        assertArrayEquals(a.test().features(), b.test().features());
        assertArrayEquals(a.train().labels(), b.train().labels());
        assertEquals(a.normalization(), b.normalization());
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), b.classNames());
        assertEquals(3, Datasets.load(spec("npz", npz, null, null, null, null), 0).train().classes());
    }

    @Test
    void nhwcImagesAreConvertedToNchwAndStoredEntriesRead() {
        // one sample 1x2 pixels, 3 channels: NHWC [p0c0 p0c1 p0c2 p1c0 p1c1 p1c2]
        float[] nhwc = {0, 10, 20, 1, 11, 21};
        Map<String, byte[]> arrays = new LinkedHashMap<>();
        arrays.put("x_train", NpyFiles.npy("<f4", "(2, 1, 2, 3)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN,
                0, 10, 20, 1, 11, 21, 0, 10, 20, 1, 11, 21)));
        arrays.put("y_train", NpyFiles.npy("<i8", "(2,)", NpyFiles.longs(0, 1)));
        arrays.put("x_test", NpyFiles.npy("<f4", "(1, 1, 2, 3)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, nhwc)));
        arrays.put("y_test", NpyFiles.npy("<i8", "(1, 1)", NpyFiles.longs(1)));
        Path npz = NpyFiles.npz(dir.resolve("c.npz"), arrays, false);
        DataSpec raw = new DataSpec("npz", npz.toString(), null, null, false, null, null, null, null, null, null,
                "nhwc", null, null, null);
        Datasets ds = Datasets.load(raw, 0);
        assertEquals(6, ds.train().d());
        assertArrayEquals(new float[] {0, 1, 10, 11, 20, 21}, ds.test().features());
        assertEquals(1, ds.test().label(0));
        String m = assertThrows(BadInput.class, () -> Datasets.load(spec("npz", npz, null, null, null, null), 0))
                .getMessage();
        assertTrue(m.contains("[x_train] has shape (2, 1, 2, 3); say which axis holds the channels: data.layout"), m);
    }

    private Path npyDir(String name, byte[] x, byte[] y) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.write(d.resolve("x_train.npy"), x);
        Files.write(d.resolve("y_train.npy"), y);
        return d;
    }

    private String refused(DataSpec spec) {
        String m = assertThrows(BadInput.class, () -> Datasets.load(spec, 0)).getMessage();
        assertEquals(1, m.lines().count(), m);
        return m;
    }

    @Test
    void labelsOutOfRangeNegativeOrNotIntegerAreRefusedWithFileAndIndex() throws IOException {
        byte[] x = NpyFiles.npy("<f8", "(3, 2)", NpyFiles.doubles(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6));
        Path neg = npyDir("neg", x, NpyFiles.npy("<i8", "(3,)", NpyFiles.longs(0, -1, 1)));
        String m = refused(spec("npy", neg, null, 0.5, null, null));
        assertTrue(m.startsWith(neg.resolve("y_train.npy") + ": label -1 at index 1 is out of range"), m);
        Path big = npyDir("big", x, NpyFiles.npy("<i8", "(3,)", NpyFiles.longs(0, 1, 5)));
        m = refused(spec("npy", big, null, 0.5, null, 3));
        assertTrue(m.contains("y_train.npy: label 5 at index 2 is out of range 0..2 (data.classes: 3)"), m);
        Path floats = npyDir("f", x, NpyFiles.npy("<f4", "(3,)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, 0, 1, 1)));
        assertTrue(refused(spec("npy", floats, null, 0.5, null, null)).contains("holds float32 labels"));
        Path count = npyDir("n", x, NpyFiles.npy("<i8", "(2,)", NpyFiles.longs(0, 1)));
        assertTrue(refused(spec("npy", count, null, 0.5, null, null)).contains("holds 2 labels but"));
    }

    @Test
    void aTestSetIsRequiredOnceAndTakenFromTestPathOrASplit() throws IOException {
        byte[] x = NpyFiles.npy("<f4", "(4, 1)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4));
        Path train = npyDir("t", x, NpyFiles.npy("<i8", "(4,)", NpyFiles.longs(0, 1, 0, 1)));
        assertTrue(refused(spec("npy", train, null, null, null, null)).contains("data.validation_split: 0.1"));
        Path test = Files.createDirectories(dir.resolve("test"));
        Files.write(test.resolve("x_test.npy"), NpyFiles.npy("<f4", "(1, 1)",
                NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, 9)));
        Files.write(test.resolve("y_test.npy"), NpyFiles.npy("<i8", "(1,)", NpyFiles.longs(1)));
        Datasets ds = Datasets.load(spec("npy", train, null, null, test.toString(), null), 0);
        assertEquals(4, ds.train().n());
        assertEquals(1, ds.test().n());
        // mean 2.5, sample std sqrt(5/3)
        assertEquals((float) ((9 - 2.5) / Math.sqrt(5.0 / 3)), ds.test().feature(0, 0));
        Datasets split = Datasets.load(spec("npy", train, null, 0.5, null, null), 3);
        assertEquals(2, split.train().n());
        assertArrayEquals(new int[] {1, 1}, split.validation().classCounts());
        assertNull(split.test());
        assertTrue(split.description().startsWith("npy: 2 train, 2 validation, 1 features"), split.description());
        // A test set and a split: the split is the validation set, the test set is kept; statistics from the rest.
        Datasets both = Datasets.load(spec("npy", train, null, 0.5, test.toString(), null), 3);
        assertEquals(2, both.train().n());
        assertEquals(2, both.validation().n());
        assertEquals(1, both.test().n());
        assertTrue(both.description().startsWith("npy: 2 train, 2 validation, 1 test, 1 features, 2 classes"),
                both.description());
        double mean = 0;
        for (int i = 0; i < 2; i++) {
            mean += split.train().feature(i, 0);
        }
        assertEquals(0, mean, 1e-6, "standardised with the statistics of the rows kept for training");
    }

    @Test
    void aDirectoryForNpzOrAFileForNpyIsOneLine() throws IOException {
        Path notZip = Files.writeString(dir.resolve("x.npz"), "hello");
        assertTrue(refused(spec("npz", notZip, null, null, null, null)).contains("is not an .npz file"));
        assertTrue(refused(spec("npy", notZip, null, null, null, null)).contains("set data.dataset: npz"));
        Path npz = NpyFiles.npz(dir.resolve("e.npz"), Map.of("a", NpyFiles.npy("<f4", "(1,)", new byte[4])), true);
        assertTrue(refused(spec("npz", npz, null, null, null, null)).contains("has no array x_train (it holds [a])"));
    }
}
