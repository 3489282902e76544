package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory-mapped features ({@link MappedFeatures}) against the in-memory path: the same statistics and the same
 * feature bits, for every dtype, with NHWC reordering, a validation-style row selection and tiny chunks (so that
 * many chunk boundaries are crossed). The reference is computed here, independently, with {@link NpyArray#at}
 * and {@link NpyArray#byteAt} on the whole file, as the in-memory reader always did.
 */
class MappedDatasetTest {
    @TempDir
    Path dir;

    private Path write(String name, String descr, String shape, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), NpyFiles.npy(descr, shape, data));
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** The reference: rows of the file in NCHW order, as the in-memory reader computes them. */
    private record Reference(byte[] pixels, float[] values, int n, int d) {
        static Reference of(Path file, boolean nhwc) {
            NpyArray a = Npy.read(file);
            long[] s = a.shape();
            int n = (int) s[0];
            int d = (int) (s.length == 1 ? 1 : a.rowSize());
            int[] map = ArrayDatasets.rowMap(s, nhwc);
            if (a.dtype().unsignedByte()) {
                byte[] px = new byte[n * d];
                for (int r = 0; r < n; r++) {
                    for (int j = 0; j < d; j++) {
                        px[r * d + j] = a.byteAt(r * d + map[j]);
                    }
                }
                return new Reference(px, null, n, d);
            }
            float[] v = new float[n * d];
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < d; j++) {
                    v[r * d + j] = (float) a.at(r * d + map[j]);
                }
            }
            return new Reference(null, v, n, d);
        }

        Reference select(int[] rows) {
            byte[] px = pixels == null ? null : new byte[rows.length * d];
            float[] v = values == null ? null : new float[rows.length * d];
            for (int k = 0; k < rows.length; k++) {
                if (px != null) {
                    System.arraycopy(pixels, rows[k] * d, px, k * d, d);
                } else {
                    System.arraycopy(values, rows[k] * d, v, k * d, d);
                }
            }
            return new Reference(px, v, rows.length, d);
        }

        Normalization statistics(boolean normalize) {
            if (pixels != null) {
                return normalize ? NormalizationStatistics.ofPixels(pixels, "ref") : Normalization.UNIT_PIXELS;
            }
            return normalize ? NormalizationStatistics.ofValues(values, "ref") : Normalization.NONE;
        }

        float[] features(Normalization norm) {
            float[] x = new float[n * d];
            float[] table = norm.byteTable();
            for (int k = 0; k < x.length; k++) {
                x[k] = pixels != null ? table[pixels[k] & 0xff] : norm.apply(values[k]);
            }
            return x;
        }
    }

    /** Every feature of {@code data}, read by {@link Batches#gatherRange} in odd-sized pieces. */
    private static float[] all(Dataset data) {
        float[] out = new float[data.n() * data.d()];
        float[] x = new float[7 * data.d()];
        int[] y = new int[7];
        for (int start = 0; start < data.n(); start += 7) {
            Span span = new Span(start, Math.min(data.n(), start + 7));
            int rows = Batches.gatherRange(data, span, x, y);
            System.arraycopy(x, 0, out, start * data.d(), rows * data.d());
            for (int r = 0; r < rows; r++) {
                assertEquals(data.label(start + r), y[r]);
            }
        }
        return out;
    }

    private static int[] labels(int n, int classes) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = (i * 7 + 3) % classes;
        }
        return y;
    }

    /**
     * Checks the mapped features of {@code file} (chunks of at most {@code chunk} bytes) against the reference and
     * against the in-memory path, whole and with a selection of rows, normalised or not.
     */
    private void checkAgainstReference(Path file, String layout, long chunk, int minChunks) {
        boolean nhwc = DataSpec.NHWC.equals(layout);
        Reference ref = Reference.of(file, nhwc);
        NpyRows rows = Npy.map(file, chunk);
        assertTrue(rows.chunkCount() >= minChunks, rows + " has " + rows.chunkCount() + " chunks");
        RawFeatures mapped = ArrayDatasets.features(rows, layout, true);
        RawFeatures heap = ArrayDatasets.features(NpyRows.of(Npy.read(file)), layout, false);
        assertTrue(mapped.isMapped());
        assertFalse(heap.isMapped());
        int[] picked = {ref.n() - 1, 0, 5, 3, 3 % ref.n(), ref.n() / 2, 1};
        for (boolean normalize : new boolean[] {true, false}) {
            for (boolean select : new boolean[] {false, true}) {
                Reference r = select ? ref.select(picked) : ref;
                RawFeatures m = select ? mapped.select(picked) : mapped;
                RawFeatures h = select ? heap.select(picked) : heap;
                Normalization norm = r.statistics(normalize);
                assertEquals(norm, m.statistics(normalize, "m"), file + " normalize " + normalize);
                assertEquals(norm, h.statistics(normalize, "h"));
                int[] y = labels(r.n(), 3);
                Dataset md = m.toDataset(y, 3, norm);
                Dataset hd = h.toDataset(y, 3, norm);
                assertTrue(md.mapped());
                assertFalse(hd.mapped());
                float[] expected = r.features(norm);
                assertArrayEquals(expected, hd.features(), file + " in memory");
                assertArrayEquals(expected, all(md), file + " mapped, normalize " + normalize + ", select " + select);
                assertArrayEquals(expected, md.head(md.n()).features());
                assertEquals(expected[expected.length - 1], md.feature(md.n() - 1, md.d() - 1));
                checkGathers(md, hd);
            }
        }
    }

    /** {@link Batches#gather} of mapped and in-memory sets agree for odd spans, offsets and a shuffled order. */
    private static void checkGathers(Dataset mapped, Dataset heap) {
        int n = mapped.n();
        int d = mapped.d();
        int[] order = EpochOrder.permutation(11, 2, n);
        int[][] spans = {{0, 1}, {0, n}, {n / 3, n / 3 + 1}, {1, Math.min(n, 6)}, {n - 1, n}, {2, n - 1}};
        for (int[] s : spans) {
            Span span = new Span(s[0], s[1]);
            int xOffset = 3 * d;
            float[] xm = new float[xOffset + n * d + 5];
            float[] xh = xm.clone();
            Arrays.fill(xm, -7f);
            Arrays.fill(xh, -7f);
            int[] ym = new int[n + 4];
            int[] yh = new int[n + 4];
            assertEquals(span.length(), Batches.gather(mapped, order, span, xm, ym, xOffset, 2));
            assertEquals(span.length(), Batches.gather(heap, order, span, xh, yh, xOffset, 2));
            assertArrayEquals(xh, xm, "gather " + span);
            assertArrayEquals(yh, ym);
        }
    }

    @Test
    void uint8NhwcImagesMapToTheInMemoryBitsAcrossManyChunks() throws IOException {
        int n = 41;
        Path f = write("x.npy", "|u1", "(41, 3, 2, 3)", randomBytes(n * 18, 1));
        checkAgainstReference(f, DataSpec.NHWC, 2 * 18 + 5, 21);
        checkAgainstReference(f, DataSpec.NHWC, 1, 41);
        checkAgainstReference(f, DataSpec.NCHW, NpyRows.MAX_CHUNK, 1);
    }

    @Test
    void float32AndFloat64ValuesMapToTheInMemoryBits() throws IOException {
        SplittableRandom rnd = new SplittableRandom(2);
        float[] f = new float[29 * 5 * 7];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (rnd.nextGaussian() * 3 + 1);
        }
        Path f32 = write("f32.npy", "<f4", "(29, 5, 7)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, f));
        checkAgainstReference(f32, null, 3 * 35, 10);
        checkAgainstReference(f32, null, 1, 29);
        Path f32be = write("f32be.npy", ">f4", "(29, 5, 7)", NpyFiles.floats(ByteOrder.BIG_ENDIAN, f));
        checkAgainstReference(f32be, null, 2 * 35, 15);
        double[] g = new double[23 * 2 * 3 * 2];
        for (int i = 0; i < g.length; i++) {
            g[i] = rnd.nextGaussian() * 1e-3 + 0.1 * (i % 5);
        }
        Path f64 = write("f64.npy", ">f8", "(23, 2, 3, 2)", NpyFiles.doubles(ByteOrder.BIG_ENDIAN, g));
        checkAgainstReference(f64, DataSpec.NHWC, 5 * 96, 5);
        checkAgainstReference(f64, DataSpec.NCHW, 1, 23);
    }

    @Test
    void integerValuesMapToTheInMemoryBits() throws IOException {
        long[] v = new long[17 * 3];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 2 == 0 ? 1L << 60 : 0) + rnd.nextLong(1L << 40) - (1L << 39);
        }
        Path i8 = write("i8.npy", "<i8", "(17, 3)", NpyFiles.longs(v));
        checkAgainstReference(i8, null, 2 * 24, 9);
        short[] s = new short[19];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) (i * 1000 - 9000);
        }
        Path i2 = write("i2.npy", ">i2", "(19,)", NpyFiles.shorts(ByteOrder.BIG_ENDIAN, s));
        checkAgainstReference(i2, null, 4, 10);
    }

    @Test
    void aValidationSplitOfMappedDataHoldsTheInMemoryBits() throws IOException {
        int n = 60;
        Path trainFile = write("xtr.npy", "|u1", "(60, 2, 2, 3)", randomBytes(n * 12, 4));
        Path testFile = write("xte.npy", "|u1", "(9, 2, 2, 3)", randomBytes(9 * 12, 5));
        int[] yTrain = labels(n, 4);
        int[] yTest = labels(9, 4);
        Datasets[] sets = new Datasets[2];
        for (int k = 0; k < 2; k++) {
            boolean map = k == 1;
            RawFeatures train = ArrayDatasets.features(map ? Npy.map(trainFile, 25) : NpyRows.of(Npy.read(trainFile)),
                    DataSpec.NHWC, map);
            RawFeatures test = ArrayDatasets.features(map ? Npy.map(testFile, 25) : NpyRows.of(Npy.read(testFile)),
                    DataSpec.NHWC, map);
            sets[k] = Datasets.assemble("npy", 0.25, true, 9, train, yTrain, test, yTest, 4, "xtr",
                    Datasets.numberedClasses(4));
        }
        Datasets heap = sets[0];
        Datasets mapped = sets[1];
        assertTrue(mapped.train().mapped() && mapped.validation().mapped() && mapped.test().mapped());
        assertEquals(heap.normalization(), mapped.normalization());
        assertEquals(heap.description() + ", features memory-mapped", mapped.description());
        for (String which : List.of("train", "validation", "test")) {
            Dataset h = which.equals("train") ? heap.train() : which.equals("test") ? heap.test() : heap.validation();
            Dataset m = which.equals("train") ? mapped.train() : which.equals("test") ? mapped.test()
                    : mapped.validation();
            assertArrayEquals(h.labels(), m.labels(), which);
            assertArrayEquals(h.features(), all(m), which);
            checkGathers(m, h);
        }
    }

    @Test
    void loadingWithMemoryMapTrueOrFalseGivesTheSameSets() throws IOException {
        Path npy = Files.createDirectories(dir.resolve("arrays"));
        SplittableRandom rnd = new SplittableRandom(6);
        float[] xtr = new float[50 * 6];
        float[] xte = new float[10 * 6];
        for (int i = 0; i < xtr.length; i++) {
            xtr[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < xte.length; i++) {
            xte[i] = (float) rnd.nextGaussian();
        }
        byte[] ytr = new byte[50];
        byte[] yte = new byte[10];
        for (int i = 0; i < ytr.length; i++) {
            ytr[i] = (byte) (i % 3);
        }
        for (int i = 0; i < yte.length; i++) {
            yte[i] = (byte) (i % 3);
        }
        Files.write(npy.resolve("x_train.npy"), NpyFiles.npy("<f4", "(50, 6)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN,
                xtr)));
        Files.write(npy.resolve("y_train.npy"), NpyFiles.npy("|u1", "(50,)", ytr));
        Files.write(npy.resolve("x_test.npy"), NpyFiles.npy("<f4", "(10, 6)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN,
                xte)));
        Files.write(npy.resolve("y_test.npy"), NpyFiles.npy("|u1", "(10,)", yte));
        java.util.Map<String, byte[]> arrays = new java.util.LinkedHashMap<>();
        for (String name : List.of("x_train", "y_train", "x_test", "y_test")) {
            arrays.put(name, Files.readAllBytes(npy.resolve(name + ".npy")));
        }
        Path npz = NpyFiles.npz(dir.resolve("stored.npz"), arrays, false);
        for (String dataset : List.of("npy", "npz")) {
            Path path = dataset.equals("npy") ? npy : npz;
            Datasets heap = Datasets.load(spec(dataset, path, "false", 0.2), 3);
            Datasets mapped = Datasets.load(spec(dataset, path, "true", 0.2), 3);
            Datasets auto = Datasets.load(spec(dataset, path, "auto", 0.2), 3);
            assertFalse(heap.train().mapped() || auto.train().mapped(), "small data is read into memory");
            assertTrue(mapped.train().mapped() && mapped.test().mapped() && mapped.validation().mapped());
            assertEquals(heap.normalization(), mapped.normalization());
            assertArrayEquals(heap.train().features(), all(mapped.train()), dataset);
            assertArrayEquals(heap.validation().features(), all(mapped.validation()), dataset);
            assertArrayEquals(heap.test().features(), all(mapped.test()), dataset);
            assertArrayEquals(auto.train().features(), heap.train().features());
        }
    }

    static DataSpec spec(String dataset, Path path, String memoryMap, Double split) {
        return new DataSpec(dataset, path.toString(), null, null, "true", null, null, null, null, null, null, null,
                null, null, split, null, null, memoryMap);
    }

    @Test
    void mappedFeaturesAreNeverOneArrayButHeadCopiesThem() throws IOException {
        Path f = write("x.npy", "|u1", "(5, 4)", randomBytes(20, 7));
        Dataset d = ArrayDatasets.features(Npy.map(f), null, true).toDataset(labels(5, 2), 2,
                Normalization.UNIT_PIXELS);
        IllegalStateException e = assertThrows(IllegalStateException.class, d::features);
        assertTrue(e.getMessage().contains("memory-mapped"), e.getMessage());
        Dataset head = d.head(3);
        assertFalse(head.mapped());
        assertEquals(3, head.n());
        byte[] raw = Files.readAllBytes(f);
        int data = raw.length - 20;
        for (int j = 0; j < 4; j++) {
            assertEquals((raw[data + 2 * 4 + j] & 0xff) / 255f, head.feature(2, j), 1e-7f);
        }
        assertTrue(d.toString().contains("memory-mapped"), d.toString());
        assertEquals(0, d.head(0).n());
    }

    @Test
    void rowsNeverStraddleChunksAndEachChunkIsWholeRows() throws IOException {
        int rowBytes = 3 * 4;
        float[] v = new float[100 * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        Path f = write("v.npy", "<f4", "(100, 3)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, v));
        for (long chunk : new long[] {1, rowBytes - 1, rowBytes, rowBytes + 1, 7 * rowBytes + 11, 1 << 20}) {
            NpyRows rows = Npy.map(f, chunk);
            long perChunk = Math.max(1, Math.min(100, chunk / rowBytes));
            assertEquals((100 + perChunk - 1) / perChunk, rows.chunkCount(), "chunk " + chunk);
            float[] row = new float[3];
            for (int r = 0; r < 100; r++) {
                rows.floats(r, null, 3, row, 0);
                assertArrayEquals(new float[] {3 * r, 3 * r + 1, 3 * r + 2}, row);
                assertEquals(3 * r + 2, rows.at(r, 2));
            }
        }
    }
}
