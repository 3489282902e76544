package dev.anneal.backend;

/**
 * Inverted dropout (Srivastava et al. 2014, scaled at training time as PyTorch's {@code nn.Dropout}) whose mask
 * is a pure function of (seed, stream, draw, element), drawn from Philox4x32-10 (Salmon et al. 2011, "Parallel
 * random numbers: as easy as 1, 2, 3"; the generator of cuRAND's {@code curand_Philox4x32_10}), so the CPU and
 * CUDA backends give the same mask bits and a resumed run draws what the uninterrupted run drew.
 *
 * <p>Element {@code e} of a call uses output word {@code e % 4} of Philox with key {@code (seed low 32 bits, seed
 * high 32 bits)} and counter {@code (e / 4 low 32 bits, e / 4 high 32 bits, draw, stream)}, where {@code draw}
 * is read from device memory ({@code draws[drawsOffset]}, so a captured graph replays with the current value).
 * With that word {@code r}: {@code u = (r >>> 8) * 2^-24}; the element is kept when {@code u >= p}; its mask is
 * {@code 1f / (1f - p)} when kept, else 0, and {@code y = x * mask}.
 */
public interface DropoutOps {
    /** Draws the mask and applies it: {@code mask[e]} and {@code y[e] = x[e] * mask[e]}; {@code y} may be {@code x}. */
    void dropoutForward(FloatArray x, long xOffset, long n, float p, long seed, int stream, IntArray draws,
                        long drawsOffset, FloatArray mask, long maskOffset, FloatArray y, long yOffset);

    /** {@code a[i] *= b[i]} over {@code n} elements: the dropout backward {@code dx = dy * mask} in place. */
    void multiply(FloatArray a, long aOffset, FloatArray b, long bOffset, long n);

    /** {@code counter[offset] += 1}, on the device's queue (so it is captured in a graph with the step). */
    void advance(IntArray counter, long offset);
}
