package dev.anneal.data;

/**
 * SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; the
 * constants of Vigna's {@code splitmix64.c}): a 64-bit counter advanced by the golden gamma and passed through a
 * bijective finaliser. Small, explicit and stable across JVM versions, unlike {@link java.util.Random}, so data
 * orders and synthetic samples can be recreated from their seed at any time.
 *
 * <pre>
 * state += 0x9e3779b97f4a7c15
 * z = state
 * z = (z ^ (z &gt;&gt;&gt; 30)) * 0xbf58476d1ce4e5b9
 * z = (z ^ (z &gt;&gt;&gt; 27)) * 0x94d049bb133111eb
 * next = z ^ (z &gt;&gt;&gt; 31)
 * </pre>
 *
 * Not thread-safe: one instance per stream.
 */
public final class SplitMix64 {
    static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** The finaliser alone: a bijection of 64-bit values that scatters nearby inputs. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * A seed for one purpose derived from a parent seed and a stream number: distinct streams of one parent
     * never share a seed ({@code mix} is a bijection and the gamma is odd).
     */
    public static long derive(long seed, long stream) {
        return mix(mix(seed) + stream * GOLDEN_GAMMA);
    }

    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** Uniform in {@code [0, bound)}, unbiased (rejection of the incomplete top range). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be > 0, got " + bound);
        }
        int m = bound - 1;
        int r = (int) (nextLong() >>> 33);
        if ((bound & m) == 0) {
            return r & m;
        }
        for (int u = r; u - (r = u % bound) + m < 0; u = (int) (nextLong() >>> 33)) {
            // rejected: u fell in the incomplete last block of 2^31
        }
        return r;
    }

    /**
     * A uniform long in {@code [0, bound)}: {@code nextLong() >>> 1} (63 bits) reduced modulo {@code bound}, draws
     * at or above the largest multiple of {@code bound} below 2^63 rejected so that every value is equally likely.
     */
    public long nextLong(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be > 0, got " + bound);
        }
        long limit = Long.MAX_VALUE - Long.MAX_VALUE % bound;
        while (true) {
            long r = nextLong() >>> 1;
            if (r < limit) {
                return r % bound;
            }
        }
    }

    /** Uniform in {@code [0, 1)} with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * Standard normal by the Box-Muller transform, {@code sqrt(-2 ln u1) cos(2 pi u2)} with {@code u1} in
     * {@code (0, 1]}; {@link StrictMath} so the values are the same bits on every JVM.
     */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * Math.PI * u2);
    }
}
