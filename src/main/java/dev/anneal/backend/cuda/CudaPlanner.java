package dev.anneal.backend.cuda;

import static dev.anneal.backend.MatChecks.disjoint;
import static dev.anneal.backend.MatChecks.sameShape;
import static dev.anneal.backend.MatChecks.sameView;

import dev.anneal.backend.Activation;
import dev.anneal.backend.AdamArgs;
import dev.anneal.backend.ConvGeometry;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.LayerChecks;
import dev.anneal.backend.Mat;
import dev.anneal.backend.MatChecks;
import dev.anneal.backend.PoolGeometry;
import dev.anneal.backend.RmsPropArgs;
import dev.anneal.backend.SgdArgs;
import dev.anneal.backend.StepScalars;
import java.util.List;
import java.util.Objects;

/**
 * The host half of every CUDA op: checks the arguments with the CPU backend's rules and messages (shapes, ranges,
 * overlaps, buffers of another backend; the checks both apply are {@link MatChecks} and {@link LayerChecks}) and
 * turns the op into typed launchers, without touching the driver, so all of it is tested with buffers at fake
 * addresses. Empty work (no rows, no elements) becomes no launch, except where an output must still be written
 * (the loss stats, the squared norm).
 *
 * <p>Not checked, because the values live in device memory: labels outside {@code [0, cols)} (the CPU backend
 * throws; the kernel would read outside the row) and a missing SGD momentum buffer while
 * {@code scalars[MOMENTUM] != 0}.
 */
final class CudaPlanner {
    /** Device scratch the loss and the squared norm need, owned by the backend. */
    interface Scratch {
        /** At least {@code 2 * rows} floats for per-row loss and hit. */
        Span rowStats(int rows);

        /** {@link Grid#REDUCE_BLOCKS} doubles for the squared-norm partials. */
        Span normPartials();

        /**
         * At least {@code doubles} doubles for batch normalisation's column partials and per-channel sums
         * ({@link NormLaunches#scratch}); the contents need not survive between ops.
         */
        Span batchNorm(long doubles);
    }

    /** A device-to-device copy; {@code overlapping} when source and destination share elements. */
    record Copy(Span src, Span dst, long n, boolean overlapping) {
    }

    private final DeviceBuffer.Owner owner;

    CudaPlanner(DeviceBuffer.Owner owner) {
        this.owner = owner;
    }

    // ---- memory --------------------------------------------------------------------------------------------

    /** A buffer length: at least 0 and small enough that its size in bytes fits a long. */
    static long checkedSize(long n) {
        if (n < 0 || n > Long.MAX_VALUE / 8) {
            throw new IllegalArgumentException("a CUDA buffer holds 0 to 2^60 elements, asked " + n);
        }
        return n;
    }

    Span upload(float[] src, int srcOffset, FloatArray dst, long dstOffset, int n) {
        Objects.checkFromIndexSize(srcOffset, n, src.length);
        return floats(dst).span("dst", dstOffset, n);
    }

    Span upload(int[] src, int srcOffset, IntArray dst, long dstOffset, int n) {
        Objects.checkFromIndexSize(srcOffset, n, src.length);
        return ints(dst).span("dst", dstOffset, n);
    }

    Span download(FloatArray src, long srcOffset, float[] dst, int dstOffset, int n) {
        Objects.checkFromIndexSize(dstOffset, n, dst.length);
        return floats(src).span("src", srcOffset, n);
    }

    Copy copy(FloatArray src, long srcOffset, FloatArray dst, long dstOffset, long n) {
        Span s = floats(src).span("src", srcOffset, n);
        Span d = floats(dst).span("dst", dstOffset, n);
        boolean overlapping = src == dst && srcOffset != dstOffset && srcOffset < dstOffset + n
                && dstOffset < srcOffset + n;
        return new Copy(s, d, n, overlapping);
    }

    List<Launcher> fill(FloatArray dst, long offset, long n, float value) {
        Span x = floats(dst).span("x", offset, n);
        return n == 0 ? List.of() : List.of(new ElementwiseLaunches.Fill(x, n, value));
    }

    // ---- matrix and loss ops ---------------------------------------------------------------------------------

    /** The product, or null when C is empty (M or N is 0). */
    SgemmLaunch gemm(boolean transA, boolean transB, float alpha, Mat a, Mat b, float beta, Mat c) {
        MatChecks.GemmDims d = MatChecks.gemm(transA, transB, a, b, c);
        int m = d.m();
        int n = d.n();
        int k = d.k();
        Span sa = span("a", a);
        Span sb = span("b", b);
        Span sc = span("c", c);
        if (m == 0 || n == 0) {
            return null;
        }
        Grid.sgemm(GemmTile.T128X128, m, n, 1);
        return new SgemmLaunch(transA, transB, m, n, k, alpha, sa, a.cols(), sb, b.cols(), beta, sc, c.cols());
    }

    List<Launcher> biasActivation(Mat z, Mat bias, Activation act, Mat out) {
        sameShape(z, out, "biasActivation out");
        if (bias.size() != z.cols()) {
            throw new IllegalArgumentException("bias has " + bias.size() + " elements for " + z.cols() + " columns");
        }
        if (!sameView(z, out)) {
            disjoint(out, z, "biasActivation out", "z (unless it is z itself)");
        }
        disjoint(z, bias, "biasActivation z", "bias");
        disjoint(out, bias, "biasActivation out", "bias");
        Span sz = span("z", z);
        Span sb = span("bias", bias);
        Span so = span("out", out);
        return z.size() == 0 ? List.of()
                : List.of(new LayerLaunches.BiasActivation(sz, sb, so, z.rows(), z.cols(), act));
    }

    List<Launcher> activationBackward(Activation act, Mat z, Mat grad) {
        sameShape(z, grad, "activationBackward grad");
        disjoint(grad, z, "activationBackward grad", "z");
        Span sz = span("z", z);
        Span sg = span("grad", grad);
        return z.size() == 0 ? List.of() : List.of(new LayerLaunches.ActivationBackward(act, sz, sg, z.size()));
    }

    List<Launcher> softmaxCrossEntropy(Mat logits, IntArray labels, long labelOffset, float gradScale, Mat grad,
                                       FloatArray stats, long statsOffset, Scratch scratch) {
        if (grad != null) {
            sameShape(logits, grad, "softmaxCrossEntropy grad");
            if (!sameView(logits, grad)) {
                disjoint(grad, logits, "softmaxCrossEntropy grad", "logits (unless it is logits itself)");
            }
        }
        int rows = logits.rows();
        int cols = logits.cols();
        Span sl = span("logits", logits);
        Span sy = ints(labels).span("labels", labelOffset, rows);
        Span sg = grad == null ? Span.absent("grad") : span("grad", grad);
        Span ss = floats(stats).span("stats", statsOffset, 2);
        if (rows > 0 && cols == 0) {
            throw new IllegalArgumentException("softmaxCrossEntropy of " + rows + " rows of 0 columns: no label fits");
        }
        Span rowStats = scratch.rowStats(rows);
        LossLaunches.ReduceRowStats reduce = new LossLaunches.ReduceRowStats(rowStats, rows, ss);
        if (rows == 0) {
            return List.of(reduce);
        }
        return List.of(new LossLaunches.SoftmaxXentRows(sl, rows, cols, sy, gradScale, sg, rowStats), reduce);
    }

    List<Launcher> columnSums(Mat m, Mat out, boolean accumulate) {
        if (out.size() != m.cols()) {
            throw new IllegalArgumentException("columnSums out has " + out.size() + " elements for " + m.cols()
                    + " columns");
        }
        disjoint(out, m, "columnSums out", "m");
        Span sm = span("m", m);
        Span so = span("out", out);
        return m.cols() == 0 ? List.of()
                : List.of(new LayerLaunches.ColumnSums(sm, m.rows(), m.cols(), so, accumulate));
    }

    List<Launcher> scale(FloatArray x, long offset, long n, float alpha) {
        Span sx = floats(x).span("x", offset, n);
        return n == 0 ? List.of() : List.of(new ElementwiseLaunches.Scale(sx, n, alpha));
    }

    List<Launcher> axpy(float alpha, FloatArray x, long xOffset, FloatArray y, long yOffset, long n) {
        Span sx = floats(x).span("x", xOffset, n);
        Span sy = floats(y).span("y", yOffset, n);
        if (x == y && xOffset != yOffset && xOffset < yOffset + n && yOffset < xOffset + n) {
            throw new IllegalArgumentException("axpy x [" + xOffset + ", " + (xOffset + n) + ") and y [" + yOffset
                    + ", " + (yOffset + n) + ") overlap");
        }
        return n == 0 ? List.of() : List.of(new ElementwiseLaunches.Axpy(alpha, sx, sy, n));
    }

    List<Launcher> squaredNorm(FloatArray x, long offset, long n, FloatArray out, long outOffset, Scratch scratch) {
        Span sx = floats(x).span("x", offset, n);
        Span so = floats(out).span("out", outOffset, 1);
        Span partials = scratch.normPartials();
        return List.of(new ReduceLaunches.SquaredNormPartial(sx, n, partials),
                new ReduceLaunches.SquaredNormFinal(partials, so));
    }

    List<Launcher> activation(Activation act, Mat z, Mat out) {
        sameShape(z, out, "activation out");
        if (!sameView(z, out)) {
            disjoint(out, z, "activation out", "z (unless it is z itself)");
        }
        Span sz = span("z", z);
        Span so = span("out", out);
        return z.size() == 0 ? List.of() : List.of(new LayerLaunches.ActivationForward(act, sz, so, z.size()));
    }

    // ---- convolution, pooling, batch norm, dropout (checks shared with the CPU twins: LayerChecks) ------------

    List<Launcher> im2col(ConvGeometry g, int n, FloatArray x, long xOffset, FloatArray col, long colOffset) {
        long rows = images(n, "im2col n") * g.outH() * g.outW();
        long xSize = n * g.inSize();
        long colSize = rows * g.patch();
        Span sx = floats(x).span("x", xOffset, xSize);
        Span sc = floats(col).span("col", colOffset, colSize);
        LayerChecks.disjoint(col, colOffset, colSize, "im2col col", x, xOffset, xSize, "x");
        return colSize == 0 ? List.of() : List.of(new ConvLaunches.Im2col(g, n, sx, sc));
    }

    List<Launcher> col2im(ConvGeometry g, int n, FloatArray col, long colOffset, FloatArray dx, long dxOffset) {
        long rows = images(n, "col2im n") * g.outH() * g.outW();
        long colSize = rows * g.patch();
        long dxSize = n * g.inSize();
        Span sc = floats(col).span("col", colOffset, colSize);
        Span sd = floats(dx).span("dx", dxOffset, dxSize);
        LayerChecks.disjoint(dx, dxOffset, dxSize, "col2im dx", col, colOffset, colSize, "col");
        return dxSize == 0 ? List.of() : List.of(new ConvLaunches.Col2im(g, n, sc, sd));
    }

    /** {@code toChannelsLast} ({@code toLast}) or {@code toChannelsFirst}. */
    List<Launcher> transpose(boolean toLast, int n, int c, int h, int w, FloatArray x, long xOffset, FloatArray y,
                             long yOffset) {
        String op = toLast ? "toChannelsLast" : "toChannelsFirst";
        LayerChecks.imageShape(op, n, c, h, w);
        long size = (long) n * c * h * w;
        Span sx = floats(x).span("x", xOffset, size);
        Span sy = floats(y).span("y", yOffset, size);
        LayerChecks.disjoint(y, yOffset, size, op + " y", x, xOffset, size, "x");
        return size == 0 ? List.of() : List.of(new ConvLaunches.Transpose(toLast, n, c, h, w, sx, sy));
    }

    List<Launcher> maxPoolForward(PoolGeometry g, int n, FloatArray x, long xOffset, FloatArray y, long yOffset,
                                  IntArray argmax, long argmaxOffset) {
        long xSize = images(n, "maxPoolForward n") * poolImage(g, "maxPoolForward");
        long ySize = n * g.outSize();
        Span sx = floats(x).span("x", xOffset, xSize);
        Span sy = floats(y).span("y", yOffset, ySize);
        Span sa = ints(argmax).span("argmax", argmaxOffset, ySize);
        LayerChecks.disjoint(y, yOffset, ySize, "maxPoolForward y", x, xOffset, xSize, "x");
        return ySize == 0 ? List.of() : List.of(new PoolLaunches.MaxForward(g, n, sx, sy, sa));
    }

    List<Launcher> maxPoolBiasForward(PoolGeometry g, int n, FloatArray x, long xOffset, FloatArray bias,
                                      long biasOffset, FloatArray y, long yOffset, IntArray argmax,
                                      long argmaxOffset) {
        long xSize = images(n, "maxPoolBiasForward n") * poolImage(g, "maxPoolBiasForward");
        long ySize = n * g.outSize();
        Span sx = floats(x).span("x", xOffset, xSize);
        Span sb = floats(bias).span("bias", biasOffset, g.c());
        Span sy = floats(y).span("y", yOffset, ySize);
        Span sa = ints(argmax).span("argmax", argmaxOffset, ySize);
        LayerChecks.maxPoolBiasForwardOverlaps(y, yOffset, ySize, x, xOffset, xSize, bias, biasOffset, g.c());
        return ySize == 0 ? List.of() : List.of(new PoolLaunches.MaxBiasForward(g, n, sx, sb, sy, sa));
    }

    List<Launcher> maxPoolBackward(PoolGeometry g, int n, FloatArray dy, long dyOffset, IntArray argmax,
                                   long argmaxOffset, FloatArray dx, long dxOffset) {
        long xSize = images(n, "maxPoolBackward n") * poolImage(g, "maxPoolBackward");
        long ySize = n * g.outSize();
        Span sdy = floats(dy).span("dy", dyOffset, ySize);
        Span sdx = floats(dx).span("dx", dxOffset, xSize);
        Span sa = ints(argmax).span("argmax", argmaxOffset, ySize);
        LayerChecks.disjoint(dx, dxOffset, xSize, "maxPoolBackward dx", dy, dyOffset, ySize, "dy");
        return xSize == 0 ? List.of() : List.of(new PoolLaunches.MaxBackward(g, n, sdy, sa, sdx));
    }

    List<Launcher> avgPoolForward(PoolGeometry g, int n, FloatArray x, long xOffset, FloatArray y, long yOffset) {
        long xSize = images(n, "avgPoolForward n") * poolImage(g, "avgPoolForward");
        long ySize = n * g.outSize();
        Span sx = floats(x).span("x", xOffset, xSize);
        Span sy = floats(y).span("y", yOffset, ySize);
        LayerChecks.disjoint(y, yOffset, ySize, "avgPoolForward y", x, xOffset, xSize, "x");
        return ySize == 0 ? List.of() : List.of(new PoolLaunches.AvgForward(g, n, sx, sy));
    }

    List<Launcher> avgPoolBackward(PoolGeometry g, int n, FloatArray dy, long dyOffset, FloatArray dx,
                                   long dxOffset) {
        long xSize = images(n, "avgPoolBackward n") * poolImage(g, "avgPoolBackward");
        long ySize = n * g.outSize();
        Span sdy = floats(dy).span("dy", dyOffset, ySize);
        Span sdx = floats(dx).span("dx", dxOffset, xSize);
        LayerChecks.disjoint(dx, dxOffset, xSize, "avgPoolBackward dx", dy, dyOffset, ySize, "dy");
        return xSize == 0 ? List.of() : List.of(new PoolLaunches.AvgBackward(g, n, sdy, sdx));
    }

    List<Launcher> batchNormTraining(Mat x, Mat gamma, Mat beta, float eps, float momentum, FloatArray running,
                                     long meanOffset, long varOffset, FloatArray saved, long savedOffset, Mat y,
                                     Scratch scratch) {
        int rows = x.rows();
        int c = x.cols();
        LayerChecks.batchNormTraining(x, gamma, beta, eps, momentum, y);
        Span runningMean = floats(running).span("running_mean", meanOffset, c);
        Span runningVar = floats(running).span("running_var", varOffset, c);
        Span savedSpan = floats(saved).span("saved", savedOffset, 2L * c);
        LayerChecks.batchNormTrainingOverlaps(x, gamma, beta, running, meanOffset, varOffset, saved, savedOffset, y);
        Span sx = span("x", x);
        Span sg = span("gamma", gamma);
        Span sb = span("beta", beta);
        Span sy = span("y", y);
        if (c == 0) {
            return List.of();
        }
        Span work = scratch.batchNorm(NormLaunches.scratch(rows, c));
        long count = NormLaunches.partials(rows, c);
        Span partials = doubles(work, "partials", 0, count);
        Span mean = doubles(work, "mean", 2 * count, c);
        return List.of(new NormLaunches.SumPartials(sx, rows, c, partials),
                new NormLaunches.Mean(partials, rows, c, mean),
                new NormLaunches.SquarePartials(sx, rows, c, mean, partials),
                new NormLaunches.Stats(partials, mean, rows, c, eps, momentum, runningMean, runningVar, savedSpan),
                new NormLaunches.Normalize(sx, rows, c, savedSpan, sg, sb, sy));
    }

    List<Launcher> batchNormInference(Mat x, Mat gamma, Mat beta, float eps, FloatArray running, long meanOffset,
                                      long varOffset, Mat y) {
        int c = x.cols();
        LayerChecks.batchNormInference(x, gamma, beta, eps, y);
        Span runningMean = floats(running).span("running_mean", meanOffset, c);
        Span runningVar = floats(running).span("running_var", varOffset, c);
        LayerChecks.batchNormInferenceOverlaps(running, meanOffset, varOffset, y);
        Span sx = span("x", x);
        Span sg = span("gamma", gamma);
        Span sb = span("beta", beta);
        Span sy = span("y", y);
        return x.size() == 0 ? List.of()
                : List.of(new NormLaunches.Inference(sx, x.rows(), c, eps, runningMean, runningVar, sg, sb, sy));
    }

    List<Launcher> batchNormBackward(Mat x, Mat dy, Mat gamma, FloatArray saved, long savedOffset, Mat dx,
                                     Mat dGamma, Mat dBeta, Scratch scratch) {
        int rows = x.rows();
        int c = x.cols();
        LayerChecks.batchNormBackward(x, dy, gamma, dx, dGamma, dBeta);
        Span savedSpan = floats(saved).span("saved", savedOffset, 2L * c);
        LayerChecks.batchNormBackwardOverlaps(saved, savedOffset, dx);
        Span sx = span("x", x);
        Span sdy = span("dy", dy);
        Span sg = span("gamma", gamma);
        Span sdx = span("dx", dx);
        Span sdg = span("dgamma", dGamma);
        Span sdb = span("dbeta", dBeta);
        if (c == 0) {
            return List.of();
        }
        Span work = scratch.batchNorm(NormLaunches.scratch(rows, c));
        long count = NormLaunches.partials(rows, c);
        Span partials = doubles(work, "partials", 0, 2 * count);
        Span sums = doubles(work, "sums", 2 * count, 2L * c);
        return List.of(new NormLaunches.BackwardPartials(sx, sdy, rows, c, savedSpan, partials),
                new NormLaunches.BackwardSums(partials, rows, c, sums, sdg, sdb),
                new NormLaunches.BackwardDx(sx, sdy, rows, c, sg, savedSpan, sums, sdx));
    }

    List<Launcher> dropoutForward(FloatArray x, long xOffset, long n, float p, long seed, int stream,
                                  IntArray draws, long drawsOffset, FloatArray mask, long maskOffset, FloatArray y,
                                  long yOffset) {
        LayerChecks.dropoutP(p);
        if (n < 0) {
            throw new IllegalArgumentException("dropoutForward n must be >= 0, got " + n);
        }
        Span sx = floats(x).span("x", xOffset, n);
        Span sm = floats(mask).span("mask", maskOffset, n);
        Span sy = floats(y).span("y", yOffset, n);
        Span sd = ints(draws).span("draws", drawsOffset, 1);
        LayerChecks.dropoutForwardOverlaps(x, xOffset, n, mask, maskOffset, y, yOffset);
        return n == 0 ? List.of() : List.of(new DropoutLaunches.Forward(sx, n, p, seed, stream, sd, sm, sy));
    }

    List<Launcher> multiply(FloatArray a, long aOffset, FloatArray b, long bOffset, long n) {
        if (n < 0) {
            throw new IllegalArgumentException("multiply n must be >= 0, got " + n);
        }
        Span sa = floats(a).span("a", aOffset, n);
        Span sb = floats(b).span("b", bOffset, n);
        LayerChecks.disjointUnlessSame(a, aOffset, "multiply a", b, bOffset, n, "b (unless it is a itself)");
        return n == 0 ? List.of() : List.of(new DropoutLaunches.Multiply(sa, sb, n));
    }

    List<Launcher> advance(IntArray counter, long offset) {
        return List.of(new DropoutLaunches.Advance(ints(counter).span("counter", offset, 1)));
    }

    // ---- fused optimizer steps ---------------------------------------------------------------------------------

    List<Launcher> sgdStep(SgdArgs args, FloatArray scalars, FloatArray params, FloatArray grads,
                           FloatArray momentumBuffer, long n) {
        checkStep(scalars, n, params, grads, momentumBuffer);
        if (n == 0) {
            return List.of();
        }
        return List.of(new OptimLaunches.Sgd(args, scalarSpan(scalars), required("params", params, n),
                required("grads", grads, n), optional("momentum_buffer", momentumBuffer, n), n));
    }

    List<Launcher> adamStep(AdamArgs args, FloatArray scalars, FloatArray params, FloatArray grads, FloatArray expAvg,
                            FloatArray expAvgSq, FloatArray maxExpAvgSq, long n) {
        checkStep(scalars, n, params, grads, expAvg, expAvgSq, maxExpAvgSq);
        if (args.amsgrad() && maxExpAvgSq == null) {
            throw new IllegalArgumentException("amsgrad needs a max_exp_avg_sq buffer");
        }
        if (n == 0) {
            return List.of();
        }
        return List.of(new OptimLaunches.Adam(args, scalarSpan(scalars), required("params", params, n),
                required("grads", grads, n), required("exp_avg", expAvg, n), required("exp_avg_sq", expAvgSq, n),
                optional("max_exp_avg_sq", maxExpAvgSq, n), n));
    }

    List<Launcher> rmspropStep(RmsPropArgs args, FloatArray scalars, FloatArray params, FloatArray grads,
                               FloatArray squareAvg, FloatArray gradAvg, FloatArray momentumBuffer, long n) {
        checkStep(scalars, n, params, grads, squareAvg, gradAvg, momentumBuffer);
        if (args.withMomentum() && momentumBuffer == null) {
            throw new IllegalArgumentException("RMSprop with momentum needs a momentum buffer");
        }
        if (args.centered() && gradAvg == null) {
            throw new IllegalArgumentException("centered RMSprop needs a grad_avg buffer");
        }
        if (n == 0) {
            return List.of();
        }
        return List.of(new OptimLaunches.RmsProp(args, scalarSpan(scalars), required("params", params, n),
                required("grads", grads, n), required("square_avg", squareAvg, n),
                optional("grad_avg", gradAvg, n), optional("momentum_buffer", momentumBuffer, n), n));
    }

    /** The clip coefficient and skip flag from a squared norm, on the device ({@code finalize_step_scalars}). */
    List<Launcher> finalizeStepScalars(FloatArray normSquared, long offset, float maxNorm, FloatArray scalars) {
        Span norm = floats(normSquared).span("norm_sq", offset, 1);
        return List.of(new OptimLaunches.FinalizeStepScalars(norm, maxNorm, scalarSpan(scalars)));
    }

    // ---- checks ----------------------------------------------------------------------------------------------

    /** The buffer as this backend's device floats; throws for another backend's buffer or a closed one. */
    CudaFloats floats(FloatArray x) {
        if (!(x instanceof CudaFloats c) || c.owner() != owner) {
            throw new IllegalArgumentException("buffer of another backend: " + describe(x));
        }
        return c;
    }

    CudaInts ints(IntArray x) {
        if (!(x instanceof CudaInts c) || c.owner() != owner) {
            throw new IllegalArgumentException("buffer of another backend: " + describe(x));
        }
        return c;
    }

    private Span span(String name, Mat m) {
        return floats(m.data()).span(name, m.offset(), m.size());
    }

    /** {@code n}, the image count of a layer op, after checking that it is not negative. */
    private static long images(int n, String what) {
        if (n < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + n);
        }
        return n;
    }

    /** One pooled image's size, which must fit an int: the argmax indices within an image are ints. */
    private static long poolImage(PoolGeometry g, String op) {
        if (g.inSize() > Integer.MAX_VALUE || g.outSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": an image of " + Math.max(g.inSize(), g.outSize())
                    + " elements is more than the 2^31 - 1 an int index reaches");
        }
        return g.inSize();
    }

    /** Doubles {@code [from, from + count)} of a scratch span of doubles, named for messages. */
    private static Span doubles(Span scratch, String name, long from, long count) {
        return new Span(name, scratch.base(), scratch.byteOffset() + 8 * from, count, "doubles");
    }

    private Span scalarSpan(FloatArray scalars) {
        return floats(scalars).span("scalars", 0, StepScalars.SIZE);
    }

    private Span required(String name, FloatArray x, long n) {
        if (x == null) {
            throw new IllegalArgumentException("optimizer buffer " + name + " is missing");
        }
        return floats(x).span(name, 0, n);
    }

    private Span optional(String name, FloatArray x, long n) {
        return x == null ? Span.absent(name) : floats(x).span(name, 0, n);
    }

    private static String describe(Object x) {
        return x instanceof DeviceBuffer ? x.toString() : x == null ? "null" : x.getClass().getSimpleName();
    }

    private void checkStep(FloatArray scalars, long n, FloatArray... buffers) {
        if (floats(scalars).length() < StepScalars.SIZE) {
            throw new IllegalArgumentException("step scalars need " + StepScalars.SIZE + " slots");
        }
        if (n < 0) {
            throw new IllegalArgumentException("optimizer step over " + n + " parameters");
        }
        for (FloatArray b : buffers) {
            if (b != null && floats(b).length() < n) {
                throw new IllegalArgumentException("optimizer buffer of " + b.length() + " for " + n + " parameters");
            }
        }
    }
}
