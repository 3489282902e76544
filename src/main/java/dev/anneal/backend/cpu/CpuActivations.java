package dev.anneal.backend.cpu;

import dev.anneal.backend.Activation;

/**
 * The fused bias + activation and its backward pass on Java arrays (formulas in {@link Activation}). The
 * activation is chosen once per call, outside the loops, so each inner loop is one straight-line body the JIT
 * can unroll, and for identity and relu vectorize: relu is {@code max(z, 0)} and its derivative
 * {@code min(max(z, 0) * 2^149, 1)} (1 for every z > 0, the smallest subnormal included, else 0), branch-free,
 * where a compare-and-select costs a mispredicted branch per element (about 6 ns against 0.2 ns on the benchmark
 * machine). Unlike a compare, they carry a NaN z through as NaN. GELU and tanh are evaluated in double and
 * rounded once to float; tanh through {@link Math#exp}, about 5 times faster than {@link Math#tanh}. The loop
 * shapes were picked by timing, since C2's choices (vectorize or not, branch or select) turn on details: GELU
 * and tanh add the bias in their own loop, GELU's derivative takes {@code Phi} from {@link Erf#normalCdf}
 * (twice as fast there as {@code (1 + erf(z / sqrt 2)) / 2}, which in turn is the faster form in the forward
 * loop).
 *
 * <p>Rows or element ranges are split over {@link CpuParallel} only when each thread gets about a millisecond of
 * work: a fork-join measured 10 to 100 microseconds on the 2-vCPU benchmark VM, and splitting 0.2 ms of relu
 * or a squared norm made it slower. So from {@link #CHEAP_GRAIN} elements per thread for identity and relu
 * (below a nanosecond an element), {@link #GRAIN} for GELU and tanh (15 to 50 ns an element); at the MLP's sizes
 * (128 x 512) only GELU and tanh split. Every element is computed the same way whatever the split.
 */
final class CpuActivations {
    /** Elements per chunk below which GELU and tanh stay on the calling thread. */
    static final int GRAIN = 1 << 14;
    /** The same for identity and relu (well under a nanosecond an element). */
    static final int CHEAP_GRAIN = 1 << 20;
    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2 * Math.PI);

    private CpuActivations() {
    }

    /** {@code z[i][j] += bias[j]}, then {@code out[i][j] = act(z[i][j])}; {@code out} may be {@code z}. */
    static void biasActivation(float[] z, int zOff, int rows, int cols, float[] bias, int bOff, Activation act,
                               float[] out, int outOff) {
        if (rows == 0 || cols == 0) {
            return;
        }
        int rowGrain = Math.max(1, grain(act) / cols);
        CpuParallel.forRange(0, rows, rowGrain, (chunk, from, to) -> {
            for (int i = from; i < to; i++) {
                int zr = zOff + i * cols;
                apply(act, z, zr, bias, bOff, out, outOff + i * cols, cols);
            }
        });
    }

    /**
     * {@code out[i] = act(z[i])} over {@code n} elements, without a bias; {@code out} may be {@code z}. Each
     * element is computed as {@link #biasActivation} computes it after its bias add.
     */
    static void activation(Activation act, float[] z, int zOff, float[] out, int outOff, int n) {
        if (n == 0) {
            return;
        }
        CpuParallel.forRange(0, n, grain(act), (chunk, from, to) -> {
            int zo = zOff + from;
            int oo = outOff + from;
            int len = to - from;
            switch (act) {
                case IDENTITY:
                    if (out != z || oo != zo) {
                        System.arraycopy(z, zo, out, oo, len);
                    }
                    break;
                case RELU:
                    reluRow(z, zo, out, oo, len);
                    break;
                case GELU:
                    for (int i = 0; i < len; i++) {
                        float v = z[zo + i];
                        out[oo + i] = (float) (0.5 * v * (1.0 + Erf.erf(v * SQRT_HALF)));
                    }
                    break;
                case TANH:
                    for (int i = 0; i < len; i++) {
                        out[oo + i] = (float) tanh(z[zo + i]);
                    }
                    break;
                default:
                    throw new AssertionError(act);
            }
        });
    }

    /** {@code grad[i] *= act'(z[i])} over {@code n} elements. */
    static void activationBackward(Activation act, float[] z, int zOff, float[] grad, int gOff, int n) {
        if (act == Activation.IDENTITY || n == 0) {
            return;
        }
        CpuParallel.forRange(0, n, grain(act), (chunk, from, to) -> {
            switch (act) {
                case RELU:
                    reluBackward(z, zOff + from, grad, gOff + from, to - from);
                    break;
                case GELU:
                    geluBackward(z, zOff + from, grad, gOff + from, to - from);
                    break;
                case TANH:
                    tanhBackward(z, zOff + from, grad, gOff + from, to - from);
                    break;
                default:
                    throw new AssertionError(act);
            }
        });
    }

    private static int grain(Activation act) {
        return act == Activation.IDENTITY || act == Activation.RELU ? CHEAP_GRAIN : GRAIN;
    }

    private static void addBias(float[] z, int zr, float[] bias, int bOff, int cols) {
        for (int j = 0; j < cols; j++) {
            z[zr + j] += bias[bOff + j];
        }
    }

    /** One row: {@code z[j] += bias[j]}, {@code out[j] = act(z[j])}. */
    private static void apply(Activation act, float[] z, int zr, float[] bias, int bOff, float[] out, int or,
                              int cols) {
        switch (act) {
            case IDENTITY:
                addBias(z, zr, bias, bOff, cols);
                if (out != z || or != zr) {
                    System.arraycopy(z, zr, out, or, cols);
                }
                break;
            case RELU:
                addBias(z, zr, bias, bOff, cols);
                reluRow(z, zr, out, or, cols);
                break;
            case GELU:
                geluRow(z, zr, bias, bOff, out, or, cols);
                break;
            case TANH:
                tanhRow(z, zr, bias, bOff, out, or, cols);
                break;
            default:
                throw new AssertionError(act);
        }
    }

    /**
     * {@code z <= 0 ? 0 : z}, as {@code torch.relu} and the CUDA kernel ({@code common.cuh}): NaN passes, both zeros
     * give +0. Branch free by z's bits ({@link #nonPositive}): {@code Math.max} compiles to branches where the JIT
     * does not vectorise the loop (views at element offsets), and on random signs those mispredict about every
     * other element, several times slower.
     */
    private static void reluRow(float[] z, int zr, float[] out, int or, int cols) {
        for (int j = 0; j < cols; j++) {
            int b = Float.floatToRawIntBits(z[zr + j]);
            out[or + j] = Float.intBitsToFloat(b & ~nonPositive(b));
        }
    }

    /**
     * All ones when the float of bits {@code b} is {@code <= 0} (a negative number, -inf or either zero), else 0
     * (positive numbers and every NaN, for which the comparison is false).
     */
    static int nonPositive(int b) {
        int magnitude = b & 0x7fffffff;
        int notNaN = (magnitude - 0x7f800001) >> 31;
        int negativeOrZero = (b | (magnitude - 1)) >> 31;
        return notNaN & negativeOrZero;
    }

    /** {@code gelu(z) = z/2 * (1 + erf(z / sqrt 2))}, with the bias add in the same loop. */
    private static void geluRow(float[] z, int zr, float[] bias, int bOff, float[] out, int or, int cols) {
        for (int j = 0; j < cols; j++) {
            float v = z[zr + j] + bias[bOff + j];
            z[zr + j] = v;
            out[or + j] = (float) (0.5 * v * (1.0 + Erf.erf(v * SQRT_HALF)));
        }
    }

    private static void tanhRow(float[] z, int zr, float[] bias, int bOff, float[] out, int or, int cols) {
        for (int j = 0; j < cols; j++) {
            float v = z[zr + j] + bias[bOff + j];
            z[zr + j] = v;
            out[or + j] = (float) tanh(v);
        }
    }

    /**
     * {@code g = z <= 0 ? 0 : g}: PyTorch's {@code threshold_backward} and the CUDA kernel's select
     * ({@code layers.cu}); a NaN z passes the gradient, a dropped element is +0 whatever g was. Integer operations on
     * the bits ({@link #nonPositive}), branch free for the reason {@link #reluRow} gives.
     */
    private static void reluBackward(float[] z, int zo, float[] g, int go, int n) {
        for (int i = 0; i < n; i++) {
            int drop = nonPositive(Float.floatToRawIntBits(z[zo + i]));
            g[go + i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[go + i]) & ~drop);
        }
    }

    /** {@code gelu'(z) = Phi(z) + z * phi(z)}, {@code phi(z) = exp(-z^2/2) / sqrt(2 pi)}. */
    private static void geluBackward(float[] z, int zo, float[] g, int go, int n) {
        for (int i = 0; i < n; i++) {
            double v = z[zo + i];
            double d = Erf.normalCdf(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
            g[go + i] *= (float) d;
        }
    }

    private static void tanhBackward(float[] z, int zo, float[] g, int go, int n) {
        for (int i = 0; i < n; i++) {
            double t = tanh(z[zo + i]);
            g[go + i] *= (float) (1.0 - t * t);
        }
    }

    /**
     * {@code tanh(x) = sign(x) (1 - e) / (1 + e)} with {@code e = exp(-2|x|)}: one {@link Math#exp} (a JIT
     * intrinsic, where {@link Math#tanh} is a native call on Java 17). Below {@code |x| = 2^-10} the series
     * {@code x - x^3/3 + 2x^5/15} avoids the cancellation in {@code 1 - e}; both are within a few double ulps,
     * far below float resolution.
     */
    static double tanh(double x) {
        double ax = Math.abs(x);
        if (ax < 0x1p-10) {
            double x2 = x * x;
            return x * (1.0 - x2 * (1.0 / 3.0 - x2 * (2.0 / 15.0)));
        }
        double e = Math.exp(-2.0 * ax);
        return Math.copySign((1.0 - e) / (1.0 + e), x);
    }
}
