package dev.anneal.backend.cpu;

/**
 * Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy
 * as 1, 2, 3" (SC 2011), as Random123's {@code philox4x32_10} and cuRAND's {@code curand_Philox4x32_10} compute
 * it: a pure function of a 128-bit counter {@code (c0, c1, c2, c3)} and a 64-bit key {@code (k0, k1)} to four
 * 32-bit words. Each of the 10 rounds is
 * <pre>
 *   (hi0, lo0) = M0 * c0,  (hi1, lo1) = M1 * c2            (32 x 32 -> 64-bit products)
 *   (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
 * </pre>
 * with the key bumped by the Weyl constants {@code (k0, k1) += (W0, W1)} between rounds (9 bumps);
 * {@code M0 = 0xD2511F53}, {@code M1 = 0xCD9E8D57}, {@code W0 = 0x9E3779B9}, {@code W1 = 0xBB67AE85}.
 * All arithmetic is on unsigned 32-bit words (Java ints, products taken as unsigned longs).
 */
final class Philox {
    static final int M0 = 0xD2511F53;
    static final int M1 = 0xCD9E8D57;
    static final int W0 = 0x9E3779B9;
    static final int W1 = 0xBB67AE85;
    static final int ROUNDS = 10;
    private static final long LOW32 = 0xFFFFFFFFL;

    private Philox() {
    }

    /** The four output words of counter {@code (c0, c1, c2, c3)} under key {@code (k0, k1)}, into {@code out[0..4)}. */
    static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int r = 0; r < ROUNDS; r++) {
            long p0 = (M0 & LOW32) * (c0 & LOW32);
            long p1 = (M1 & LOW32) * (c2 & LOW32);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }
}
