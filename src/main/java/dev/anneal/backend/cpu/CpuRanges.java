package dev.anneal.backend.cpu;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;

/**
 * Argument checks of the CPU layer op families: a range {@code [offset, offset + n)} must lie inside its buffer,
 * and an output range must not overlap an input range it is computed from. Each failure is one line naming the
 * argument.
 */
final class CpuRanges {
    private CpuRanges() {
    }

    /** The backing array of {@code x} after checking that {@code [offset, offset + n)} lies inside it. */
    static float[] floats(FloatArray x, long offset, long n, String what) {
        float[] a = CpuBackend.f(x);
        inside(a.length, offset, n, what);
        return a;
    }

    /** The same for an int buffer. */
    static int[] ints(IntArray x, long offset, long n, String what) {
        if (!(x instanceof CpuInts c)) {
            throw new IllegalArgumentException(what + ": buffer of another backend: " + x.getClass().getSimpleName());
        }
        int[] a = c.array();
        inside(a.length, offset, n, what);
        return a;
    }

    static void inside(long length, long offset, long n, String what) {
        if (offset < 0 || n < 0 || offset + n > length) {
            throw new IndexOutOfBoundsException(what + " range [" + offset + ", " + (offset + n)
                    + ") is outside its buffer of " + length);
        }
    }

    /** Throws when {@code [aOff, aOff + an)} of {@code a} and {@code [bOff, bOff + bn)} of {@code b} share memory. */
    static void disjoint(Object a, long aOff, long an, String what, Object b, long bOff, long bn, String other) {
        if (a == b && an > 0 && bn > 0 && aOff < bOff + bn && bOff < aOff + an) {
            throw new IllegalArgumentException(what + " [" + aOff + ", " + (aOff + an) + ") overlaps " + other + " ["
                    + bOff + ", " + (bOff + bn) + ")");
        }
    }

    /** {@code count * size} as an int element count, or a clear error when the CPU's arrays cannot hold it. */
    static int elements(long count, long size, String what) {
        long n = count * size;
        if (count < 0 || n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(what + ": " + count + " x " + size
                    + " elements do not fit the CPU backend's arrays (at most 2^31 - 9)");
        }
        return (int) n;
    }
}
