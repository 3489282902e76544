package dev.anneal.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.PoolGeometry;
import dev.anneal.backend.PoolOps;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuPool} against pooling written from its definition over channels-last images, finite differences of
 * the backward passes, PyTorch's tie and NaN rules, and splits of the work.
 */
class CpuPoolTest {
    /** {n, c, inH, inW, kH, kW, strideH, strideW, padH, padW}. */
    static final int[][] SHAPES = {
        {1, 1, 4, 4, 2, 2, 2, 2, 0, 0},
        {2, 3, 7, 5, 2, 2, 2, 2, 0, 0},
        {3, 5, 9, 8, 3, 3, 2, 2, 1, 1},
        {2, 7, 6, 9, 3, 2, 1, 2, 1, 1},
        {1, 2, 11, 10, 5, 5, 3, 2, 2, 2},
        {2, 4, 5, 6, 1, 1, 1, 1, 0, 0},
        {16, 32, 28, 28, 2, 2, 2, 2, 0, 0},
    };

    private final CpuBackend cpu = new CpuBackend();
    private final PoolOps pool = cpu.pool();
    private final Random random = new Random(13);

    static PoolGeometry geometry(int[] s) {
        return new PoolGeometry(s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9]);
    }

    private FloatArray upload(float[] x) {
        FloatArray b = cpu.allocate(x.length);
        cpu.upload(x, 0, b, 0, x.length);
        return b;
    }

    private static int index(PoolGeometry g, int y, int x, int ch) {
        return (y * g.inW() + x) * g.c() + ch;
    }

    /** The window of output {@code (oy, ox)} as in-bounds image indices of channel {@code ch}, in (ky, kx) order. */
    private static int[] window(PoolGeometry g, int oy, int ox, int ch) {
        int[] idx = new int[g.kH() * g.kW()];
        int m = 0;
        for (int ky = 0; ky < g.kH(); ky++) {
            for (int kx = 0; kx < g.kW(); kx++) {
                int y = oy * g.strideH() - g.padH() + ky;
                int x = ox * g.strideW() - g.padW() + kx;
                if (y >= 0 && y < g.inH() && x >= 0 && x < g.inW()) {
                    idx[m++] = index(g, y, x, ch);
                }
            }
        }
        return java.util.Arrays.copyOf(idx, m);
    }

    /** Reference max pool: the first strict maximum, NaN taken as PyTorch takes it. */
    private static void referenceMax(PoolGeometry g, int n, float[] x, float[] y, int[] arg) {
        int j = 0;
        for (int i = 0; i < n; i++) {
            int base = (int) (i * g.inSize());
            for (int oy = 0; oy < g.outH(); oy++) {
                for (int ox = 0; ox < g.outW(); ox++) {
                    for (int ch = 0; ch < g.c(); ch++) {
                        int[] w = window(g, oy, ox, ch);
                        float best = Float.NEGATIVE_INFINITY;
                        int where = w[0];
                        for (int e : w) {
                            float v = x[base + e];
                            if (v > best || Float.isNaN(v)) {
                                best = v;
                                where = e;
                            }
                        }
                        y[j] = best;
                        arg[j++] = where;
                    }
                }
            }
        }
    }

    @Test
    void maxPoolMatchesTheDefinitionWithArgmaxInsideTheImage() {
        for (int[] s : SHAPES) {
            PoolGeometry g = geometry(s);
            int n = s[0];
            float[] x = TestData.uniform(random, (int) (n * g.inSize()), 4f);
            int outLen = (int) (n * g.outSize());
            float[] y = new float[outLen];
            int[] arg = new int[outLen];
            referenceMax(g, n, x, y, arg);
            FloatArray yb = cpu.allocate(outLen + 3);
            IntArray ab = cpu.allocateInts(outLen + 3);
            pool.maxPoolForward(g, n, upload(x), 0, yb, 3, ab, 3);
            float[] got = new float[outLen];
            cpu.download(yb, 3, got, 0, outLen);
            FloatParity.assertSameBits("maxPool " + g, y, got);
            assertArrayEquals(arg, java.util.Arrays.copyOfRange(((CpuInts) ab).array(), 3, 3 + outLen),
                    "argmax " + g);
        }
    }

    @Test
    void maxPoolTakesTheFirstOfTiedMaximaAndPropagatesNaN() {
        PoolGeometry g = new PoolGeometry(2, 2, 3, 2, 3, 1, 1, 0, 0);
        // channel 0: ties at 5 (positions 1 and 4, the window's second element wins); channel 1: NaN at 2 and 4.
        float[] x = {1, 0, 5, 7, 3, Float.NaN, 5, -1, -2, 9, 5, Float.NaN};
        FloatArray yb = cpu.allocate(2);
        IntArray ab = cpu.allocateInts(2);
        pool.maxPoolForward(g, 1, upload(x), 0, yb, 0, ab, 0);
        float[] y = CpuBackend.f(yb);
        int[] arg = ((CpuInts) ab).array();
        assertEquals(5f, y[0]);
        assertEquals(2, arg[0], "the first 5 in window order");
        assertTrue(Float.isNaN(y[1]), "NaN wins over 9");
        assertEquals(11, arg[1], "PyTorch's rule keeps the last NaN of the window");
        float[] allInf = new float[12];
        java.util.Arrays.fill(allInf, Float.NEGATIVE_INFINITY);
        pool.maxPoolForward(g, 1, upload(allInf), 0, yb, 0, ab, 0);
        assertEquals(Float.NEGATIVE_INFINITY, y[0]);
        assertEquals(0, arg[0], "an all -inf window points at its first element");
        assertEquals(1, arg[1]);
    }

    /**
     * The unrolled 2x2 windows (stride 2, and stride 1 with padding, where border windows take the general loop)
     * on values drawn from a few: ties of equal numbers, both zeros in either order, infinities and NaNs with
     * different payloads, so every first-maximum, zero-sign and last-NaN case occurs; bits against the
     * definition.
     */
    @Test
    void maxPool2x2KeepsTheDefinitionsBitsOnTiesZerosInfinitiesAndNaNs() {
        float[] values = {-0f, 0f, 1f, -1f, 2f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN,
            Float.intBitsToFloat(0x7fc01234), Float.intBitsToFloat(0xffc00007)};
        int[][] shapes = {{4, 8, 6, 6, 2, 2, 2, 2, 0, 0}, {3, 5, 5, 7, 2, 2, 1, 1, 1, 1},
            {2, 3, 7, 9, 2, 2, 2, 1, 1, 0}};
        for (int[] s : shapes) {
            PoolGeometry g = geometry(s);
            int n = s[0];
            float[] x = new float[(int) (n * g.inSize())];
            for (int i = 0; i < x.length; i++) {
                int k = random.nextInt(values.length + 4);
                x[i] = k < values.length ? values[k] : values[random.nextInt(5)];
            }
            int outLen = (int) (n * g.outSize());
            float[] y = new float[outLen];
            int[] arg = new int[outLen];
            referenceMax(g, n, x, y, arg);
            FloatArray yb = cpu.allocate(outLen);
            IntArray ab = cpu.allocateInts(outLen);
            pool.maxPoolForward(g, n, upload(x), 0, yb, 0, ab, 0);
            FloatParity.assertSameBits("maxPool " + g, y, CpuBackend.f(yb));
            assertArrayEquals(arg, ((CpuInts) ab).array(), "argmax " + g);
        }
    }

    /**
     * {@code maxPoolBiasForward} against its definition as two ops: the bias pass ({@code biasActivation} with the
     * identity, in place over {@code [n H W, c]}) then {@code maxPoolForward}, bit for bit with the same argmax, on
     * the shapes above (the unrolled 2x2 windows and the general loop, padding, stride 1) and on values drawn from
     * ties, both zeros, infinities and NaNs with payloads; the biases hold both zeros, an infinity, a NaN and
     * values that make ties out of distinct inputs by rounding. Where the bias is NaN only NaN is required: the
     * payload of NaN + NaN is the operand order's, which the JIT may swap. Its input is left as it was.
     */
    @Test
    void maxPoolWithBiasHasTheBitsOfTheBiasPassThenTheMaxPool() {
        float[] values = {-0f, 0f, 1f, -1f, 2f, 1e-8f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN,
            Float.intBitsToFloat(0x7fc01234), Float.intBitsToFloat(0xffc00007)};
        float[] biases = {-0f, 0f, 1f, 1e8f, -3.5f, Float.POSITIVE_INFINITY, Float.NaN, 0.1f};
        int[][] special = {{4, 8, 6, 6, 2, 2, 2, 2, 0, 0}, {3, 5, 5, 7, 2, 2, 1, 1, 1, 1},
            {2, 3, 7, 9, 2, 2, 2, 1, 1, 0}, {2, 9, 6, 6, 3, 3, 1, 1, 1, 1}};
        int[][][] sets = {SHAPES, special};
        for (int set = 0; set < 2; set++) {
            for (int[] s : sets[set]) {
                PoolGeometry g = geometry(s);
                int n = s[0];
                int c = g.c();
                float[] x = new float[(int) (n * g.inSize())];
                float[] b = new float[c + 2];
                for (int i = 0; i < x.length; i++) {
                    int k = random.nextInt(values.length + 4);
                    x[i] = set == 0 ? (float) random.nextGaussian()
                            : k < values.length ? values[k] : values[random.nextInt(6)];
                }
                for (int ch = 0; ch < b.length; ch++) {
                    b[ch] = set == 0 ? (float) random.nextGaussian() : biases[random.nextInt(biases.length)];
                }
                int outLen = (int) (n * g.outSize());
                int pixels = x.length / c;
                // the two ops: z + b in place, then the pool
                FloatArray z = upload(x);
                cpu.biasActivation(new dev.anneal.backend.Mat(z, 0, pixels, c),
                        new dev.anneal.backend.Mat(upload(b), 2, 1, c), dev.anneal.backend.Activation.IDENTITY,
                        new dev.anneal.backend.Mat(z, 0, pixels, c));
                FloatArray yTwo = cpu.allocate(outLen);
                IntArray aTwo = cpu.allocateInts(outLen);
                pool.maxPoolForward(g, n, z, 0, yTwo, 0, aTwo, 0);
                // the fused op, at offsets
                FloatArray xb = upload(x);
                FloatArray yb = cpu.allocate(outLen + 3);
                IntArray ab = cpu.allocateInts(outLen + 3);
                pool.maxPoolBiasForward(g, n, xb, 0, upload(b), 2, yb, 3, ab, 3);
                String what = "maxPoolBiasForward " + g + " x " + n;
                float[] expected = CpuBackend.f(yTwo);
                float[] actual = java.util.Arrays.copyOfRange(CpuBackend.f(yb), 3, 3 + outLen);
                for (int j = 0; j < outLen; j++) {
                    float bias = b[2 + j % c];
                    if (Float.isNaN(bias)) {
                        // NaN + NaN: which payload survives depends on the operand order the JIT picks for an
                        // addition (it may commute it), in either form; Java does not fix NaN payloads
                        assertTrue(Float.isNaN(expected[j]) && Float.isNaN(actual[j]), what + " [" + j + "]");
                        actual[j] = expected[j];
                    }
                }
                FloatParity.assertSameBits(what, expected, actual);
                assertArrayEquals(((CpuInts) aTwo).array(),
                        java.util.Arrays.copyOfRange(((CpuInts) ab).array(), 3, 3 + outLen), "argmax " + what);
                FloatParity.assertSameBits(what + " leaves x", x, CpuBackend.f(xb));
            }
        }
    }

    @Test
    void maxPoolWithBiasRefusesOverlapsAndShortRanges() {
        PoolGeometry g = geometry(SHAPES[1]);
        int n = SHAPES[1][0];
        int inLen = (int) (n * g.inSize());
        int outLen = (int) (n * g.outSize());
        FloatArray buf = cpu.allocate(inLen + outLen + g.c());
        IntArray arg = cpu.allocateInts(outLen);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pool.maxPoolBiasForward(g, n, buf, 0, buf, inLen + 1, buf, inLen, arg, 0));
        assertTrue(e.getMessage().startsWith("maxPoolBiasForward y"), e.getMessage());
        assertTrue(e.getMessage().contains("bias"), e.getMessage());
        IndexOutOfBoundsException range = assertThrows(IndexOutOfBoundsException.class,
                () -> pool.maxPoolBiasForward(g, n, buf, 0, buf, inLen + outLen + 1, buf, inLen, arg, 0));
        assertTrue(range.getMessage().startsWith("maxPoolBiasForward bias"), range.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> pool.maxPoolBiasForward(g, n, buf, 0, buf, inLen + outLen, buf, inLen - 1, arg, 0));
        assertTrue(e.getMessage().startsWith("maxPoolBiasForward y"), e.getMessage());
    }

    @Test
    void avgPoolMatchesTheFloatSumInWindowOrderThenOneDivision() {
        for (int[] s : SHAPES) {
            PoolGeometry g = geometry(s);
            int n = s[0];
            float[] x = TestData.uniform(random, (int) (n * g.inSize()), 4f);
            float[] y = new float[(int) (n * g.outSize())];
            int j = 0;
            for (int i = 0; i < n; i++) {
                int base = (int) (i * g.inSize());
                for (int oy = 0; oy < g.outH(); oy++) {
                    for (int ox = 0; ox < g.outW(); ox++) {
                        for (int ch = 0; ch < g.c(); ch++) {
                            float sum = 0f;
                            for (int e : window(g, oy, ox, ch)) {
                                sum += x[base + e];
                            }
                            y[j++] = sum / (g.kH() * g.kW());
                        }
                    }
                }
            }
            FloatArray yb = cpu.allocate(y.length);
            pool.avgPoolForward(g, n, upload(x), 0, yb, 0);
            FloatParity.assertSameBits("avgPool " + g, y, CpuBackend.f(yb));
        }
    }

    /** {@code L = sum r * pool(x)}: its gradient by central differences in double, against the backward pass. */
    @Test
    void backwardPassesMatchFiniteDifferences() {
        for (int[] s : SHAPES) {
            if (s[0] * s[1] * s[2] * s[3] > 2000) {
                continue;
            }
            PoolGeometry g = geometry(s);
            int n = s[0];
            // distinct values at least 1e-2 apart, so a step of 1e-3 never changes a window's argmax
            int len = (int) (n * g.inSize());
            float[] x = new float[len];
            java.util.List<Integer> order = new java.util.ArrayList<>();
            for (int i = 0; i < len; i++) {
                order.add(i);
            }
            java.util.Collections.shuffle(order, random);
            for (int i = 0; i < len; i++) {
                x[order.get(i)] = (i - len / 2) * 1e-2f;
            }
            int outLen = (int) (n * g.outSize());
            float[] r = TestData.uniform(random, outLen, 1f);
            for (boolean max : new boolean[] {true, false}) {
                FloatArray xb = upload(x);
                FloatArray yb = cpu.allocate(outLen);
                IntArray ab = cpu.allocateInts(outLen);
                FloatArray dxb = cpu.allocate(len);
                if (max) {
                    pool.maxPoolForward(g, n, xb, 0, yb, 0, ab, 0);
                    pool.maxPoolBackward(g, n, upload(r), 0, ab, 0, dxb, 0);
                } else {
                    pool.avgPoolBackward(g, n, upload(r), 0, dxb, 0);
                }
                float[] numeric = new float[len];
                double h = 1e-3;
                for (int e = 0; e < len; e++) {
                    float[] xp = x.clone();
                    float[] xm = x.clone();
                    xp[e] = (float) (x[e] + h);
                    xm[e] = (float) (x[e] - h);
                    numeric[e] = (float) ((loss(g, n, xp, r, max) - loss(g, n, xm, r, max)) / (xp[e] - xm[e]));
                }
                FloatParity.assertClose((max ? "maxPool" : "avgPool") + " backward " + g, numeric,
                        CpuBackend.f(dxb), 1e-3, 2e-3);
            }
        }
    }

    private double loss(PoolGeometry g, int n, float[] x, float[] r, boolean max) {
        int outLen = (int) (n * g.outSize());
        FloatArray yb = cpu.allocate(outLen);
        if (max) {
            pool.maxPoolForward(g, n, upload(x), 0, yb, 0, cpu.allocateInts(outLen), 0);
        } else {
            pool.avgPoolForward(g, n, upload(x), 0, yb, 0);
        }
        float[] y = CpuBackend.f(yb);
        double l = 0;
        for (int j = 0; j < outLen; j++) {
            l += (double) r[j] * y[j];
        }
        return l;
    }

    @Test
    void backwardPassesSumWindowsInAscendingOrderAndSplitsDoNotMatter() {
        PoolGeometry g = geometry(SHAPES[2]);
        int n = SHAPES[2][0];
        int len = (int) (n * g.inSize());
        int outLen = (int) (n * g.outSize());
        float[] x = TestData.uniform(random, len, 4f);
        float[] dy = TestData.uniform(random, outLen, 4f);
        float[] y = new float[outLen];
        int[] arg = new int[outLen];
        referenceMax(g, n, x, y, arg);
        float[] maxRef = new float[len];
        float[] avgRef = new float[len];
        float div = g.kH() * g.kW();
        // gather: each input element over the windows that contain it, in ascending window order
        for (int i = 0; i < n; i++) {
            int ib = (int) (i * g.inSize());
            int ob = (int) (i * g.outSize());
            for (int oy = 0; oy < g.outH(); oy++) {
                for (int ox = 0; ox < g.outW(); ox++) {
                    for (int ch = 0; ch < g.c(); ch++) {
                        int j = ob + (oy * g.outW() + ox) * g.c() + ch;
                        maxRef[ib + arg[j]] += dy[j];
                        for (int e : window(g, oy, ox, ch)) {
                            avgRef[ib + e] += dy[j] / div;
                        }
                    }
                }
            }
        }
        float[] maxWhole = new float[len];
        float[] avgWhole = new float[len];
        float[] maxSplit = new float[len];
        float[] avgSplit = new float[len];
        CpuPool.maxBackwardImages(g, dy, 0, arg, 0, maxWhole, 0, 0, n);
        CpuPool.avgBackwardImages(g, dy, 0, avgWhole, 0, 0, n);
        for (int i = 0; i < n; i++) {
            CpuPool.maxBackwardImages(g, dy, 0, arg, 0, maxSplit, 0, i, i + 1);
            CpuPool.avgBackwardImages(g, dy, 0, avgSplit, 0, i, i + 1);
        }
        FloatParity.assertSameBits("maxPool backward order", maxRef, maxWhole);
        FloatParity.assertSameBits("avgPool backward order", avgRef, avgWhole);
        FloatParity.assertSameBits("maxPool backward split", maxWhole, maxSplit);
        FloatParity.assertSameBits("avgPool backward split", avgWhole, avgSplit);
        int pixels = n * g.outH() * g.outW();
        float[] yWhole = new float[outLen];
        float[] ySplit = new float[outLen];
        int[] aWhole = new int[outLen];
        int[] aSplit = new int[outLen];
        CpuPool.maxForwardPixels(g, x, 0, null, 0, yWhole, 0, aWhole, 0, 0, pixels);
        for (int p = 0; p < pixels; p += 3) {
            CpuPool.maxForwardPixels(g, x, 0, null, 0, ySplit, 0, aSplit, 0, p, Math.min(pixels, p + 3));
        }
        FloatParity.assertSameBits("maxPool forward split", yWhole, ySplit);
        assertArrayEquals(aWhole, aSplit);
    }

    @Test
    void badArgumentsFailWithTheirName() {
        PoolGeometry g = geometry(SHAPES[1]);
        int n = SHAPES[1][0];
        int outLen = (int) (n * g.outSize());
        FloatArray x = cpu.allocate(n * g.inSize());
        FloatArray y = cpu.allocate(outLen);
        IntArray arg = cpu.allocateInts(outLen - 1);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> pool.maxPoolForward(g, n, x, 0, y, 0, arg, 0));
        assertTrue(e.getMessage().startsWith("maxPoolForward argmax"), e.getMessage());
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
                () -> pool.avgPoolForward(g, n, x, 0, x, 1));
        assertTrue(overlap.getMessage().startsWith("avgPoolForward y"), overlap.getMessage());
        IntArray badArg = cpu.allocateInts(outLen);
        cpu.upload(new int[] {(int) g.inSize()}, 0, badArg, 0, 1);
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> pool.maxPoolBackward(g, n, y, 0, badArg, 0, x, 0));
        assertTrue(outside.getMessage().contains("outside its image"), outside.getMessage());
    }
}
