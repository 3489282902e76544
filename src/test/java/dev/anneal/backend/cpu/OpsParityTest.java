package dev.anneal.backend.cpu;

import dev.anneal.backend.Activation;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every elementwise, loss and reduction op of the fast {@link CpuBackend} against {@link ReferenceOps} (the
 * backend's first plain loops) on random inputs: sizes 1, 31, 1025, non-square, shapes big enough to run on
 * several threads, views at offsets inside larger buffers, whose surroundings must stay untouched.
 */
class OpsParityTest {
    /** {rows, cols}. */
    private static final int[][] SHAPES = {{1, 1}, {1, 31}, {31, 1}, {31, 17}, {1025, 3}, {3, 1025}, {128, 512},
        {257, 256}, {128, 10}, {2048, 10}, {2048, 1025}};
    /** Up to {@code 2^21 + 5}, past the size where the cheap ops split over two threads. */
    private static final int[] LENGTHS = {0, 1, 31, 1025, 4096, 4097, 5 * 4096 + 3, (1 << 18) + 5, (1 << 21) + 5};
    private static final int PAD = 7;

    private final CpuBackend cpu = new CpuBackend();
    private final Random random = new Random(11);

    /** A buffer of {@code PAD + n + PAD} random floats (scale 3) and its backing array. */
    private FloatArray buffer(int n) {
        FloatArray buf = cpu.allocate(n + 2L * PAD);
        float[] x = TestData.uniform(random, n + 2 * PAD, 3f);
        cpu.upload(x, 0, buf, 0, x.length);
        return buf;
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void biasActivationMatchesTheReferenceIntoASeparateOutput(Activation act) {
        for (int[] s : SHAPES) {
            int rows = s[0];
            int cols = s[1];
            FloatArray zb = buffer(rows * cols);
            FloatArray bb = buffer(cols);
            FloatArray ob = buffer(rows * cols);
            float[] z = CpuBackend.f(zb).clone();
            float[] bias = CpuBackend.f(bb).clone();
            float[] out = CpuBackend.f(ob).clone();
            ReferenceOps.biasActivation(z, PAD, rows, cols, bias, PAD, act, out, PAD);
            cpu.biasActivation(new Mat(zb, PAD, rows, cols), new Mat(bb, PAD, 1, cols), act,
                    new Mat(ob, PAD, rows, cols));
            String what = act + " " + rows + "x" + cols;
            FloatParity.assertClose(what + " z", z, CpuBackend.f(zb), 0, 0);
            FloatParity.assertClose(what + " out", out, CpuBackend.f(ob), 2e-7, 1e-7);
            FloatParity.assertSameBits(what + " bias", bias, CpuBackend.f(bb));
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void biasActivationInPlaceMatchesTheReference(Activation act) {
        for (int[] s : SHAPES) {
            int rows = s[0];
            int cols = s[1];
            FloatArray zb = buffer(rows * cols);
            FloatArray bb = buffer(cols);
            float[] z = CpuBackend.f(zb).clone();
            ReferenceOps.biasActivation(z, PAD, rows, cols, CpuBackend.f(bb), PAD, act, z, PAD);
            Mat view = new Mat(zb, PAD, rows, cols);
            cpu.biasActivation(view, new Mat(bb, PAD, 1, cols), act, view);
            FloatParity.assertClose(act + " in place " + rows + "x" + cols, z, CpuBackend.f(zb), 2e-7, 1e-7);
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationBackwardMatchesTheReference(Activation act) {
        for (int[] s : SHAPES) {
            int rows = s[0];
            int cols = s[1];
            FloatArray zb = buffer(rows * cols);
            FloatArray gb = buffer(rows * cols);
            float[] grad = CpuBackend.f(gb).clone();
            ReferenceOps.activationBackward(act, CpuBackend.f(zb), PAD, grad, PAD, rows * cols);
            cpu.activationBackward(act, new Mat(zb, PAD, rows, cols), new Mat(gb, PAD, rows, cols));
            FloatParity.assertClose(act + " backward " + rows + "x" + cols, grad, PAD, CpuBackend.f(gb), PAD,
                    rows * cols, cols, 4e-7, 1e-7);
            FloatParity.assertClose(act + " backward padding", grad, CpuBackend.f(gb), 0, 0);
        }
    }

    @Test
    void reluDerivativeIsOneForEveryPositiveInputAndZeroAtZeroBothSigns() {
        float[] z = {Float.MIN_VALUE, -Float.MIN_VALUE, 0f, -0f, 1e-30f, Float.MAX_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, -2f, 3f};
        float[] expected = {1f, 0f, 0f, 0f, 1f, 1f, 1f, 0f, 0f, 1f};
        FloatArray zb = cpu.allocate(z.length);
        FloatArray gb = cpu.allocate(z.length);
        cpu.upload(z, 0, zb, 0, z.length);
        cpu.fill(gb, 0, z.length, 1f);
        cpu.activationBackward(Activation.RELU, new Mat(zb, 0, 1, z.length), new Mat(gb, 0, 1, z.length));
        FloatParity.assertSameBits("relu'", expected, CpuBackend.f(gb));
    }

    @Test
    void reluCarriesNaNThroughForwardAndBackward() {
        FloatArray zb = cpu.allocate(2);
        FloatArray bb = cpu.allocate(2);
        FloatArray gb = cpu.allocate(2);
        cpu.upload(new float[] {Float.NaN, -1f}, 0, zb, 0, 2);
        cpu.fill(gb, 0, 2, 1f);
        Mat z = new Mat(zb, 0, 1, 2);
        cpu.activationBackward(Activation.RELU, z, new Mat(gb, 0, 1, 2));
        cpu.biasActivation(z, new Mat(bb, 0, 1, 2), Activation.RELU, z);
        FloatParity.assertSameBits("relu(NaN), relu(-1)", new float[] {Float.NaN, 0f}, CpuBackend.f(zb));
        // PyTorch's threshold_backward: z <= 0 ? 0 : g, so a NaN pre-activation passes the gradient (torch 1.13:
        // torch.relu(torch.tensor([nan, -1.], requires_grad=True)).sum().backward() gives grad [1., 0.])
        FloatParity.assertSameBits("relu'(NaN), relu'(-1)", new float[] {1f, 0f}, CpuBackend.f(gb));
    }

    @Test
    void softmaxCrossEntropyMatchesTheReferenceWithAndWithoutGradient() {
        for (int[] s : SHAPES) {
            int rows = s[0];
            int cols = s[1];
            FloatArray lb = buffer(rows * cols);
            IntArray yb = cpu.allocateInts(rows + 3L);
            int[] labels = TestData.labels(random, rows + 3, cols);
            cpu.upload(labels, 0, yb, 0, labels.length);
            float gradScale = 1f / (rows + 1);
            for (boolean withGrad : new boolean[] {true, false}) {
                FloatArray gb = buffer(rows * cols);
                FloatArray sb = buffer(2);
                float[] grad = CpuBackend.f(gb).clone();
                float[] stats = CpuBackend.f(sb).clone();
                ReferenceOps.softmaxCrossEntropy(CpuBackend.f(lb), PAD, rows, cols, labels, 2, gradScale,
                        withGrad ? grad : null, PAD, stats, PAD);
                cpu.softmaxCrossEntropy(new Mat(lb, PAD, rows, cols), yb, 2, gradScale,
                        withGrad ? new Mat(gb, PAD, rows, cols) : null, sb, PAD);
                String what = "softmaxCrossEntropy " + rows + "x" + cols + (withGrad ? "" : " no grad");
                FloatParity.assertClose(what + " stats", stats, CpuBackend.f(sb), 1e-6, 1e-6);
                FloatParity.assertClose(what + " grad", grad, PAD, CpuBackend.f(gb), PAD, rows * cols, cols, 1e-6,
                        1e-9);
                FloatParity.assertClose(what + " grad padding", grad, CpuBackend.f(gb), 1e-6, 1e-9);
            }
        }
    }

    @Test
    void softmaxCrossEntropyMayWriteTheGradientOverTheLogits() {
        int rows = 64;
        int cols = 10;
        FloatArray lb = buffer(rows * cols);
        float[] expectedGrad = new float[rows * cols];
        float[] expectedStats = new float[2];
        int[] labels = TestData.labels(random, rows, cols);
        IntArray yb = cpu.allocateInts(rows);
        cpu.upload(labels, 0, yb, 0, rows);
        ReferenceOps.softmaxCrossEntropy(CpuBackend.f(lb), PAD, rows, cols, labels, 0, 0.5f, expectedGrad, 0,
                expectedStats, 0);
        FloatArray sb = cpu.allocate(2);
        Mat logits = new Mat(lb, PAD, rows, cols);
        cpu.softmaxCrossEntropy(logits, yb, 0, 0.5f, logits, sb, 0);
        FloatParity.assertClose("in-place grad", expectedGrad, 0, CpuBackend.f(lb), PAD, rows * cols, cols, 1e-6,
                1e-9);
        FloatParity.assertClose("in-place stats", expectedStats, CpuBackend.f(sb), 1e-6, 1e-6);
    }

    @Test
    void columnSumsMatchTheReferenceOverwritingAndAccumulating() {
        for (int[] s : SHAPES) {
            int rows = s[0];
            int cols = s[1];
            FloatArray mb = buffer(rows * cols);
            for (boolean accumulate : new boolean[] {false, true}) {
                FloatArray ob = buffer(cols);
                float[] out = CpuBackend.f(ob).clone();
                ReferenceOps.columnSums(CpuBackend.f(mb), PAD, rows, cols, out, PAD, accumulate);
                cpu.columnSums(new Mat(mb, PAD, rows, cols), new Mat(ob, PAD, 1, cols), accumulate);
                // Same order, same double accumulation: the same bits.
                FloatParity.assertSameBits("columnSums " + rows + "x" + cols + " accumulate=" + accumulate, out,
                        CpuBackend.f(ob));
            }
        }
    }

    @Test
    void squaredNormMatchesTheReference() {
        for (int n : LENGTHS) {
            FloatArray xb = buffer(n);
            FloatArray ob = buffer(1);
            float[] out = CpuBackend.f(ob).clone();
            out[PAD] = (float) ReferenceOps.squaredNorm(CpuBackend.f(xb), PAD, n);
            cpu.squaredNorm(xb, PAD, n, ob, PAD);
            FloatParity.assertClose("squaredNorm n=" + n, out, CpuBackend.f(ob), 1e-7, 0);
        }
    }

    @Test
    void scaleAndAxpyMatchTheReference() {
        for (int n : LENGTHS) {
            FloatArray xb = buffer(n);
            FloatArray yb = buffer(n);
            float[] x = CpuBackend.f(xb).clone();
            float[] y = CpuBackend.f(yb).clone();
            ReferenceOps.scale(x, PAD, n, -0.37f);
            cpu.scale(xb, PAD, n, -0.37f);
            FloatParity.assertSameBits("scale n=" + n, x, CpuBackend.f(xb));
            ReferenceOps.axpy(1.5f, x, PAD, y, PAD, n);
            cpu.axpy(1.5f, xb, PAD, yb, PAD, n);
            FloatParity.assertSameBits("axpy n=" + n, y, CpuBackend.f(yb));
            ReferenceOps.axpy(0.5f, y, PAD, y, PAD, n);
            cpu.axpy(0.5f, yb, PAD, yb, PAD, n);
            FloatParity.assertSameBits("axpy onto itself n=" + n, y, CpuBackend.f(yb));
        }
    }
}
