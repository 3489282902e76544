package dev.anneal.parallel;

import static org.junit.jupiter.api.Assertions.fail;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test data and the plain Java reference of the all-reduce: {@code s = b0; s += b1; s += b2; ...}. */
final class Sums {
    private Sums() {
    }

    /** Random floats over seven orders of magnitude, so that the order of the additions changes the rounding. */
    static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((r.nextDouble() * 2 - 1) * Math.pow(10, r.nextInt(7) - 3));
        }
        return x;
    }

    /** {@code n} random values per replica, with NaN and both infinities planted at a few indices. */
    static float[][] replicas(long seed, int replicas, int n) {
        Random r = new Random(seed);
        float[][] data = new float[replicas][];
        for (int k = 0; k < replicas; k++) {
            data[k] = random(r, n);
        }
        if (n > 20) {
            data[replicas - 1][3] = Float.NaN;
            data[0][7] = Float.POSITIVE_INFINITY;
            data[replicas - 1][11] = Float.NEGATIVE_INFINITY;
            data[0][13] = Float.POSITIVE_INFINITY;
            data[replicas - 1][13] = Float.NEGATIVE_INFINITY;
        }
        return data;
    }

    /** Elements {@code [offset, offset+n)} of the reference sum {@code ((b0 + b1) + b2) + ...}. */
    static float[] reference(float[][] data, int offset, int n) {
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            float acc = data[0][offset + i];
            for (int k = 1; k < data.length; k++) {
                acc += data[k][offset + i];
            }
            s[i] = acc;
        }
        return s;
    }

    /** One buffer per replica on its backend, holding {@code data[r]}. */
    static List<FloatArray> upload(List<Backend> backends, float[][] data) {
        List<FloatArray> out = new ArrayList<>();
        for (int k = 0; k < data.length; k++) {
            FloatArray x = backends.get(k).allocate(data[k].length);
            backends.get(k).upload(data[k], 0, x, 0, data[k].length);
            out.add(x);
        }
        return out;
    }

    static float[] download(Backend b, FloatArray x) {
        float[] out = new float[(int) x.length()];
        b.download(x, 0, out, 0, out.length);
        return out;
    }

    /**
     * Fails unless every replica's buffer holds {@code data[r]} outside {@code [offset, offset+n)} and the reference
     * sum inside, bit for bit ({@link Float#floatToIntBits}: any NaN equals any NaN).
     */
    static void assertSummed(List<Backend> backends, List<FloatArray> buffers, float[][] data, int offset, int n,
                             String what) {
        float[] sum = reference(data, offset, n);
        for (int k = 0; k < data.length; k++) {
            float[] got = download(backends.get(k), buffers.get(k));
            for (int i = 0; i < got.length; i++) {
                boolean inside = i >= offset && i < offset + n;
                float want = inside ? sum[i - offset] : data[k][i];
                if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(want)) {
                    fail(what + ": replica " + k + " index " + i + (inside ? " (summed)" : " (outside the range)")
                            + ": expected " + want + " (0x" + Integer.toHexString(Float.floatToRawIntBits(want))
                            + "), got " + got[i] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(got[i]))
                            + ")");
                }
            }
        }
    }

    static void closeAll(List<FloatArray> buffers) {
        buffers.forEach(FloatArray::close);
    }
}
