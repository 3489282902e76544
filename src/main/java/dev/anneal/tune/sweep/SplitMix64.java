package dev.anneal.tune.sweep;

/**
 * SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; the
 * constants of Vigna's reference C code): the random search's generator, written out so that a seed gives the
 * same trials on every JVM and release.
 */
final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    /** The generator of trial {@code trial} of a search seeded with {@code seed}: independent of other trials. */
    static SplitMix64 forTrial(long seed, int trial) {
        return new SplitMix64(new SplitMix64(seed ^ 0x5357_4545_5053_4545L).nextLong() + trial * 0x9E37_79B9_7F4A_7C15L);
    }

    long nextLong() {
        long z = (state += 0x9E37_79B9_7F4A_7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1): the top 53 bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound), bound > 0, without modulo bias (rejection, as java.util.Random does). */
    long nextLong(long bound) {
        long limit = Long.MAX_VALUE - Long.MAX_VALUE % bound;
        while (true) {
            long r = nextLong() >>> 1;
            if (r < limit) {
                return r % bound;
            }
        }
    }

    int nextInt(int bound) {
        return (int) nextLong(bound);
    }
}
