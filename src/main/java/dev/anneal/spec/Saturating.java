package dev.anneal.spec;

/**
 * Arithmetic on non-negative sizes (bytes, elements) that saturates at {@link Long#MAX_VALUE} instead of
 * overflowing, so that a size too large for any machine compares as too large rather than wrapping to a small or
 * negative number.
 */
public final class Saturating {
    private Saturating() {
    }

    /** {@code a x b} for {@code a, b >= 0}, or {@link Long#MAX_VALUE} when it does not fit. */
    public static long times(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }

    /** {@code a + b} for {@code a, b >= 0}, or {@link Long#MAX_VALUE} when it does not fit. */
    public static long plus(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }
}
