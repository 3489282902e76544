package dev.anneal.backend.cpu;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.LayerChecks;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.PoolGeometry;
import dev.anneal.backend.PoolOps;

/**
 * Max and average pooling over channels-last images, the CPU twin of {@code cuda-kernels/pool.cu}; contracts in
 * {@link PoolOps}. The loops follow PyTorch 1.13's CPU kernels ({@code aten/src/ATen/native/cpu/MaxPoolKernel.cpp},
 * {@code AvgPoolKernel.cpp}) so that the bits agree with it:
 * <ul>
 *   <li>max with a bias ({@link PoolOps#maxPoolBiasForward}): each element read is {@code x + bias[channel]},
 *       then as max;</li>
 *   <li>max: start from {@code -inf} with the first in-bounds window element as argmax, then over the window in
 *       {@code (ky, kx)} order take {@code v} when {@code v > max || isNaN(v)}: the first maximum wins, a NaN wins
 *       over every number, and of several NaNs the last one is the argmax (PyTorch's rule, on the CPU and in
 *       CUDA);</li>
 *   <li>average: the in-bounds elements summed in float from 0 in {@code (ky, kx)} order, then one division by
 *       {@code kH kW} (with {@code ceil_mode=False} and {@code pad <= kernel / 2} every window lies inside the
 *       padded image, so {@code count_include_pad} divides by the full kernel);</li>
 *   <li>backward passes: each image's {@code dx} is zeroed, then the outputs {@code j} are visited in ascending
 *       order adding their share ({@code dy[j]} to the argmax for max, {@code dy[j] / (kH kW)} to every in-bounds
 *       window element for average). Every input element so sums its windows in ascending window order, the
 *       same bits as a gather over the windows that cover it (the CUDA form), and no two threads share an
 *       image.</li>
 * </ul>
 * Forward passes split output pixels, backward passes images over {@link CpuParallel}; no result depends on the
 * split.
 */
final class CpuPool implements PoolOps {
    /** Floats moved per chunk below which an op stays on the calling thread. */
    static final int GRAIN = 1 << 16;

    @Override
    public void maxPoolForward(PoolGeometry g, int n, FloatArray x, long xOffset, FloatArray y, long yOffset,
                               IntArray argmax, long argmaxOffset) {
        int xSize = CpuRanges.elements(n, g.inSize(), "maxPoolForward x");
        int ySize = CpuRanges.elements(n, g.outSize(), "maxPoolForward y");
        float[] xa = CpuRanges.floats(x, xOffset, xSize, "maxPoolForward x");
        float[] ya = CpuRanges.floats(y, yOffset, ySize, "maxPoolForward y");
        int[] aa = CpuRanges.ints(argmax, argmaxOffset, ySize, "maxPoolForward argmax");
        LayerChecks.disjoint(ya, yOffset, ySize, "maxPoolForward y", xa, xOffset, xSize, "x");
        int pixels = n * g.outH() * g.outW();
        CpuParallel.forRange(0, pixels, pixelGrain(g), (chunk, from, to) ->
                maxForwardPixels(g, xa, (int) xOffset, null, 0, ya, (int) yOffset, aa, (int) argmaxOffset, from,
                        to));
    }

    @Override
    public void maxPoolBiasForward(PoolGeometry g, int n, FloatArray x, long xOffset, FloatArray bias,
                                   long biasOffset, FloatArray y, long yOffset, IntArray argmax, long argmaxOffset) {
        int xSize = CpuRanges.elements(n, g.inSize(), "maxPoolBiasForward x");
        int ySize = CpuRanges.elements(n, g.outSize(), "maxPoolBiasForward y");
        float[] xa = CpuRanges.floats(x, xOffset, xSize, "maxPoolBiasForward x");
        float[] ba = CpuRanges.floats(bias, biasOffset, g.c(), "maxPoolBiasForward bias");
        float[] ya = CpuRanges.floats(y, yOffset, ySize, "maxPoolBiasForward y");
        int[] aa = CpuRanges.ints(argmax, argmaxOffset, ySize, "maxPoolBiasForward argmax");
        LayerChecks.maxPoolBiasForwardOverlaps(ya, yOffset, ySize, xa, xOffset, xSize, ba, biasOffset, g.c());
        int pixels = n * g.outH() * g.outW();
        CpuParallel.forRange(0, pixels, pixelGrain(g), (chunk, from, to) ->
                maxForwardPixels(g, xa, (int) xOffset, ba, (int) biasOffset, ya, (int) yOffset, aa,
                        (int) argmaxOffset, from, to));
    }

    /**
     * Output pixels {@code [from, to)} in {@code (i, oy, ox)} order, all channels; with a {@code bias} (else null)
     * each element read is {@code x[e] + bias[bOff + channel]}.
     */
    static void maxForwardPixels(PoolGeometry g, float[] x, int xOff, float[] bias, int bOff, float[] y, int yOff,
                                 int[] argmax, int aOff, int from, int to) {
        int c = g.c();
        int inH = g.inH();
        int inW = g.inW();
        int outH = g.outH();
        int outW = g.outW();
        int perImage = outH * outW;
        int inSize = inH * inW * c;
        boolean twoByTwo = g.kH() == 2 && g.kW() == 2;
        for (int p = from; p < to; p++) {
            int i = p / perImage;
            int pix = p - i * perImage;
            int oy = pix / outW;
            int ox = pix - oy * outW;
            int y0 = oy * g.strideH() - g.padH();
            int x0 = ox * g.strideW() - g.padW();
            int ys = Math.max(y0, 0);
            int ye = Math.min(y0 + g.kH(), inH);
            int xs = Math.max(x0, 0);
            int xe = Math.min(x0 + g.kW(), inW);
            int out = yOff + p * c;
            int arg = aOff + p * c;
            int image = xOff + i * inSize;
            if (twoByTwo && ye - ys == 2 && xe - xs == 2) {
                maxWindow2x2(c, inW, x, image, (ys * inW + xs) * c, bias, bOff, y, out, argmax, arg);
                continue;
            }
            // Channel outer, window inner: the running maximum and its index stay in registers and each output is
            // written once. take = v > max || isNaN(v) as an all-ones mask and both updates as bit selects: no
            // branch (random data mispredicts half the compares).
            // With a bias, v = x + b (exactly the bias pass's addition); without one, x itself (adding 0 would turn
            // -0 into +0).
            boolean add = bias != null;
            for (int ch = 0; ch < c; ch++) {
                float max = Float.NEGATIVE_INFINITY;
                int best = (ys * inW + xs) * c + ch;
                float b = add ? bias[bOff + ch] : 0f;
                for (int iy = ys; iy < ye; iy++) {
                    int row = iy * inW;
                    for (int ix = xs; ix < xe; ix++) {
                        int at = (row + ix) * c + ch;
                        float v = add ? x[image + at] + b : x[image + at];
                        int take = -((v > max | v != v) ? 1 : 0);
                        max = Float.intBitsToFloat(Float.floatToRawIntBits(v) & take
                                | Float.floatToRawIntBits(max) & ~take);
                        best = at & take | best & ~take;
                    }
                }
                y[out + ch] = max;
                argmax[arg + ch] = best;
            }
        }
    }

    /**
     * One 2x2 window wholly inside the image, whose top-left element is {@code start} (relative to
     * {@code image}), all channels: the same argmax and output bits as the general loop, of {@code v = x} or, with
     * a {@code bias} (else null), {@code v = x + bias[channel]} (the bias pass's addition; without one nothing is
     * added, since adding 0 would turn -0 into +0). The four taps are taken as a tournament, each match won by
     * the later tap {@code l} over the earlier {@code e} when {@code v_l > v_e || isNaN(v_l)}: first {@code (0, 1)}
     * and {@code (2, 3)}, then the two winners. That is the general loop's result: a NaN in the second pair wins
     * as the last NaN of it, one only in the first pair keeps that pair's last NaN (no number beats a NaN), and
     * without NaNs the later pair wins only when strictly greater, so the first maximum wins. Values travel as
     * their raw bits and every choice is a mask select (no branch, no {@code Math.max}, whose scalar form is slow
     * here), so the output is the winning {@code v} bit for bit.
     */
    private static void maxWindow2x2(int c, int inW, float[] x, int image, int start, float[] bias, int bOff,
                                     float[] y, int out, int[] argmax, int arg) {
        boolean add = bias != null;
        int d1 = c;
        int d2 = inW * c;
        int d3 = d2 + c;
        int s = image + start;
        for (int ch = 0; ch < c; ch++) {
            float b = add ? bias[bOff + ch] : 0f;
            float v0 = add ? x[s + ch] + b : x[s + ch];
            float v1 = add ? x[s + d1 + ch] + b : x[s + d1 + ch];
            float v2 = add ? x[s + d2 + ch] + b : x[s + d2 + ch];
            float v3 = add ? x[s + d3 + ch] + b : x[s + d3 + ch];
            int first = laterWins(v0, v1);
            int bits01 = select(first, Float.floatToRawIntBits(v1), Float.floatToRawIntBits(v0));
            int at01 = d1 & first;
            int second = laterWins(v2, v3);
            int bits23 = select(second, Float.floatToRawIntBits(v3), Float.floatToRawIntBits(v2));
            int at23 = select(second, d3, d2);
            int last = laterWins(Float.intBitsToFloat(bits01), Float.intBitsToFloat(bits23));
            y[out + ch] = Float.intBitsToFloat(select(last, bits23, bits01));
            argmax[arg + ch] = start + ch + select(last, at23, at01);
        }
    }

    /** All ones when {@code later} takes over from {@code earlier} ({@code later > earlier || isNaN(later)}), else 0. */
    private static int laterWins(float earlier, float later) {
        return -((later > earlier | later != later) ? 1 : 0);
    }

    /** {@code a} where {@code mask} is all ones, {@code b} where it is 0. */
    private static int select(int mask, int a, int b) {
        return a & mask | b & ~mask;
    }

    @Override
    public void maxPoolBackward(PoolGeometry g, int n, FloatArray dy, long dyOffset, IntArray argmax,
                                long argmaxOffset, FloatArray dx, long dxOffset) {
        int xSize = CpuRanges.elements(n, g.inSize(), "maxPoolBackward dx");
        int ySize = CpuRanges.elements(n, g.outSize(), "maxPoolBackward dy");
        float[] dya = CpuRanges.floats(dy, dyOffset, ySize, "maxPoolBackward dy");
        float[] dxa = CpuRanges.floats(dx, dxOffset, xSize, "maxPoolBackward dx");
        int[] aa = CpuRanges.ints(argmax, argmaxOffset, ySize, "maxPoolBackward argmax");
        LayerChecks.disjoint(dxa, dxOffset, xSize, "maxPoolBackward dx", dya, dyOffset, ySize, "dy");
        CpuParallel.forRange(0, n, imageGrain(g), (chunk, from, to) ->
                maxBackwardImages(g, dya, (int) dyOffset, aa, (int) argmaxOffset, dxa, (int) dxOffset, from, to));
    }

    /** Images {@code [from, to)}: zero, then {@code dx[argmax[j]] += dy[j]} for ascending {@code j}. */
    static void maxBackwardImages(PoolGeometry g, float[] dy, int dyOff, int[] argmax, int aOff, float[] dx,
                                  int dxOff, int from, int to) {
        int inSize = (int) g.inSize();
        int outSize = (int) g.outSize();
        for (int i = from; i < to; i++) {
            int image = dxOff + i * inSize;
            java.util.Arrays.fill(dx, image, image + inSize, 0f);
            int o = i * outSize;
            for (int j = 0; j < outSize; j++) {
                int e = argmax[aOff + o + j];
                if (e < 0 || e >= inSize) {
                    throw new IllegalArgumentException("maxPoolBackward argmax " + e + " at output " + (o + j)
                            + " is outside its image of " + inSize + " elements");
                }
                dx[image + e] += dy[dyOff + o + j];
            }
        }
    }

    @Override
    public void avgPoolForward(PoolGeometry g, int n, FloatArray x, long xOffset, FloatArray y, long yOffset) {
        int xSize = CpuRanges.elements(n, g.inSize(), "avgPoolForward x");
        int ySize = CpuRanges.elements(n, g.outSize(), "avgPoolForward y");
        float[] xa = CpuRanges.floats(x, xOffset, xSize, "avgPoolForward x");
        float[] ya = CpuRanges.floats(y, yOffset, ySize, "avgPoolForward y");
        LayerChecks.disjoint(ya, yOffset, ySize, "avgPoolForward y", xa, xOffset, xSize, "x");
        int pixels = n * g.outH() * g.outW();
        CpuParallel.forRange(0, pixels, pixelGrain(g), (chunk, from, to) ->
                avgForwardPixels(g, xa, (int) xOffset, ya, (int) yOffset, from, to));
    }

    /** Output pixels {@code [from, to)}: the window sums in {@code (ky, kx)} order, then one division. */
    static void avgForwardPixels(PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int from, int to) {
        int c = g.c();
        int inH = g.inH();
        int inW = g.inW();
        int outH = g.outH();
        int outW = g.outW();
        int perImage = outH * outW;
        int inSize = inH * inW * c;
        float divisor = g.kH() * g.kW();
        for (int p = from; p < to; p++) {
            int i = p / perImage;
            int pix = p - i * perImage;
            int oy = pix / outW;
            int ox = pix - oy * outW;
            int y0 = oy * g.strideH() - g.padH();
            int x0 = ox * g.strideW() - g.padW();
            int ys = Math.max(y0, 0);
            int ye = Math.min(y0 + g.kH(), inH);
            int xs = Math.max(x0, 0);
            int xe = Math.min(x0 + g.kW(), inW);
            int out = yOff + p * c;
            for (int ch = 0; ch < c; ch++) {
                y[out + ch] = 0f;
            }
            int image = xOff + i * inSize;
            for (int iy = ys; iy < ye; iy++) {
                for (int ix = xs; ix < xe; ix++) {
                    int at = image + (iy * inW + ix) * c;
                    for (int ch = 0; ch < c; ch++) {
                        y[out + ch] += x[at + ch];
                    }
                }
            }
            for (int ch = 0; ch < c; ch++) {
                y[out + ch] /= divisor;
            }
        }
    }

    @Override
    public void avgPoolBackward(PoolGeometry g, int n, FloatArray dy, long dyOffset, FloatArray dx, long dxOffset) {
        int xSize = CpuRanges.elements(n, g.inSize(), "avgPoolBackward dx");
        int ySize = CpuRanges.elements(n, g.outSize(), "avgPoolBackward dy");
        float[] dya = CpuRanges.floats(dy, dyOffset, ySize, "avgPoolBackward dy");
        float[] dxa = CpuRanges.floats(dx, dxOffset, xSize, "avgPoolBackward dx");
        LayerChecks.disjoint(dxa, dxOffset, xSize, "avgPoolBackward dx", dya, dyOffset, ySize, "dy");
        CpuParallel.forRange(0, n, imageGrain(g), (chunk, from, to) ->
                avgBackwardImages(g, dya, (int) dyOffset, dxa, (int) dxOffset, from, to));
    }

    /** Images {@code [from, to)}: zero, then each output's {@code dy / (kH kW)} added over its window, in order. */
    static void avgBackwardImages(PoolGeometry g, float[] dy, int dyOff, float[] dx, int dxOff, int from, int to) {
        int c = g.c();
        int inH = g.inH();
        int inW = g.inW();
        int outH = g.outH();
        int outW = g.outW();
        int inSize = inH * inW * c;
        int outSize = outH * outW * c;
        float divisor = g.kH() * g.kW();
        float[] share = new float[c];
        for (int i = from; i < to; i++) {
            int image = dxOff + i * inSize;
            java.util.Arrays.fill(dx, image, image + inSize, 0f);
            for (int oy = 0; oy < outH; oy++) {
                int y0 = oy * g.strideH() - g.padH();
                int ys = Math.max(y0, 0);
                int ye = Math.min(y0 + g.kH(), inH);
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = ox * g.strideW() - g.padW();
                    int xs = Math.max(x0, 0);
                    int xe = Math.min(x0 + g.kW(), inW);
                    int src = dyOff + i * outSize + (oy * outW + ox) * c;
                    for (int ch = 0; ch < c; ch++) {
                        share[ch] = dy[src + ch] / divisor;
                    }
                    for (int iy = ys; iy < ye; iy++) {
                        for (int ix = xs; ix < xe; ix++) {
                            int at = image + (iy * inW + ix) * c;
                            for (int ch = 0; ch < c; ch++) {
                                dx[at + ch] += share[ch];
                            }
                        }
                    }
                }
            }
        }
    }

    /** Output pixels per chunk: about {@link #GRAIN} window reads. */
    private static int pixelGrain(PoolGeometry g) {
        return Math.max(1, GRAIN / (g.c() * g.kH() * g.kW()));
    }

    /** Images per chunk: about {@link #GRAIN} floats written. */
    private static int imageGrain(PoolGeometry g) {
        return (int) Math.max(1, GRAIN / Math.max(g.inSize(), g.outSize()));
    }
}
