package dev.anneal.backend.cpu;

import static dev.anneal.backend.MatChecks.disjoint;
import static dev.anneal.backend.MatChecks.sameShape;
import static dev.anneal.backend.MatChecks.sameView;

import dev.anneal.backend.Activation;
import dev.anneal.backend.AdamArgs;
import dev.anneal.backend.Backend;
import dev.anneal.backend.ConvOps;
import dev.anneal.backend.DropoutOps;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.MatChecks;
import dev.anneal.backend.NormOps;
import dev.anneal.backend.PoolOps;
import dev.anneal.backend.RmsPropArgs;
import dev.anneal.backend.SgdArgs;

/**
 * The CPU backend: buffers are Java arrays; large ops are split over {@link CpuParallel}'s threads, SGEMM runs
 * on the system BLAS when it loads ({@link CpuGemm#implementation()} says which). It is the reference path CI
 * trusts. This class checks shapes, bounds and overlaps and delegates to {@link CpuGemm},
 * {@link CpuActivations}, {@link CpuOps} and {@link CpuOptimizers}; the layer op families are {@link CpuConv},
 * {@link CpuPool}, {@link CpuNorm} and {@link CpuDropout}, which check their own arguments.
 */
public final class CpuBackend implements Backend {
    private final ConvOps conv = new CpuConv();
    private final PoolOps pool = new CpuPool();
    private final NormOps norm = new CpuNorm();
    private final DropoutOps dropout = new CpuDropout();

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public FloatArray allocate(long n) {
        return new CpuFloats(checkedSize(n));
    }

    @Override
    public IntArray allocateInts(long n) {
        return new CpuInts(checkedSize(n));
    }

    @Override
    public void upload(float[] src, int srcOffset, FloatArray dst, long dstOffset, int n) {
        System.arraycopy(src, srcOffset, f(dst), index(dst, dstOffset, n), n);
    }

    @Override
    public void upload(int[] src, int srcOffset, IntArray dst, long dstOffset, int n) {
        checkRange(dst.length(), dstOffset, n);
        System.arraycopy(src, srcOffset, ((CpuInts) dst).array(), (int) dstOffset, n);
    }

    @Override
    public void download(FloatArray src, long srcOffset, float[] dst, int dstOffset, int n) {
        System.arraycopy(f(src), index(src, srcOffset, n), dst, dstOffset, n);
    }

    /** The CPU runs every op at once, so the values are read now. */
    @Override
    public dev.anneal.backend.PendingRead readLater(FloatArray src, long srcOffset, int n) {
        float[] values = new float[n];
        download(src, srcOffset, values, 0, n);
        return () -> values;
    }

    @Override
    public void copy(FloatArray src, long srcOffset, FloatArray dst, long dstOffset, long n) {
        System.arraycopy(f(src), index(src, srcOffset, n), f(dst), index(dst, dstOffset, n), (int) n);
    }

    @Override
    public void fill(FloatArray dst, long offset, long n, float value) {
        int from = index(dst, offset, n);
        java.util.Arrays.fill(f(dst), from, from + (int) n, value);
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Mat a, Mat b, float beta, Mat c) {
        MatChecks.GemmDims d = MatChecks.gemm(transA, transB, a, b, c);
        int m = d.m();
        int n = d.n();
        int k = d.k();
        CpuGemm.gemm(transA, transB, m, n, k, alpha, f(a.data()), (int) a.offset(), a.cols(),
                f(b.data()), (int) b.offset(), b.cols(), beta, f(c.data()), (int) c.offset(), c.cols());
    }

    @Override
    public void biasActivation(Mat z, Mat bias, Activation act, Mat out) {
        sameShape(z, out, "biasActivation out");
        if (bias.size() != z.cols()) {
            throw new IllegalArgumentException("bias has " + bias.size() + " elements for " + z.cols() + " columns");
        }
        if (!sameView(z, out)) {
            disjoint(out, z, "biasActivation out", "z (unless it is z itself)");
        }
        disjoint(z, bias, "biasActivation z", "bias");
        disjoint(out, bias, "biasActivation out", "bias");
        CpuActivations.biasActivation(f(z.data()), (int) z.offset(), z.rows(), z.cols(), f(bias.data()),
                (int) bias.offset(), act, f(out.data()), (int) out.offset());
    }

    @Override
    public void activation(Activation act, Mat z, Mat out) {
        sameShape(z, out, "activation out");
        if (!sameView(z, out)) {
            disjoint(out, z, "activation out", "z (unless it is z itself)");
        }
        CpuActivations.activation(act, f(z.data()), (int) z.offset(), f(out.data()), (int) out.offset(),
                (int) z.size());
    }

    @Override
    public ConvOps conv() {
        return conv;
    }

    @Override
    public PoolOps pool() {
        return pool;
    }

    @Override
    public NormOps norm() {
        return norm;
    }

    @Override
    public DropoutOps dropout() {
        return dropout;
    }

    @Override
    public void activationBackward(Activation act, Mat z, Mat grad) {
        sameShape(z, grad, "activationBackward grad");
        disjoint(grad, z, "activationBackward grad", "z");
        CpuActivations.activationBackward(act, f(z.data()), (int) z.offset(), f(grad.data()), (int) grad.offset(),
                (int) z.size());
    }

    @Override
    public void softmaxCrossEntropy(Mat logits, IntArray labels, long labelOffset, float gradScale, Mat grad,
                                    FloatArray stats, long statsOffset) {
        if (grad != null) {
            sameShape(logits, grad, "softmaxCrossEntropy grad");
            if (!sameView(logits, grad)) {
                disjoint(grad, logits, "softmaxCrossEntropy grad", "logits (unless it is logits itself)");
            }
        }
        checkRange(labels.length(), labelOffset, logits.rows());
        CpuOps.softmaxCrossEntropy(f(logits.data()), (int) logits.offset(), logits.rows(), logits.cols(),
                ints(labels), (int) labelOffset, gradScale, grad == null ? null : f(grad.data()),
                grad == null ? 0 : (int) grad.offset(), f(stats), index(stats, statsOffset, 2));
    }

    @Override
    public void columnSums(Mat m, Mat out, boolean accumulate) {
        if (out.size() != m.cols()) {
            throw new IllegalArgumentException("columnSums out has " + out.size() + " elements for " + m.cols()
                    + " columns");
        }
        disjoint(out, m, "columnSums out", "m");
        CpuOps.columnSums(f(m.data()), (int) m.offset(), m.rows(), m.cols(), f(out.data()), (int) out.offset(),
                accumulate);
    }

    @Override
    public void scale(FloatArray x, long offset, long n, float alpha) {
        CpuOps.scale(f(x), index(x, offset, n), (int) n, alpha);
    }

    @Override
    public void axpy(float alpha, FloatArray x, long xOffset, FloatArray y, long yOffset, long n) {
        float[] xa = f(x);
        float[] ya = f(y);
        int xi = index(x, xOffset, n);
        int yi = index(y, yOffset, n);
        if (xa == ya && xi != yi && xi < yi + n && yi < xi + n) {
            throw new IllegalArgumentException("axpy x [" + xi + ", " + (xi + n) + ") and y [" + yi + ", " + (yi + n)
                    + ") overlap");
        }
        CpuOps.axpy(alpha, xa, xi, ya, yi, (int) n);
    }

    @Override
    public void squaredNorm(FloatArray x, long offset, long n, FloatArray out, long outOffset) {
        f(out)[index(out, outOffset, 1)] = (float) CpuOps.squaredNorm(f(x), index(x, offset, n), (int) n);
    }

    @Override
    public void sgdStep(SgdArgs args, FloatArray scalars, FloatArray params, FloatArray grads,
                        FloatArray momentumBuffer, long n) {
        checkStep(scalars, n, params, grads, momentumBuffer);
        CpuOptimizers.sgdStep(args, f(scalars), f(params), f(grads), orNull(momentumBuffer), 0, (int) n);
    }

    @Override
    public void adamStep(AdamArgs args, FloatArray scalars, FloatArray params, FloatArray grads, FloatArray expAvg,
                         FloatArray expAvgSq, FloatArray maxExpAvgSq, long n) {
        checkStep(scalars, n, params, grads, expAvg, expAvgSq, maxExpAvgSq);
        CpuOptimizers.adamStep(args, f(scalars), f(params), f(grads), f(expAvg), f(expAvgSq), orNull(maxExpAvgSq),
                0, (int) n);
    }

    @Override
    public void rmspropStep(RmsPropArgs args, FloatArray scalars, FloatArray params, FloatArray grads,
                            FloatArray squareAvg, FloatArray gradAvg, FloatArray momentumBuffer, long n) {
        checkStep(scalars, n, params, grads, squareAvg, gradAvg, momentumBuffer);
        CpuOptimizers.rmspropStep(args, f(scalars), f(params), f(grads), f(squareAvg), orNull(gradAvg),
                orNull(momentumBuffer), 0, (int) n);
    }

    @Override
    public void finalizeStepScalars(FloatArray normSquared, long offset, float maxNorm, FloatArray scalars) {
        float sq = f(normSquared)[index(normSquared, offset, 1)];
        checkStep(scalars, 0);
        CpuOptimizers.finalizeStepScalars(sq, maxNorm, f(scalars));
    }

    @Override
    public void synchronize() {
    }

    @Override
    public void close() {
    }

    static float[] f(FloatArray x) {
        if (!(x instanceof CpuFloats c)) {
            throw new IllegalArgumentException("buffer of another backend: " + x.getClass().getSimpleName());
        }
        return c.array();
    }

    private static int[] ints(IntArray x) {
        if (!(x instanceof CpuInts c)) {
            throw new IllegalArgumentException("buffer of another backend: " + x.getClass().getSimpleName());
        }
        return c.array();
    }

    private static float[] orNull(FloatArray x) {
        return x == null ? null : f(x);
    }

    private static int checkedSize(long n) {
        if (n < 0 || n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the CPU backend holds up to 2^31 - 9 elements per buffer, asked " + n);
        }
        return (int) n;
    }

    private static int index(FloatArray x, long offset, long n) {
        checkRange(x.length(), offset, n);
        return (int) offset;
    }

    private static void checkRange(long length, long offset, long n) {
        if (offset < 0 || n < 0 || offset + n > length) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + (offset + n) + ") of a buffer of " + length);
        }
    }

    private static void checkStep(FloatArray scalars, long n, FloatArray... buffers) {
        if (scalars.length() < dev.anneal.backend.StepScalars.SIZE) {
            throw new IllegalArgumentException("step scalars need " + dev.anneal.backend.StepScalars.SIZE + " slots");
        }
        for (FloatArray b : buffers) {
            if (b != null && b.length() < n) {
                throw new IllegalArgumentException("optimizer buffer of " + b.length() + " for " + n + " parameters");
            }
        }
    }
}
