package dev.anneal.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.anneal.backend.ConvGeometry;
import dev.anneal.backend.ConvOps;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuConv} against convolution written straight from its definition (in double, channels last): the
 * forward pass and both gradients composed from im2col, the backend's GEMM and col2im, at awkward shapes (odd
 * channels, padding, strides 2 and 3, batch 1, non-square images and kernels, kernels 1 and 5), with the
 * tensors at offsets inside larger buffers.
 */
class CpuConvTest {
    /** {n, inC, inH, inW, outC, kH, kW, strideH, strideW, padH, padW}. */
    static final int[][] SHAPES = {
        {1, 1, 5, 5, 1, 3, 3, 1, 1, 0, 0},
        {2, 3, 7, 5, 4, 3, 3, 1, 1, 1, 1},
        {3, 5, 9, 8, 6, 5, 5, 2, 2, 2, 2},
        {2, 7, 6, 9, 3, 1, 1, 1, 1, 0, 0},
        {1, 3, 8, 7, 2, 3, 2, 2, 1, 1, 0},
        {4, 2, 5, 6, 3, 4, 4, 3, 2, 1, 2},
        {1, 2, 4, 4, 3, 3, 3, 1, 1, 3, 3},
        {8, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1},
    };
    private static final int PAD = 5;

    private final CpuBackend cpu = new CpuBackend();
    private final ConvOps conv = cpu.conv();
    private final Random random = new Random(12);

    static ConvGeometry geometry(int[] s) {
        return new ConvGeometry(s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10]);
    }

    /** A buffer of {@code PAD + values + PAD} floats; the values start at {@code PAD}. */
    private FloatArray buffer(float[] values) {
        FloatArray b = cpu.allocate(values.length + 2L * PAD);
        cpu.upload(TestData.uniform(random, values.length + 2 * PAD, 9f), 0, b, 0, values.length + 2 * PAD);
        cpu.upload(values, 0, b, PAD, values.length);
        return b;
    }

    private float[] read(FloatArray b, int n) {
        float[] out = new float[n];
        cpu.download(b, PAD, out, 0, n);
        return out;
    }

    /** x[i, y, x, c] channels last, or 0 in the padding. */
    private static double at(float[] x, ConvGeometry g, int i, int y, int xx, int c) {
        if (y < 0 || y >= g.inH() || xx < 0 || xx >= g.inW()) {
            return 0;
        }
        return x[((i * g.inH() + y) * g.inW() + xx) * g.inC() + c];
    }

    /** {@code y[i, oy, ox, o] = b[o] + sum w[o, c, ky, kx] x[i, oy s - p + ky, ox s - p + kx, c]}. */
    static float[] directForward(ConvGeometry g, int n, float[] x, float[] w, float[] b) {
        float[] y = new float[(int) (n * g.outSize())];
        int q = 0;
        for (int i = 0; i < n; i++) {
            for (int oy = 0; oy < g.outH(); oy++) {
                for (int ox = 0; ox < g.outW(); ox++) {
                    for (int o = 0; o < g.outC(); o++) {
                        double s = b[o];
                        for (int c = 0; c < g.inC(); c++) {
                            for (int ky = 0; ky < g.kH(); ky++) {
                                for (int kx = 0; kx < g.kW(); kx++) {
                                    s += w[((o * g.inC() + c) * g.kH() + ky) * g.kW() + kx]
                                            * at(x, g, i, oy * g.strideH() - g.padH() + ky,
                                            ox * g.strideW() - g.padW() + kx, c);
                                }
                            }
                        }
                        y[q++] = (float) s;
                    }
                }
            }
        }
        return y;
    }

    /** dW[o, c, ky, kx] = sum over i, oy, ox of dy[i, oy, ox, o] x[...]; dx the transposed sums. */
    static float[][] directBackward(ConvGeometry g, int n, float[] x, float[] w, float[] dy) {
        double[] dw = new double[g.outC() * g.patch()];
        double[] dx = new double[(int) (n * g.inSize())];
        for (int i = 0; i < n; i++) {
            for (int oy = 0; oy < g.outH(); oy++) {
                for (int ox = 0; ox < g.outW(); ox++) {
                    for (int o = 0; o < g.outC(); o++) {
                        double d = dy[((i * g.outH() + oy) * g.outW() + ox) * g.outC() + o];
                        for (int c = 0; c < g.inC(); c++) {
                            for (int ky = 0; ky < g.kH(); ky++) {
                                for (int kx = 0; kx < g.kW(); kx++) {
                                    int iy = oy * g.strideH() - g.padH() + ky;
                                    int ix = ox * g.strideW() - g.padW() + kx;
                                    int k = ((o * g.inC() + c) * g.kH() + ky) * g.kW() + kx;
                                    dw[k] += d * at(x, g, i, iy, ix, c);
                                    if (iy >= 0 && iy < g.inH() && ix >= 0 && ix < g.inW()) {
                                        dx[((i * g.inH() + iy) * g.inW() + ix) * g.inC() + c] += d * w[k];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return new float[][] {toFloat(dw), toFloat(dx)};
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Test
    void im2colHoldsEveryPatchInChannelKernelOrderWithZerosInThePadding() {
        for (int[] s : SHAPES) {
            ConvGeometry g = geometry(s);
            int n = s[0];
            float[] x = TestData.uniform(random, (int) (n * g.inSize()), 1f);
            int rows = n * g.outH() * g.outW();
            FloatArray xb = buffer(x);
            FloatArray cb = buffer(new float[rows * g.patch()]);
            float[] before = CpuBackend.f(cb).clone();
            conv.im2col(g, n, xb, PAD, cb, PAD);
            float[] col = CpuBackend.f(cb);
            for (int r = 0; r < rows; r++) {
                int i = r / (g.outH() * g.outW());
                int oy = r / g.outW() % g.outH();
                int ox = r % g.outW();
                for (int c = 0; c < g.inC(); c++) {
                    for (int ky = 0; ky < g.kH(); ky++) {
                        for (int kx = 0; kx < g.kW(); kx++) {
                            int k = (c * g.kH() + ky) * g.kW() + kx;
                            double expected = at(x, g, i, oy * g.strideH() - g.padH() + ky,
                                    ox * g.strideW() - g.padW() + kx, c);
                            if (expected != col[PAD + r * g.patch() + k]) {
                                fail(g + " row " + r + " column " + k + ": expected " + expected + ", got "
                                        + col[PAD + r * g.patch() + k]);
                            }
                        }
                    }
                }
            }
            untouchedOutside("im2col " + g, before, col, rows * g.patch());
        }
    }

    private static void untouchedOutside(String what, float[] before, float[] after, int n) {
        for (int i = 0; i < PAD; i++) {
            assertEquals(before[i], after[i], what + " wrote before its range");
            assertEquals(before[PAD + n + i], after[PAD + n + i], what + " wrote past its range");
        }
    }

    @Test
    void convolutionByIm2colAndGemmMatchesTheDirectSumsForwardAndBackward() {
        for (int[] s : SHAPES) {
            ConvGeometry g = geometry(s);
            int n = s[0];
            int rows = n * g.outH() * g.outW();
            float[] x = TestData.uniform(random, (int) (n * g.inSize()), 1f);
            float[] w = TestData.uniform(random, g.outC() * g.patch(), 0.5f);
            float[] b = TestData.uniform(random, g.outC(), 0.5f);
            float[] dy = TestData.uniform(random, rows * g.outC(), 1f);
            FloatArray xb = buffer(x);
            FloatArray wb = buffer(w);
            FloatArray bb = buffer(b);
            FloatArray colb = buffer(new float[rows * g.patch()]);
            FloatArray yb = buffer(new float[rows * g.outC()]);
            Mat col = new Mat(colb, PAD, rows, g.patch());
            Mat wm = new Mat(wb, PAD, g.outC(), g.patch());
            Mat y = new Mat(yb, PAD, rows, g.outC());
            conv.im2col(g, n, xb, PAD, colb, PAD);
            cpu.gemm(false, true, 1f, col, wm, 0f, y);
            cpu.biasActivation(y, new Mat(bb, PAD, 1, g.outC()), dev.anneal.backend.Activation.IDENTITY, y);
            String what = "conv " + g + " n " + n;
            FloatParity.assertClose(what + " forward", directForward(g, n, x, w, b), 0, CpuBackend.f(yb), PAD,
                    rows * g.outC(), g.outC(), 1e-5, 1e-5);

            float[][] ref = directBackward(g, n, x, w, dy);
            FloatArray dyb = buffer(dy);
            FloatArray dwb = buffer(new float[g.outC() * g.patch()]);
            FloatArray dcolb = buffer(new float[rows * g.patch()]);
            FloatArray dxb = buffer(new float[(int) (n * g.inSize())]);
            Mat dym = new Mat(dyb, PAD, rows, g.outC());
            cpu.gemm(true, false, 1f, dym, col, 0f, new Mat(dwb, PAD, g.outC(), g.patch()));
            cpu.gemm(false, false, 1f, dym, wm, 0f, new Mat(dcolb, PAD, rows, g.patch()));
            float[] before = CpuBackend.f(dxb).clone();
            conv.col2im(g, n, dcolb, PAD, dxb, PAD);
            FloatParity.assertClose(what + " weight grad", ref[0], 0, CpuBackend.f(dwb), PAD, ref[0].length,
                    g.patch(), 1e-4, 1e-4);
            FloatParity.assertClose(what + " input grad", ref[1], 0, CpuBackend.f(dxb), PAD, ref[1].length,
                    g.inC(), 1e-5, 1e-5);
            untouchedOutside(what + " col2im", before, CpuBackend.f(dxb), ref[1].length);
        }
    }

    @Test
    void col2imIsTheAdjointOfIm2col() {
        for (int[] s : SHAPES) {
            ConvGeometry g = geometry(s);
            int n = s[0];
            int rows = n * g.outH() * g.outW();
            float[] x = TestData.uniform(random, (int) (n * g.inSize()), 1f);
            float[] c = TestData.uniform(random, rows * g.patch(), 1f);
            FloatArray cb = buffer(new float[c.length]);
            FloatArray xb = buffer(x);
            conv.im2col(g, n, xb, PAD, cb, PAD);
            double left = 0;
            double scale = 0;
            float[] ix = read(cb, c.length);
            for (int i = 0; i < c.length; i++) {
                left += (double) ix[i] * c[i];
                scale += Math.abs((double) ix[i] * c[i]);
            }
            FloatArray cb2 = buffer(c);
            FloatArray dxb = buffer(new float[x.length]);
            conv.col2im(g, n, cb2, PAD, dxb, PAD);
            float[] dx = read(dxb, x.length);
            double right = 0;
            for (int i = 0; i < x.length; i++) {
                right += (double) x[i] * dx[i];
            }
            assertEquals(left, right, 1e-6 * scale, "<im2col(x), c> vs <x, col2im(c)> for " + g);
        }
    }

    @Test
    void col2imSumsEachInputInAscendingKernelOrderInFloat() {
        // strides 1 (the division-free tap test), 2 and mixed, with and without padding
        for (int shape : new int[] {1, 2, 4, 6}) {
            int[] s = SHAPES[shape];
            ConvGeometry g = geometry(s);
            int n = s[0];
            int rows = n * g.outH() * g.outW();
            float[] c = TestData.uniform(random, rows * g.patch(), 1f);
            float[] expected = new float[(int) (n * g.inSize())];
            for (int i = 0; i < n; i++) {
                for (int y = 0; y < g.inH(); y++) {
                    for (int xx = 0; xx < g.inW(); xx++) {
                        for (int ch = 0; ch < g.inC(); ch++) {
                            float acc = 0f;
                            for (int ky = 0; ky < g.kH(); ky++) {
                                for (int kx = 0; kx < g.kW(); kx++) {
                                    for (int oy = 0; oy < g.outH(); oy++) {
                                        for (int ox = 0; ox < g.outW(); ox++) {
                                            if (oy * g.strideH() - g.padH() + ky == y
                                                    && ox * g.strideW() - g.padW() + kx == xx) {
                                                acc += c[((i * g.outH() + oy) * g.outW() + ox) * g.patch()
                                                        + (ch * g.kH() + ky) * g.kW() + kx];
                                            }
                                        }
                                    }
                                }
                            }
                            expected[((i * g.inH() + y) * g.inW() + xx) * g.inC() + ch] = acc;
                        }
                    }
                }
            }
            FloatArray dxb = buffer(new float[expected.length]);
            conv.col2im(g, n, buffer(c), PAD, dxb, PAD);
            FloatParity.assertSameBits("col2im order " + g, expected, read(dxb, expected.length));
        }
    }

    @Test
    void layoutChangesAreTransposesAndInverseOfEachOther() {
        int[][] shapes = {{1, 1, 1, 1}, {2, 3, 5, 7}, {1, 1, 28, 28}, {3, 64, 7, 7}, {2, 33, 9, 5}, {5, 4, 1, 1},
            {40, 37, 35, 3}};
        for (int[] s : shapes) {
            int n = s[0];
            int c = s[1];
            int h = s[2];
            int w = s[3];
            float[] x = TestData.uniform(random, n * c * h * w, 1f);
            FloatArray xb = buffer(x);
            FloatArray lastb = buffer(new float[x.length]);
            FloatArray firstb = buffer(new float[x.length]);
            conv.toChannelsLast(n, c, h, w, xb, PAD, lastb, PAD);
            float[] last = read(lastb, x.length);
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int y = 0; y < h; y++) {
                        for (int xx = 0; xx < w; xx++) {
                            assertEquals(x[((i * c + ch) * h + y) * w + xx], last[((i * h + y) * w + xx) * c + ch]);
                        }
                    }
                }
            }
            float[] before = CpuBackend.f(firstb).clone();
            conv.toChannelsFirst(n, c, h, w, lastb, PAD, firstb, PAD);
            FloatParity.assertSameBits("toChannelsFirst(toChannelsLast(x)) " + n + "x" + c + "x" + h + "x" + w, x,
                    read(firstb, x.length));
            untouchedOutside("toChannelsFirst", before, CpuBackend.f(firstb), x.length);
        }
    }

    @Test
    void anySplitOfTheRowsGivesTheSameBits() {
        ConvGeometry g = geometry(SHAPES[2]);
        int n = SHAPES[2][0];
        int rows = n * g.outH() * g.outW();
        int pixels = n * g.inH() * g.inW();
        float[] x = TestData.uniform(random, (int) (n * g.inSize()), 1f);
        float[] c = TestData.uniform(random, rows * g.patch(), 1f);
        Col2imInterior interior = new Col2imInterior(g);
        float[] whole = new float[rows * g.patch()];
        float[] pieces = new float[rows * g.patch()];
        CpuConv.im2colRows(g, x, 0, whole, 0, 0, rows);
        for (int from = 0; from < rows; from += 7) {
            CpuConv.im2colRows(g, x, 0, pieces, 0, from, Math.min(rows, from + 7));
        }
        FloatParity.assertSameBits("im2col split", whole, pieces);
        float[] dxWhole = new float[x.length];
        float[] dxPieces = new float[x.length];
        CpuConv.col2imPixels(g, interior, c, 0, dxWhole, 0, 0, pixels);
        for (int from = 0; from < pixels; from += 5) {
            CpuConv.col2imPixels(g, interior, c, 0, dxPieces, 0, from, Math.min(pixels, from + 5));
        }
        FloatParity.assertSameBits("col2im split", dxWhole, dxPieces);
    }

    /**
     * Every fast path of {@link CpuConv} (one-channel stretches, rows shifted from their left neighbour, the
     * col2im interior and its channel blocks) against the first implementation's general loops
     * ({@link #referenceIm2col}, {@link #referenceCol2im}) bit for bit: channels 1, 3 and 32; padding 0, 1, 2;
     * strides 1, 2 and mixed; kernels 1x1, 3x3 and 5x3; batches 1 and 3; non-square images and the default
     * CNN's; inputs holding NaN with a payload, -0, infinities and subnormals (and col all -0, whose sums are
     * +0 since they start from 0); the rows and pixels split into pieces that start and end inside image rows.
     */
    @Test
    void fastPathsGiveTheBitsOfTheGeneralLoops() {
        int[][] kernels = {{1, 1}, {3, 3}, {5, 3}};
        int[][] strides = {{1, 1}, {2, 2}, {2, 1}};
        int[][] images = {{7, 5}, {5, 9}};
        List<int[]> shapes = new ArrayList<>();
        for (int inC : new int[] {1, 3, 32}) {
            for (int[] k : kernels) {
                for (int pad = 0; pad <= 2; pad++) {
                    for (int[] st : strides) {
                        int[] hw = images[shapes.size() % 2];
                        shapes.add(new int[] {1 + 2 * (shapes.size() % 2), inC, hw[0], hw[1], 1, k[0], k[1], st[0],
                            st[1], pad, pad});
                    }
                }
            }
        }
        shapes.add(new int[] {3, 1, 28, 28, 32, 3, 3, 1, 1, 1, 1});
        shapes.add(new int[] {3, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1});
        shapes.add(new int[] {2, 3, 6, 8, 1, 3, 3, 1, 1, 2, 0});
        for (int[] s : shapes) {
            ConvGeometry g = geometry(s);
            int n = s[0];
            int rows = n * g.outH() * g.outW();
            int pixels = n * g.inH() * g.inW();
            float[] x = withSpecialValues((int) (n * g.inSize()), 8);
            float[] c = withSpecialValues(rows * g.patch(), 64);
            if (shapes.indexOf(s) % 4 == 0) {
                Arrays.fill(c, -0f);
            }
            float[] col = new float[c.length];
            float[] dx = new float[x.length];
            referenceIm2col(g, x, col, rows);
            referenceCol2im(g, c, dx, pixels);
            FloatArray cb = buffer(new float[col.length]);
            conv.im2col(g, n, buffer(x), PAD, cb, PAD);
            FloatParity.assertSameBits("im2col " + g + " n " + n, col, read(cb, col.length));
            FloatArray dxb = buffer(new float[dx.length]);
            conv.col2im(g, n, buffer(c), PAD, dxb, PAD);
            assertSameValues("col2im " + g + " n " + n, dx, read(dxb, dx.length));
            Col2imInterior interior = new Col2imInterior(g);
            for (int piece : new int[] {1, 5, g.outW() + 1}) {
                float[] pieces = new float[col.length];
                for (int from = 0; from < rows; from += piece) {
                    CpuConv.im2colRows(g, x, 0, pieces, 0, from, Math.min(rows, from + piece));
                }
                FloatParity.assertSameBits("im2col " + g + " in pieces of " + piece, col, pieces);
                float[] dxPieces = new float[dx.length];
                for (int from = 0; from < pixels; from += piece) {
                    CpuConv.col2imPixels(g, interior, c, 0, dxPieces, 0, from, Math.min(pixels, from + piece));
                }
                assertSameValues("col2im " + g + " in pieces of " + piece, dx, dxPieces);
            }
        }
    }

    /**
     * Uniform values with one in {@code every} replaced by NaN with a payload, -0, +-infinity or a subnormal.
     */
    private float[] withSpecialValues(int n, int every) {
        float[] special = {Float.intBitsToFloat(0x7fc01234), Float.intBitsToFloat(0xffa00001), -0f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -3e-39f};
        float[] v = TestData.uniform(random, n, 2f);
        for (int i = 0; i < n; i++) {
            if (random.nextInt(every) == 0) {
                v[i] = special[random.nextInt(special.length)];
            }
        }
        return v;
    }

    /**
     * The same bits, except that any NaN matches any NaN: Java leaves the payload of a NaN that arithmetic
     * produces unspecified (HotSpot's compilers may swap the operands of an addition), so sums are compared as
     * values, with -0 and +0 told apart.
     */
    private static void assertSameValues(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(what + ": first difference at [" + i + "]: " + expected[i] + " vs " + actual[i]);
            }
        }
    }

    /** The first implementation's im2col: row by row, tap by tap, testing every tap against the image. */
    static void referenceIm2col(ConvGeometry g, float[] x, float[] col, int rows) {
        int kk = g.kH() * g.kW();
        for (int r = 0; r < rows; r++) {
            int i = r / (g.outH() * g.outW());
            int oy = r / g.outW() % g.outH();
            int ox = r % g.outW();
            int image = i * g.inH() * g.inW() * g.inC();
            for (int ky = 0; ky < g.kH(); ky++) {
                int iy = oy * g.strideH() - g.padH() + ky;
                for (int kx = 0; kx < g.kW(); kx++) {
                    int ix = ox * g.strideW() - g.padW() + kx;
                    int dst = r * g.patch() + ky * g.kW() + kx;
                    boolean inside = iy >= 0 && iy < g.inH() && ix >= 0 && ix < g.inW();
                    for (int c = 0; c < g.inC(); c++) {
                        col[dst + c * kk] = inside ? x[image + (iy * g.inW() + ix) * g.inC() + c] : 0f;
                    }
                }
            }
        }
    }

    /**
     * The first implementation's col2im: per input pixel, the taps that read it listed in ascending
     * {@code (ky, kx)} order, then one channel at a time summed over them in a float from 0.
     */
    static void referenceCol2im(ConvGeometry g, float[] col, float[] dx, int pixels) {
        int kk = g.kH() * g.kW();
        int[] src = new int[kk];
        for (int p = 0; p < pixels; p++) {
            int i = p / (g.inH() * g.inW());
            int y = p / g.inW() % g.inH();
            int xx = p % g.inW();
            int taps = 0;
            for (int ky = 0; ky < g.kH(); ky++) {
                int ty = y + g.padH() - ky;
                if (ty < 0 || ty % g.strideH() != 0 || ty / g.strideH() >= g.outH()) {
                    continue;
                }
                for (int kx = 0; kx < g.kW(); kx++) {
                    int tx = xx + g.padW() - kx;
                    if (tx < 0 || tx % g.strideW() != 0 || tx / g.strideW() >= g.outW()) {
                        continue;
                    }
                    int row = (i * g.outH() + ty / g.strideH()) * g.outW() + tx / g.strideW();
                    src[taps++] = row * g.patch() + ky * g.kW() + kx;
                }
            }
            for (int c = 0; c < g.inC(); c++) {
                float acc = 0f;
                for (int t = 0; t < taps; t++) {
                    acc += col[src[t] + c * kk];
                }
                dx[p * g.inC() + c] = acc;
            }
        }
    }

    @Test
    void badArgumentsFailWithTheirName() {
        ConvGeometry g = geometry(SHAPES[1]);
        int n = SHAPES[1][0];
        int colSize = n * g.outH() * g.outW() * g.patch();
        FloatArray x = cpu.allocate(n * g.inSize());
        FloatArray col = cpu.allocate(colSize);
        IndexOutOfBoundsException range = assertThrows(IndexOutOfBoundsException.class,
                () -> conv.im2col(g, n, x, 1, col, 0));
        assertTrue(range.getMessage().startsWith("im2col x range"), range.getMessage());
        FloatArray shared = cpu.allocate(colSize + n * g.inSize());
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
                () -> conv.col2im(g, n, shared, 0, shared, 3));
        assertTrue(overlap.getMessage().startsWith("col2im dx"), overlap.getMessage());
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> conv.toChannelsLast(1, 2, 3, 4, x, 0, x, 0));
        assertTrue(same.getMessage().contains("toChannelsLast y"), same.getMessage());
        assertThrows(IllegalArgumentException.class, () -> conv.toChannelsFirst(1, 0, 3, 4, x, 0, col, 0));
    }
}
