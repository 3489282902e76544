package dev.anneal.backend;

import static dev.anneal.backend.MatChecks.sameShape;
import static dev.anneal.backend.MatChecks.sameView;

/**
 * The argument checks of the layer op families ({@link ConvOps}, {@link PoolOps}, {@link NormOps},
 * {@link DropoutOps}) that every backend applies, beside {@link MatChecks}, so that a bad call fails the same way
 * (same exception, same message) on the CPU and on a GPU: parameters, shapes and overlaps. Whether a range lies
 * inside its buffer, and how many elements a buffer may hold, each backend checks itself (the limits differ);
 * the overlap checks on ranges of flat buffers ({@code ...Overlaps}) come after those range checks.
 *
 * <p>Two ranges overlap when they are ranges of the same buffer (by identity: a {@link FloatArray},
 * {@link IntArray} or a backend's backing array) that share an element; an empty range overlaps nothing.
 */
public final class LayerChecks {
    private LayerChecks() {
    }

    /** Throws when {@code [aOff, aOff + an)} of {@code a} and {@code [bOff, bOff + bn)} of {@code b} share memory. */
    public static void disjoint(Object a, long aOff, long an, String what, Object b, long bOff, long bn,
                                String other) {
        if (a == b && an > 0 && bn > 0 && aOff < bOff + bn && bOff < aOff + an) {
            throw new IllegalArgumentException(what + " [" + aOff + ", " + (aOff + an) + ") overlaps " + other + " ["
                    + bOff + ", " + (bOff + bn) + ")");
        }
    }

    /**
     * As {@link #disjoint(Object, long, long, String, Object, long, long, String)} for two ranges of {@code n}
     * elements, except that the very same range is allowed (an op's in-place form); {@code other} names that.
     */
    public static void disjointUnlessSame(Object a, long aOff, String what, Object b, long bOff, long n,
                                          String other) {
        if (!(a == b && aOff == bOff)) {
            disjoint(a, aOff, n, what, b, bOff, n, other);
        }
    }

    /**
     * After the range checks of {@link PoolOps#maxPoolBiasForward}: {@code y} ({@code yn} floats) is apart from
     * {@code x} ({@code xn}) and from the {@code c} bias floats.
     */
    public static void maxPoolBiasForwardOverlaps(Object y, long yOff, long yn, Object x, long xOff, long xn,
                                                  Object bias, long biasOff, int c) {
        disjoint(y, yOff, yn, "maxPoolBiasForward y", x, xOff, xn, "x");
        disjoint(y, yOff, yn, "maxPoolBiasForward y", bias, biasOff, c, "bias");
    }

    /** The shape of {@code toChannelsLast} / {@code toChannelsFirst}: {@code n >= 0}, the rest positive. */
    public static void imageShape(String op, int n, int c, int h, int w) {
        if (n < 0 || c <= 0 || h <= 0 || w <= 0) {
            throw new IllegalArgumentException(op + ": bad shape n " + n + ", c " + c + ", h " + h + ", w " + w);
        }
    }

    /**
     * {@link NormOps#batchNormTraining}: at least two rows, a finite {@code eps >= 0} and momentum, one gamma
     * and beta per channel, {@code y} of {@code x}'s shape and apart from {@code x}, gamma and beta.
     */
    public static void batchNormTraining(Mat x, Mat gamma, Mat beta, float eps, float momentum, Mat y) {
        int rows = x.rows();
        if (rows < 2) {
            throw new IllegalArgumentException("batchNormTraining needs at least 2 values per channel, got " + rows
                    + " rows (PyTorch refuses one value per channel in training)");
        }
        batchNormEps(eps);
        if (!Float.isFinite(momentum)) {
            throw new IllegalArgumentException("batchNormTraining momentum must be finite, got " + momentum);
        }
        batchNormAffine("batchNormTraining", x, gamma, beta);
        sameShape(x, y, "batchNormTraining y");
        MatChecks.disjoint(y, x, "batchNormTraining y", "x");
        MatChecks.disjoint(y, gamma, "batchNormTraining y", "gamma");
        MatChecks.disjoint(y, beta, "batchNormTraining y", "beta");
    }

    /**
     * After the backend has checked that they lie inside their buffers: the {@code c} running means, the
     * {@code c} running variances and the {@code 2c} saved floats overlap neither each other nor {@code x},
     * gamma, beta or {@code y}.
     */
    public static void batchNormTrainingOverlaps(Mat x, Mat gamma, Mat beta, FloatArray running, long meanOffset,
                                                 long varOffset, FloatArray saved, long savedOffset, Mat y) {
        int c = x.cols();
        disjoint(running, meanOffset, c, "batchNormTraining running mean", running, varOffset, c, "running var");
        for (long off : new long[] {meanOffset, varOffset}) {
            disjoint(running, off, c, "batchNormTraining running", saved, savedOffset, 2L * c, "saved");
            disjoint(running, off, c, "batchNormTraining running", y.data(), y.offset(), y.size(), "y");
        }
        disjoint(saved, savedOffset, 2L * c, "batchNormTraining saved", y.data(), y.offset(), y.size(), "y");
        for (Mat in : new Mat[] {x, gamma, beta}) {
            disjoint(saved, savedOffset, 2L * c, "batchNormTraining saved", in.data(), in.offset(), in.size(),
                    "x, gamma or beta");
            disjoint(running, meanOffset, c, "batchNormTraining running mean", in.data(), in.offset(), in.size(),
                    "x, gamma or beta");
            disjoint(running, varOffset, c, "batchNormTraining running var", in.data(), in.offset(), in.size(),
                    "x, gamma or beta");
        }
    }

    /**
     * {@link NormOps#batchNormInference}: a finite {@code eps >= 0}, one gamma and beta per channel, {@code y} of
     * {@code x}'s shape, {@code x} itself or apart from it, and apart from gamma and beta.
     */
    public static void batchNormInference(Mat x, Mat gamma, Mat beta, float eps, Mat y) {
        batchNormEps(eps);
        batchNormAffine("batchNormInference", x, gamma, beta);
        sameShape(x, y, "batchNormInference y");
        if (!sameView(x, y)) {
            MatChecks.disjoint(y, x, "batchNormInference y", "x (unless it is x itself)");
        }
        MatChecks.disjoint(y, gamma, "batchNormInference y", "gamma");
        MatChecks.disjoint(y, beta, "batchNormInference y", "beta");
    }

    /** After the range checks: {@code y} overlaps neither the running means nor the running variances. */
    public static void batchNormInferenceOverlaps(FloatArray running, long meanOffset, long varOffset, Mat y) {
        int c = y.cols();
        disjoint(y.data(), y.offset(), y.size(), "batchNormInference y", running, meanOffset, c, "running mean");
        disjoint(y.data(), y.offset(), y.size(), "batchNormInference y", running, varOffset, c, "running var");
    }

    /**
     * {@link NormOps#batchNormBackward}: at least two rows, {@code dy} and {@code dx} of {@code x}'s shape, one
     * gamma, dGamma and dBeta per channel; {@code dx} is {@code dy} itself or apart from it and apart from
     * {@code x} and gamma; dGamma and dBeta are apart from each other, the inputs and {@code dx}.
     */
    public static void batchNormBackward(Mat x, Mat dy, Mat gamma, Mat dx, Mat dGamma, Mat dBeta) {
        int rows = x.rows();
        int c = x.cols();
        if (rows < 2) {
            throw new IllegalArgumentException("batchNormBackward needs at least 2 rows, got " + rows);
        }
        sameShape(x, dy, "batchNormBackward dy");
        sameShape(x, dx, "batchNormBackward dx");
        for (Mat v : new Mat[] {gamma, dGamma, dBeta}) {
            if (v.size() != c) {
                throw new IllegalArgumentException("batchNormBackward gamma, dGamma and dBeta need " + c
                        + " elements (one per channel), got " + v.size());
            }
        }
        if (!sameView(dy, dx)) {
            MatChecks.disjoint(dx, dy, "batchNormBackward dx", "dy (unless it is dy itself)");
        }
        MatChecks.disjoint(dx, x, "batchNormBackward dx", "x");
        MatChecks.disjoint(dx, gamma, "batchNormBackward dx", "gamma");
        MatChecks.disjoint(dGamma, dBeta, "batchNormBackward dGamma", "dBeta");
        for (Mat in : new Mat[] {x, dy, gamma, dx}) {
            MatChecks.disjoint(dGamma, in, "batchNormBackward dGamma", "an input or dx");
            MatChecks.disjoint(dBeta, in, "batchNormBackward dBeta", "an input or dx");
        }
    }

    /** After the range check: {@code dx} does not overlap the {@code 2c} saved floats. */
    public static void batchNormBackwardOverlaps(FloatArray saved, long savedOffset, Mat dx) {
        disjoint(dx.data(), dx.offset(), dx.size(), "batchNormBackward dx", saved, savedOffset, 2L * dx.cols(),
                "saved");
    }

    /** {@link DropoutOps#dropoutForward}'s drop probability: in {@code [0, 1]} (not NaN). */
    public static void dropoutP(float p) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("dropout p must be in [0, 1], got " + p);
        }
    }

    /**
     * After the range checks: {@code y} is {@code x} itself or apart from it, the mask is apart from both (all
     * ranges of {@code n} elements).
     */
    public static void dropoutForwardOverlaps(FloatArray x, long xOffset, long n, FloatArray mask, long maskOffset,
                                              FloatArray y, long yOffset) {
        disjointUnlessSame(y, yOffset, "dropoutForward y", x, xOffset, n, "x (unless it is x itself)");
        disjoint(mask, maskOffset, n, "dropoutForward mask", x, xOffset, n, "x");
        disjoint(mask, maskOffset, n, "dropoutForward mask", y, yOffset, n, "y");
    }

    /** {@code batch norm eps}: finite and {@code >= 0}. */
    private static void batchNormEps(float eps) {
        if (!(eps >= 0f) || !Float.isFinite(eps)) {
            throw new IllegalArgumentException("batch norm eps must be finite and >= 0, got " + eps);
        }
    }

    private static void batchNormAffine(String op, Mat x, Mat gamma, Mat beta) {
        if (gamma.size() != x.cols() || beta.size() != x.cols()) {
            throw new IllegalArgumentException(op + " gamma and beta need " + x.cols()
                    + " elements (one per channel), got " + gamma.size() + " and " + beta.size());
        }
    }
}
