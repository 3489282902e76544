package dev.anneal.backend.cpu;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;

/**
 * The CPU's own argument checks of the layer op families: a range {@code [offset, offset + n)} must lie inside
 * its buffer, and an element count must fit a Java array. Each failure is one line naming the argument. The
 * checks every backend shares (parameters, shapes, overlaps) are {@link dev.anneal.backend.LayerChecks}.
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
