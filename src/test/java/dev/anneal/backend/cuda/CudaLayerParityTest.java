package dev.anneal.backend.cuda;

import static dev.anneal.backend.cuda.Parity.assertBits;
import static dev.anneal.backend.cuda.Parity.assertClose;
import static dev.anneal.backend.cuda.Parity.get;
import static dev.anneal.backend.cuda.Parity.nans;
import static dev.anneal.backend.cuda.Parity.put;
import static dev.anneal.backend.cuda.Parity.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Activation;
import dev.anneal.backend.Backend;
import dev.anneal.backend.ConvGeometry;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.PoolGeometry;
import dev.anneal.backend.StepGraph;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The layer op families (conv.cu, pool.cu, norm.cu, dropout.cu, activation_forward) against the CPU backend at
 * awkward sizes: odd channel counts, padding, stride 2, batch 1, non-square images and kernels, kernels of 1 and
 * 5, batch-norm row counts that are not multiples of the 256-row summation block. Outputs are poisoned with NaN
 * and views sit inside larger NaN-filled buffers, so a write outside a view or a missed output shows.
 *
 * <p>Every comparison is bit for bit except GELU and tanh, whose CPU twins evaluate erf and tanh in double
 * (CUDA's erff and tanhf differ in the last bits). Batch norm is exact too: the CUDA reduction uses the CPU
 * twin's order (blocks of 256 rows summed down the rows in double, then the block sums in block order) and
 * norm.cu is built without multiply-add contraction.
 */
@Tag("gpu")
class CudaLayerParityTest extends ParityFixture {
    CudaLayerParityTest() {
        super(CudaBackend.Gemm.AUTO);
    }

    @Test
    void im2colCol2imAndTheLayoutChangesHaveTheCpuBits() {
        Random r = new Random(11);
        // (inC, inH, inW, outC, kH, kW, strideH, strideW, padH, padW), images
        int[][] shapes = {{3, 7, 5, 4, 3, 3, 1, 1, 1, 1, 2}, {1, 28, 28, 32, 3, 3, 1, 1, 1, 1, 3},
            {5, 9, 6, 2, 5, 5, 2, 2, 2, 2, 1}, {7, 4, 6, 3, 1, 1, 2, 2, 0, 0, 2}, {2, 6, 7, 1, 2, 3, 3, 2, 0, 1, 1},
            {32, 14, 14, 64, 3, 3, 1, 1, 1, 1, 2}, {3, 5, 5, 2, 3, 3, 1, 1, 0, 0, 0}};
        for (int[] s : shapes) {
            ConvGeometry g = new ConvGeometry(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9]);
            int n = s[10];
            int x = (int) (n * g.inSize());
            int col = n * g.outH() * g.outW() * g.patch();
            String what = g + " x " + n;
            float[][][] un = both(new float[][] {padded(random(r, x, 2)), padded(nans(col))},
                    (b, v) -> b.conv().im2col(g, n, v[0], PAD, v[1], PAD));
            assertBits("im2col " + what, un[0][1], un[1][1]);
            float[][][] back = both(new float[][] {padded(random(r, col, 2)), padded(nans(x))},
                    (b, v) -> b.conv().col2im(g, n, v[0], PAD, v[1], PAD));
            assertBits("col2im " + what, back[0][1], back[1][1]);
            int c = g.inC();
            int h = g.inH();
            int w = g.inW();
            float[][][] last = both(new float[][] {padded(random(r, x, 2)), padded(nans(x))},
                    (b, v) -> b.conv().toChannelsLast(n, c, h, w, v[0], PAD, v[1], PAD));
            assertBits("toChannelsLast " + what, last[0][1], last[1][1]);
            float[][][] first = both(new float[][] {padded(random(r, x, 2)), padded(nans(x))},
                    (b, v) -> b.conv().toChannelsFirst(n, c, h, w, v[0], PAD, v[1], PAD));
            assertBits("toChannelsFirst " + what, first[0][1], first[1][1]);
        }
    }

    @Test
    void maxAndAveragePoolingForwardAndBackwardHaveTheCpuBits() {
        Random r = new Random(12);
        // (c, inH, inW, kH, kW, strideH, strideW, padH, padW), images
        int[][] shapes = {{3, 7, 5, 2, 2, 2, 2, 0, 0, 2}, {32, 28, 28, 2, 2, 2, 2, 0, 0, 2},
            {5, 9, 6, 3, 3, 2, 2, 1, 1, 1}, {1, 6, 7, 5, 3, 1, 2, 2, 1, 1}, {2, 4, 4, 1, 1, 2, 2, 0, 0, 3},
            {3, 3, 3, 3, 3, 1, 1, 1, 1, 0}};
        for (int[] s : shapes) {
            PoolGeometry g = new PoolGeometry(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8]);
            int n = s[9];
            int x = (int) (n * g.inSize());
            int y = (int) (n * g.outSize());
            String what = g + " x " + n;
            float[] in = padded(ties(r, x));
            float[] dy = padded(random(r, y, 1));
            float[] bias = padded(random(r, g.c(), 2));
            float[][] results = new float[8][];
            Backend[] backends = {cpu, gpu};
            for (int k = 0; k < 2; k++) {
                Backend b = backends[k];
                FloatArray xs = put(b, in);
                FloatArray ys = put(b, padded(nans(y)));
                FloatArray dys = put(b, dy);
                FloatArray dxs = put(b, padded(nans(x)));
                IntArray argmax = b.allocateInts(y + 2L * PAD);
                b.pool().maxPoolForward(g, n, xs, PAD, ys, PAD, argmax, PAD);
                b.pool().maxPoolBackward(g, n, dys, PAD, argmax, PAD, dxs, PAD);
                results[2 * k] = get(b, ys);
                results[2 * k + 1] = get(b, dxs);
                // with a bias (the argmax, read back through maxPoolBackward of ones, compared too)
                FloatArray bs = put(b, bias);
                FloatArray yb = put(b, padded(nans(y)));
                FloatArray ones = put(b, padded(ones(y)));
                FloatArray hits = put(b, padded(nans(x)));
                IntArray argb = b.allocateInts(y + 2L * PAD);
                b.pool().maxPoolBiasForward(g, n, xs, PAD, bs, PAD, yb, PAD, argb, PAD);
                b.pool().maxPoolBackward(g, n, ones, PAD, argb, PAD, hits, PAD);
                results[4 + 2 * k] = get(b, yb);
                results[5 + 2 * k] = get(b, hits);
                for (AutoCloseable c : new AutoCloseable[] {xs, ys, dys, dxs, argmax, bs, yb, ones, hits, argb}) {
                    close(c);
                }
            }
            assertBits("maxPoolBiasForward " + what, results[4], results[6]);
            assertBits("maxPoolBiasForward argmax " + what, results[5], results[7]);
            assertBits("maxPoolForward " + what, results[0], results[2]);
            assertBits("maxPoolBackward " + what, results[1], results[3]);
            float[][][] avg = both(new float[][] {in, padded(nans(y))},
                    (b, v) -> b.pool().avgPoolForward(g, n, v[0], PAD, v[1], PAD));
            assertBits("avgPoolForward " + what, avg[0][1], avg[1][1]);
            float[][][] avgBack = both(new float[][] {dy, padded(nans(x))},
                    (b, v) -> b.pool().avgPoolBackward(g, n, v[0], PAD, v[1], PAD));
            assertBits("avgPoolBackward " + what, avgBack[0][1], avgBack[1][1]);
        }
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return v;
    }

    @Test
    void batchNormTrainingInferenceAndBackwardHaveTheCpuBits() {
        Random r = new Random(13);
        int[][] shapes = {{2, 1}, {3, 7}, {255, 3}, {257, 5}, {1000, 33}, {100_003, 3}, {2 * 14 * 14, 64}};
        for (int[] s : shapes) {
            int rows = s[0];
            int c = s[1];
            int n = rows * c;
            String what = rows + "x" + c;
            float[] x = random(r, n, 3);
            for (int i = 0; i < n; i++) {
                x[i] += i % c - 2;
            }
            float[] xs = padded(x);
            float[] affine = padded(random(r, 4 * c, 1));
            float[] running = padded(concat(random(r, c, 1), positive(r, c)));
            float[] dy = padded(random(r, n, 1));
            // buffers: x, gamma|beta|dGamma|dBeta, running mean|var, saved, y, dx
            float[][] inputs = {xs, affine, running, padded(nans(2 * c)), padded(nans(n)), padded(nans(n)), dy};
            float[][][] out = both(inputs, (b, v) -> {
                Mat xm = new Mat(v[0], PAD, rows, c);
                Mat gamma = new Mat(v[1], PAD, 1, c);
                Mat beta = new Mat(v[1], PAD + c, 1, c);
                b.norm().batchNormTraining(xm, gamma, beta, 1e-5f, 0.1f, v[2], PAD, PAD + c, v[3], PAD,
                        new Mat(v[4], PAD, rows, c));
                b.norm().batchNormInference(xm, gamma, beta, 1e-3f, v[2], PAD, PAD + c, new Mat(v[5], PAD, rows, c));
                b.norm().batchNormBackward(xm, new Mat(v[6], PAD, rows, c), gamma, v[3], PAD,
                        new Mat(v[6], PAD, rows, c), new Mat(v[1], PAD + 2 * c, 1, c),
                        new Mat(v[1], PAD + 3 * c, 1, c));
            });
            assertBits("batchNormTraining y " + what, out[0][4], out[1][4]);
            assertBits("batchNormTraining saved mean and invstd " + what, out[0][3], out[1][3]);
            assertBits("batchNormTraining running mean and var " + what, out[0][2], out[1][2]);
            assertBits("batchNormInference y " + what, out[0][5], out[1][5]);
            assertBits("batchNormBackward dx (in place of dy) " + what, out[0][6], out[1][6]);
            assertBits("batchNormBackward dGamma and dBeta accumulated " + what, out[0][1], out[1][1]);
            float[][][] inPlace = both(new float[][] {xs, affine, running},
                    (b, v) -> b.norm().batchNormInference(new Mat(v[0], PAD, rows, c), new Mat(v[1], PAD, 1, c),
                            new Mat(v[1], PAD + c, 1, c), 1e-5f, v[2], PAD, PAD + c, new Mat(v[0], PAD, rows, c)));
            assertBits("batchNormInference in place " + what, inPlace[0][0], inPlace[1][0]);
        }
    }

    @Test
    void dropoutMasksHaveTheCpuBitsForEverySeedStreamAndDraw() {
        Random r = new Random(14);
        long[] seeds = {0L, 42L, -7L, 0x123456789abcdefL};
        for (int n : new int[] {1, 3, 4, 5, 1025, 100_003}) {
            for (float p : new float[] {0f, 0.1f, 0.5f, 1f}) {
                long seed = seeds[r.nextInt(seeds.length)];
                int stream = r.nextInt(5);
                int draw = r.nextInt(1000);
                float[] x = padded(random(r, n, 4));
                String what = n + " elements, p " + p + ", seed " + seed + ", stream " + stream + ", draw " + draw;
                for (boolean inPlace : new boolean[] {false, true}) {
                    float[][] results = new float[4][];
                    Backend[] backends = {cpu, gpu};
                    for (int k = 0; k < 2; k++) {
                        Backend b = backends[k];
                        FloatArray xs = put(b, x);
                        FloatArray mask = put(b, padded(nans(n)));
                        FloatArray ys = inPlace ? xs : put(b, padded(nans(n)));
                        IntArray draws = b.allocateInts(3);
                        b.upload(new int[] {-1, draw, -1}, 0, draws, 0, 3);
                        b.dropout().dropoutForward(xs, PAD, n, p, seed, stream, draws, 1, mask, PAD, ys, PAD);
                        results[2 * k] = get(b, mask);
                        results[2 * k + 1] = get(b, ys);
                        for (AutoCloseable c : new AutoCloseable[] {xs, mask, ys, draws}) {
                            close(c);
                        }
                    }
                    assertBits("dropout mask " + what, results[0], results[2]);
                    assertBits("dropout y " + what + (inPlace ? " in place" : ""), results[1], results[3]);
                }
            }
        }
        float[][][] product = both(new float[][] {padded(random(r, 1025, 3)), padded(random(r, 1025, 2))},
                (b, v) -> b.dropout().multiply(v[0], PAD, v[1], PAD, 1025));
        assertBits("multiply", product[0][0], product[1][0]);
        float[][][] square = both(new float[][] {padded(random(r, 31, 3))},
                (b, v) -> b.dropout().multiply(v[0], PAD, v[0], PAD, 31));
        assertBits("multiply in place by itself", square[0][0], square[1][0]);
    }

    @Test
    void aCapturedDropoutStepDrawsTheNextMaskOnEveryReplayAsTheCpuDoes() {
        int n = 1029;
        float[] x = random(new Random(15), n, 1);
        FloatArray xs = put(gpu, x);
        FloatArray mask = gpu.allocate(n);
        FloatArray y = gpu.allocate(n);
        IntArray draws = gpu.allocateInts(1);
        FloatArray cx = put(cpu, x);
        FloatArray cmask = cpu.allocate(n);
        FloatArray cy = cpu.allocate(n);
        IntArray cdraws = cpu.allocateInts(1);
        try (StepGraph step = gpu.capture(() -> {
            gpu.dropout().dropoutForward(xs, 0, n, 0.25f, 99L, 2, draws, 0, mask, 0, y, 0);
            gpu.dropout().advance(draws, 0);
        })) {
            float[] previous = null;
            for (int replay = 0; replay < 3; replay++) {
                step.replay();
                cpu.dropout().dropoutForward(cx, 0, n, 0.25f, 99L, 2, cdraws, 0, cmask, 0, cy, 0);
                cpu.dropout().advance(cdraws, 0);
                float[] m = get(gpu, mask);
                assertBits("mask of replay " + replay, get(cpu, cmask), m);
                assertBits("y of replay " + replay, get(cpu, cy), get(gpu, y));
                if (previous != null) {
                    assertTrue(!java.util.Arrays.equals(previous, m), "replay " + replay + " drew a new mask");
                }
                previous = m;
            }
        }
        for (AutoCloseable c : new AutoCloseable[] {xs, mask, y, draws}) {
            close(c);
        }
    }

    @Test
    void aCapturedBatchNormStepAllocatesNothingAndReplaysTheEagerBits() {
        int rows = 515;
        int c = 6;
        Random r = new Random(16);
        float[] x = random(r, rows * c, 2);
        float[] affine = random(r, 4 * c, 1);
        float[][] results = new float[2][];
        for (int k = 0; k < 2; k++) {
            boolean captured = k == 1;
            FloatArray xs = put(gpu, x);
            FloatArray a = put(gpu, affine);
            FloatArray running = put(gpu, new float[2 * c]);
            FloatArray saved = gpu.allocate(2L * c);
            FloatArray y = gpu.allocate((long) rows * c);
            Runnable step = () -> {
                gpu.norm().batchNormTraining(new Mat(xs, 0, rows, c), new Mat(a, 0, 1, c), new Mat(a, c, 1, c), 1e-5f,
                        0.1f, running, 0, c, saved, 0, new Mat(y, 0, rows, c));
                gpu.norm().batchNormBackward(new Mat(xs, 0, rows, c), new Mat(y, 0, rows, c), new Mat(a, 0, 1, c),
                        saved, 0, new Mat(y, 0, rows, c), new Mat(a, 2 * c, 1, c), new Mat(a, 3 * c, 1, c));
            };
            step.run();
            if (captured) {
                try (StepGraph graph = gpu.capture(step)) {
                    graph.replay();
                    graph.replay();
                }
            } else {
                step.run();
                step.run();
            }
            results[k] = concat(concat(get(gpu, running), get(gpu, a)), get(gpu, y));
            for (AutoCloseable b : new AutoCloseable[] {xs, a, running, saved, y}) {
                close(b);
            }
        }
        assertBits("three batch-norm steps, two of them replayed", results[0], results[1]);
    }

    @Test
    void theActivationAloneMatchesTheCpu() {
        Random r = new Random(17);
        int[][] shapes = {{1, 1}, {31, 1025}, {977, 3}};
        for (int[] s : shapes) {
            int rows = s[0];
            int cols = s[1];
            int n = rows * cols;
            for (Activation act : Activation.values()) {
                float[] z = padded(random(r, n, 4));
                String what = act.configName() + " " + rows + "x" + cols;
                float[][][] apart = both(new float[][] {z, padded(nans(n))}, (b, v) -> b.activation(act,
                        new Mat(v[0], PAD, rows, cols), new Mat(v[1], PAD, rows, cols)));
                float[][][] inPlace = both(new float[][] {z}, (b, v) -> b.activation(act,
                        new Mat(v[0], PAD, rows, cols), new Mat(v[0], PAD, rows, cols)));
                assertBits("activation input untouched " + what, apart[0][0], apart[1][0]);
                if (act == Activation.RELU || act == Activation.IDENTITY) {
                    assertBits("activation " + what, apart[0][1], apart[1][1]);
                    assertBits("activation in place " + what, inPlace[0][0], inPlace[1][0]);
                } else {
                    assertClose("activation " + what, apart[0][1], apart[1][1], 1e-6, 1e-5);
                    assertClose("activation in place " + what, inPlace[0][0], inPlace[1][0], 1e-6, 1e-5);
                }
            }
        }
        assertEquals(4, Activation.values().length, "a new activation needs its parity case here");
    }

    /** Values on a grid of quarters (ties in every window) with a NaN, an infinity and a -infinity planted. */
    private static float[] ties(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(9) / 4f - 1f;
        }
        if (n > 40) {
            x[n / 3] = Float.NaN;
            x[n / 2] = Float.NEGATIVE_INFINITY;
            x[2 * n / 3] = Float.POSITIVE_INFINITY;
            x[2 * n / 3 + 1] = Float.NaN;
        }
        return x;
    }

    private static float[] positive(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = 0.5f + r.nextFloat();
        }
        return x;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
