package dev.anneal.backend;

/**
 * Max and average pooling over channels-last images ({@link PoolGeometry}), forward and backward, as PyTorch's
 * {@code max_pool2d} and {@code avg_pool2d} (defaults {@code ceil_mode=False}, {@code count_include_pad=True}).
 * Backward passes are written as gathers (each input element sums the windows that cover it, in ascending window
 * order), so they need no atomics and give the same bits every run. Outputs are overwritten.
 */
public interface PoolOps {
    /**
     * {@code y[i, oy, ox, c] = max} over the window {@code ky in [0, kH), kx in [0, kW)} of
     * {@code x[i, oy*strideH - padH + ky, ox*strideW - padW + kx, c]}, padding positions excluded; the first
     * maximum in {@code (ky, kx)} order wins, and a NaN wins over any number (PyTorch propagates NaN).
     * {@code argmax[j]} receives, for output element {@code j}, the index within its image of the chosen input
     * element, {@code (y * inW + x) * c + channel}.
     */
    void maxPoolForward(PoolGeometry g, int n, FloatArray x, long xOffset, FloatArray y, long yOffset,
                        IntArray argmax, long argmaxOffset);

    /**
     * {@link #maxPoolForward} of {@code v[e] = x[e] + bias[channel of e]} (one float addition per element read,
     * the bits of a separate bias pass over {@code x} followed by {@link #maxPoolForward}): the max pooling of a
     * convolution's output {@code x} written without its bias ({@code c} floats at {@code biasOffset}), whose
     * bias pass so disappears. {@code y} receives {@code v} at the argmax; {@code x} is only read.
     */
    void maxPoolBiasForward(PoolGeometry g, int n, FloatArray x, long xOffset, FloatArray bias, long biasOffset,
                            FloatArray y, long yOffset, IntArray argmax, long argmaxOffset);

    /** {@code dx[e] = sum of dy[j]} over the outputs {@code j} of e's image whose argmax is {@code e}; else 0. */
    void maxPoolBackward(PoolGeometry g, int n, FloatArray dy, long dyOffset, IntArray argmax, long argmaxOffset,
                         FloatArray dx, long dxOffset);

    /**
     * {@code y = (sum over the window of x, padding counted as 0) / (kH * kW)}: the sum in {@code (ky, kx)} order,
     * in float, then one division, as PyTorch's CPU kernel.
     */
    void avgPoolForward(PoolGeometry g, int n, FloatArray x, long xOffset, FloatArray y, long yOffset);

    /** {@code dx[e] = sum of dy[j] / (kH * kW)} over the windows {@code j} that contain {@code e}. */
    void avgPoolBackward(PoolGeometry g, int n, FloatArray dy, long dyOffset, FloatArray dx, long dxOffset);
}
