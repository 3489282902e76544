package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code data.normalize: per_channel}: each channel's statistics are the global statistics of that channel's values
 * (so one channel is {@code true} bit for bit), the vectorised and table paths give the scalar map's bits, every
 * source has the channels it should (IDX 1, arrays by shape, image folders 1 or 3, synthetic one per feature, csv
 * its columns as with {@code true}), memory-mapped features hold the in-memory bits, and a constant channel is
 * refused in one line naming the source and the channel.
 */
class PerChannelNormalizationTest {
    @TempDir
    Path dir;

    private static long bits(double v) {
        return Double.doubleToRawLongBits(v);
    }

    private static float[] gaussian(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int k = 0; k < n; k++) {
            x[k] = (float) (rnd.nextGaussian() * (1 + k % 5) + k % 3);
        }
        return x;
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** The values of channel {@code c} of rows of {@code d} in {@code channels} channels, in index order. */
    private static float[] channel(float[] x, int d, int channels, int c) {
        int size = d / channels;
        int rows = x.length / d;
        float[] out = new float[rows * size];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, r * d + c * size, out, r * size, size);
        }
        return out;
    }

    private static byte[] channel(byte[] x, int d, int channels, int c) {
        int size = d / channels;
        int rows = x.length / d;
        byte[] out = new byte[rows * size];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, r * d + c * size, out, r * size, size);
        }
        return out;
    }

    @Test
    void eachChannelHasTheGlobalStatisticsOfItsValuesAndOneChannelIsTheGlobalMap() {
        int d = 12;
        float[] x = gaussian(40 * d, 1);
        byte[] px = randomBytes(40 * d, 2);
        for (int channels : new int[] {1, 2, 3, 12}) {
            Normalization v = NormalizationStatistics.ofValues(x, d, channels, "x");
            Normalization p = NormalizationStatistics.ofPixels(px, d, channels, "px");
            assertTrue(v.perChannel() && p.perChannel());
            assertEquals(channels, v.channels());
            assertEquals(d / channels, v.channelSize());
            assertEquals(d, p.features());
            assertEquals(1.0 / 255.0, p.scale());
            for (int c = 0; c < channels; c++) {
                Normalization gv = NormalizationStatistics.ofValues(channel(x, d, channels, c), "x");
                Normalization gp = NormalizationStatistics.ofPixels(channel(px, d, channels, c), "px");
                assertEquals(bits(gv.mean()), bits(v.mean(c)));
                assertEquals(bits(gv.std()), bits(v.std(c)));
                assertEquals(bits(gp.mean()), bits(p.mean(c)));
                assertEquals(bits(gp.std()), bits(p.std(c)));
            }
        }
        Normalization one = NormalizationStatistics.ofValues(x, d, 1, "x");
        float[] a = x.clone();
        float[] b = x.clone();
        one.apply(a, 0, a.length, new double[50]);
        NormalizationStatistics.ofValues(x, "x").apply(b, 0, b.length, new double[50]);
        assertArrayEquals(b, a);
        assertThrows(IllegalStateException.class, one::mean, "a per-channel map has no single mean");
        assertThrows(IllegalStateException.class, one::byteTable);
    }

    @Test
    void theVectorisedAndTablePathsHaveTheBitsOfTheScalarMap() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int[] shape : new int[][] {{3, 5}, {7, 1}, {1, 13}, {4, 4}}) {
            int channels = shape[0];
            int size = shape[1];
            int d = channels * size;
            double[] mean = new double[channels];
            double[] std = new double[channels];
            for (int c = 0; c < channels; c++) {
                mean[c] = rnd.nextGaussian() * 3;
                std[c] = 0.1 + rnd.nextDouble() * 4;
            }
            for (double scale : new double[] {1.0, 1.0 / 255.0}) {
                Normalization n = Normalization.perChannel(scale, size, mean, std);
                float[] x = gaussian(9 * d + 2, channels * 31L + size);
                byte[] px = randomBytes(x.length, d);
                float[] expected = new float[x.length];
                float[] expectedPx = new float[x.length];
                for (int k = 0; k < x.length; k++) {
                    int c = (k % d) / size;
                    expected[k] = (float) ((x[k] * scale - mean[c]) / std[c]);
                    expectedPx[k] = (float) (((px[k] & 0xff) * scale - mean[c]) / std[c]);
                    assertEquals(Float.floatToRawIntBits(expected[k]), Float.floatToRawIntBits(n.apply(x[k], k)));
                }
                for (int scratch : new int[] {1, 3, d, 64, x.length}) {
                    for (int repeat = 0; repeat < 50; repeat++) { // long enough for the JIT's vectorised code
                        float[] actual = new float[x.length + 4];
                        System.arraycopy(x, 0, actual, 4, x.length);
                        n.apply(actual, 4, x.length, new double[scratch]);
                        assertArrayEquals(expected, java.util.Arrays.copyOfRange(actual, 4, actual.length),
                                n + " scratch " + scratch);
                        float[] fromBytes = new float[x.length + 2];
                        n.applyBytes(px, 0, fromBytes, 2, px.length, n.byteTables(), new double[scratch]);
                        assertArrayEquals(expectedPx, java.util.Arrays.copyOfRange(fromBytes, 2, fromBytes.length));
                        float[] throughDoubles = new float[x.length];
                        n.applyBytes(px, 0, throughDoubles, 0, px.length, null, new double[scratch]);
                        assertArrayEquals(expectedPx, throughDoubles);
                    }
                }
            }
        }
    }

    @Test
    void aConstantChannelIsRefusedNamingTheSourceAndTheChannel() {
        float[] x = gaussian(10 * 6, 4);
        for (int r = 0; r < 10; r++) {
            x[r * 6 + 2] = 0.5f;
            x[r * 6 + 3] = 0.5f;
        }
        BadInput e = assertThrows(BadInput.class, () -> NormalizationStatistics.ofValues(x, 6, 3, "data/x_train.npy"));
        assertEquals("data/x_train.npy: every training value of channel 1 of 3 is 0.5, so its standard deviation is "
                + "0 and it cannot be normalised per channel; check the data, or set data.normalize: true (one mean "
                + "and standard deviation for all features) or false", e.getMessage());
        BadInput f = assertThrows(BadInput.class, () -> NormalizationStatistics.ofValues(x, 6, 6, "v"));
        assertTrue(f.getMessage().startsWith("v: every training value of channel 2 of 6 (feature 2 of each sample) "
                + "is 0.5,"), f.getMessage());
        byte[] px = randomBytes(8 * 4, 5);
        for (int r = 0; r < 8; r++) {
            px[r * 4] = (byte) 255;
            px[r * 4 + 1] = (byte) 255;
        }
        BadInput g = assertThrows(BadInput.class, () -> NormalizationStatistics.ofPixels(px, 4, 2, "p"));
        assertTrue(g.getMessage().startsWith("p: every training value of channel 0 of 2 is 255,"), g.getMessage());
        BadInput one = assertThrows(BadInput.class, () -> NormalizationStatistics.ofValues(new float[3], 3, 3, "s"));
        assertEquals("s: cannot normalise 1 value(s) per channel; set data.normalize: false", one.getMessage());
    }

    private static DataSpec spec(String dataset, Path path, String normalize) {
        return new DataSpec(dataset, path.toString(), null, null, normalize, null, null, null, null, null, null, null,
                null, null, null, null, null, null);
    }

    @Test
    void idxImagesHaveOneChannelSoPerChannelIsTrueBitForBit() {
        IdxFiles.mnistDir(dir, 30, 7, 3, 4, false);
        Datasets global = Datasets.load(spec("mnist", dir, "true"), 0);
        Datasets perChannel = Datasets.load(spec("mnist", dir, "per_channel"), 0);
        Normalization n = perChannel.normalization();
        assertTrue(n.perChannel());
        assertEquals(1, n.channels());
        assertEquals(12, n.channelSize());
        assertEquals(bits(global.normalization().mean()), bits(n.mean(0)));
        assertEquals(bits(global.normalization().std()), bits(n.std(0)));
        assertArrayEquals(global.train().features(), perChannel.train().features());
        assertArrayEquals(global.test().features(), perChannel.test().features());
    }

    @Test
    void syntheticDataIsStandardisedFeatureByFeature() {
        DataSpec s = new DataSpec("synthetic", null, null, null, "per_channel", 50, 10, 3, 2, 0.5, null, null, null,
                null, null, null, null, null);
        Datasets ds = Datasets.load(s, 7);
        Synthetic raw = Synthetic.of(s, 7);
        Dataset train = raw.train(50);
        Normalization n = ds.normalization();
        assertEquals(3, n.channels());
        assertEquals(1, n.channelSize());
        for (int j = 0; j < 3; j++) {
            Normalization column = NormalizationStatistics.ofValues(channel(train.features(), 3, 3, j), "c");
            assertEquals(bits(column.mean()), bits(n.mean(j)));
            assertEquals(bits(column.std()), bits(n.std(j)));
            for (int i = 0; i < 50; i++) {
                assertEquals(column.apply(train.features()[i * 3 + j]), ds.train().feature(i, j));
            }
        }
    }

    @Test
    void rgbImageFoldersHaveThreeChannelsAndGrayscaleOne() {
        Path root = dir.resolve("images");
        SplittableRandom rnd = new SplittableRandom(8);
        for (String cls : new String[] {"a", "b"}) {
            for (int i = 0; i < 5; i++) {
                ImageFolderImages.rgb(root.resolve(cls).resolve(i + ".png"), 6 + i, 5, rnd.nextInt(256));
            }
        }
        for (String color : new String[] {"rgb", "grayscale"}) {
            DataSpec s = new DataSpec("image_folder", root.toString(), null, null, "per_channel", null, null, null,
                    null, null, null, null, null, null, 0.2, List.of(4, 3), color, null);
            DataSpec g = new DataSpec("image_folder", root.toString(), null, null, "true", null, null, null, null,
                    null, null, null, null, null, 0.2, List.of(4, 3), color, null);
            Datasets ds = Datasets.load(s, 1);
            Datasets global = Datasets.load(g, 1);
            Normalization n = ds.normalization();
            int channels = color.equals("rgb") ? 3 : 1;
            assertEquals(channels, n.channels());
            assertEquals(12, n.channelSize());
            assertEquals(channels * 12, ds.train().d());
            // The statistics of each plane of the raw images kept for training (the global map is the identity
            // with respect to them: undo it exactly by reading the raw floats through NONE).
            ImageFolderData raw = ImageFolderReader.read(root, 4, 3, color, null);
            Splits split = Splits.stratified(raw.labels(), 2, 0.2, 1, root.toString());
            RawFeatures kept = new RawFeatures(null, raw.pixels(), raw.n(), channels * 12, channels)
                    .select(split.kept());
            for (int c = 0; c < channels; c++) {
                Normalization plane = NormalizationStatistics.ofValues(channel(kept.values(), channels * 12, channels, c), "p");
                assertEquals(bits(plane.mean()), bits(n.mean(c)), color + " channel " + c);
                assertEquals(bits(plane.std()), bits(n.std(c)), color + " channel " + c);
            }
            if (channels == 1) {
                assertArrayEquals(global.train().features(), ds.train().features());
            } else {
                assertFalse(java.util.Arrays.equals(global.train().features(), ds.train().features()));
                assertTrue(n.mean(0) != n.mean(2), "the planes differ: " + n);
            }
        }
    }

    @Test
    void csvColumnsAreStandardisedAsWithTrue() throws IOException {
        Path train = Files.writeString(dir.resolve("t.csv"), "a,b,species\n1,10,x\n2,30,y\n4,20,x\n8,0,y\n");
        Path test = Files.writeString(dir.resolve("s.csv"), "a,b,species\n3,3,x\n");
        Datasets[] sets = new Datasets[2];
        String[] modes = {"true", "per_channel"};
        for (int k = 0; k < 2; k++) {
            sets[k] = Datasets.load(new DataSpec("csv", train.toString(), null, null, modes[k], null, null, null, null,
                    null, test.toString(), null, "species", null, null, null, null, null), 0);
        }
        assertArrayEquals(sets[0].train().features(), sets[1].train().features());
        assertArrayEquals(sets[0].test().features(), sets[1].test().features());
        assertEquals(Normalization.NONE, sets[1].normalization());
    }

    private Path npyDir(String name, String descr, String shape, byte[] x, byte[] xTest, String testShape, int n)
            throws IOException {
        Path out = Files.createDirectories(dir.resolve(name));
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
        }
        Files.write(out.resolve("x_train.npy"), NpyFiles.npy(descr, shape, x));
        Files.write(out.resolve("y_train.npy"), NpyFiles.npy("<i8", "(" + n + ",)", NpyFiles.longs(y)));
        Files.write(out.resolve("x_test.npy"), NpyFiles.npy(descr, testShape, xTest));
        Files.write(out.resolve("y_test.npy"), NpyFiles.npy("<i8", "(4,)", NpyFiles.longs(0, 1, 2, 0)));
        return out;
    }

    private static DataSpec arrays(Path path, String layout, String memoryMap, Double split) {
        return new DataSpec("npy", path.toString(), null, null, "per_channel", null, null, null, null, null, null,
                layout, null, null, split, null, null, memoryMap);
    }

    /** Every feature of {@code d}, gathered row by row in odd pieces. */
    private static float[] all(Dataset d) {
        float[] out = new float[d.n() * d.d()];
        int[] order = new int[d.n()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int from = 0; from < d.n(); from += 3) {
            int count = Math.min(3, d.n() - from);
            d.copyRows(order, from, count, out, from * d.d());
        }
        return out;
    }

    @Test
    void memoryMappedFeaturesWithAValidationSplitHoldTheInMemoryBits() throws IOException {
        int n = 30;
        List<Object[]> cases = List.of(
                new Object[] {"u8_nhwc", "|u1", "(30, 2, 3, 4)", randomBytes(n * 24, 9), randomBytes(4 * 24, 10),
                    "(4, 2, 3, 4)", "nhwc", 4},
                new Object[] {"u8_vectors", "|u1", "(30, 5)", randomBytes(n * 5, 11), randomBytes(4 * 5, 12), "(4, 5)",
                    null, 5},
                new Object[] {"f4_nhwc", "<f4", "(30, 2, 2, 3)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN,
                    gaussian(n * 12, 13)), NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, gaussian(4 * 12, 14)),
                    "(4, 2, 2, 3)", "nhwc", 3},
                new Object[] {"f8_nchw", "<f8", "(30, 3, 2, 2)", NpyFiles.doubles(ByteOrder.LITTLE_ENDIAN,
                    toDoubles(gaussian(n * 12, 15))), NpyFiles.doubles(ByteOrder.LITTLE_ENDIAN,
                    toDoubles(gaussian(4 * 12, 16))), "(4, 3, 2, 2)", "nchw", 3},
                new Object[] {"f4_vectors", ">f4", "(30, 7)", NpyFiles.floats(ByteOrder.BIG_ENDIAN,
                    gaussian(n * 7, 17)), NpyFiles.floats(ByteOrder.BIG_ENDIAN, gaussian(4 * 7, 18)), "(4, 7)",
                    null, 7});
        for (Object[] c : cases) {
            String name = (String) c[0];
            Path p = npyDir(name, (String) c[1], (String) c[2], (byte[]) c[3], (byte[]) c[4], (String) c[5], n);
            String layout = (String) c[6];
            Datasets heap = Datasets.load(arrays(p, layout, "false", 0.2), 5);
            Datasets mapped = Datasets.load(arrays(p, layout, "true", 0.2), 5);
            assertTrue(mapped.train().mapped() && !heap.train().mapped(), name);
            assertEquals(c[7], heap.normalization().channels(), name);
            assertEquals(heap.normalization(), mapped.normalization(), name);
            assertArrayEquals(heap.train().features(), all(mapped.train()), name);
            assertArrayEquals(heap.validation().features(), all(mapped.validation()), name);
            assertArrayEquals(heap.test().features(), all(mapped.test()), name);
            // ... and new inputs (anneal predict) map as the test set did.
            NpyArray input = Npy.read(p.resolve("x_test.npy"));
            assertArrayEquals(heap.test().features(), ArrayDatasets.inputs(input, layout, heap.normalization()),
                    name);
        }
    }

    private static double[] toDoubles(float[] x) {
        double[] out = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            out[k] = x[k];
        }
        return out;
    }

    @Test
    void fiveDimensionalArraysAreRefusedPerChannelButNotGlobally() throws IOException {
        Path p = npyDir("five", "<f4", "(30, 2, 2, 2, 2)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN,
                gaussian(30 * 16, 19)), NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, gaussian(4 * 16, 20)),
                "(4, 2, 2, 2, 2)", 30);
        BadInput e = assertThrows(BadInput.class, () -> Datasets.load(arrays(p, null, "false", null), 0));
        assertEquals(p.resolve("x_train.npy") + " has shape (30, 2, 2, 2, 2); data.normalize: per_channel needs "
                + "features [N], [N, D], [N, H, W] or [N, C, H, W] / [N, H, W, C] (with data.layout) to know the "
                + "channels: reshape them, or set data.normalize: true", e.getMessage());
        Datasets global = Datasets.load(new DataSpec("npy", p.toString(), null, null, "true", null, null, null, null,
                null, null, null, null, null, null, null, null, null), 0);
        assertEquals(16, global.train().d());
    }

    @Test
    void threeDimensionalAndOneDimensionalArraysHaveOneChannel() throws IOException {
        byte[] x = randomBytes(30 * 6, 21);
        Path p = npyDir("hw", "|u1", "(30, 2, 3)", x, randomBytes(4 * 6, 22), "(4, 2, 3)", 30);
        Normalization n = Datasets.load(arrays(p, null, "false", null), 0).normalization();
        assertEquals(1, n.channels());
        assertEquals(6, n.channelSize());
        Normalization g = NormalizationStatistics.ofPixels(x, "x");
        assertEquals(bits(g.mean()), bits(n.mean(0)));
        Path q = npyDir("n", "<f4", "(30,)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, gaussian(30, 23)),
                NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, gaussian(4, 24)), "(4,)", 30);
        Normalization m = Datasets.load(arrays(q, null, "true", null), 0).normalization();
        assertEquals(1, m.channels());
        assertEquals(1, m.channelSize());
    }
}
