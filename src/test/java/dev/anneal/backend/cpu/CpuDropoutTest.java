package dev.anneal.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.DropoutOps;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuDropout}: the mask is the documented function of (seed, stream, draw, element) through Philox, keeps
 * about {@code 1 - p} of the elements, changes with each of its inputs, and does not depend on how the elements
 * are split over threads.
 */
class CpuDropoutTest {
    private final CpuBackend cpu = new CpuBackend();
    private final DropoutOps dropout = cpu.dropout();
    private final Random random = new Random(15);

    private FloatArray upload(float[] x) {
        FloatArray b = cpu.allocate(x.length);
        cpu.upload(x, 0, b, 0, x.length);
        return b;
    }

    private IntArray counter(int draw) {
        IntArray c = cpu.allocateInts(2);
        cpu.upload(new int[] {-5, draw}, 0, c, 0, 2);
        return c;
    }

    /** The mask of {@code n} elements after a call; the call's {@code y} is checked to be {@code x * mask}. */
    private float[] mask(float[] x, float p, long seed, int stream, int draw) {
        int n = x.length;
        FloatArray mask = cpu.allocate(n + 3);
        FloatArray y = cpu.allocate(n);
        dropout.dropoutForward(upload(x), 0, n, p, seed, stream, counter(draw), 1, mask, 3, y, 0);
        float[] m = java.util.Arrays.copyOfRange(CpuBackend.f(mask), 3, 3 + n);
        for (int i = 0; i < n; i++) {
            assertEquals(x[i] * m[i], CpuBackend.f(y)[i], 0f, "y = x * mask at " + i);
        }
        return m;
    }

    @Test
    void maskIsThePhiloxWordOfEachElementAgainstP() {
        int n = 4 * 1000 + 3;
        float p = 0.37f;
        long seed = 0x123456789abcdefL;
        int stream = 7;
        int draw = 42;
        float[] m = mask(TestData.uniform(random, n, 1f), p, seed, stream, draw);
        int[] words = new int[4];
        for (int e = 0; e < n; e++) {
            Philox.block(e / 4, 0, draw, stream, (int) seed, (int) (seed >>> 32), words);
            double u = (words[e % 4] >>> 8) / 16777216.0;
            float expected = u >= p ? 1f / (1f - p) : 0f;
            assertEquals(expected, m[e], 0f, "element " + e);
        }
    }

    @Test
    void keepsAboutOneMinusPOfTheElements() {
        int n = 1 << 20;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        for (float p : new float[] {0.1f, 0.5f, 0.9f}) {
            float[] m = mask(ones, p, 3, 0, 0);
            int kept = 0;
            for (float v : m) {
                if (v != 0f) {
                    kept++;
                    assertEquals(1f / (1f - p), v, 0f);
                }
            }
            double sigma = Math.sqrt(p * (1 - p) / n);
            double fraction = kept / (double) n;
            assertEquals(1 - p, fraction, 5 * sigma, "kept fraction at p = " + p);
        }
    }

    @Test
    void zeroKeepsEverythingAndOneDropsEverything() {
        float[] x = TestData.uniform(random, 1001, 1f);
        for (float v : mask(x, 0f, 9, 1, 2)) {
            assertEquals(1f, v, 0f);
        }
        for (float v : mask(x, 1f, 9, 1, 2)) {
            assertEquals(0f, v, 0f);
        }
    }

    @Test
    void maskChangesWithSeedStreamAndDraw() {
        int n = 10_000;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        float[] base = mask(ones, 0.5f, 11, 2, 3);
        float[][] others = {mask(ones, 0.5f, 12, 2, 3), mask(ones, 0.5f, 11L | (1L << 40), 2, 3),
            mask(ones, 0.5f, 11, 3, 3), mask(ones, 0.5f, 11, 2, 4)};
        String[] names = {"seed low", "seed high", "stream", "draw"};
        for (int k = 0; k < others.length; k++) {
            int differ = 0;
            for (int i = 0; i < n; i++) {
                if (base[i] != others[k][i]) {
                    differ++;
                }
            }
            assertTrue(differ > 0.4 * n && differ < 0.6 * n, names[k] + ": " + differ + " of " + n + " differ");
        }
        FloatParity.assertSameBits("same inputs", base, mask(ones, 0.5f, 11, 2, 3));
    }

    @Test
    void drawIsReadFromTheCounterThatAdvanceIncrements() {
        int n = 999;
        float[] x = TestData.uniform(random, n, 1f);
        IntArray draws = counter(41);
        dropout.advance(draws, 1);
        assertEquals(42, ((CpuInts) draws).array()[1]);
        assertEquals(-5, ((CpuInts) draws).array()[0]);
        FloatArray mask = cpu.allocate(n);
        FloatArray xb = upload(x);
        dropout.dropoutForward(xb, 0, n, 0.25f, 5, 1, draws, 1, mask, 0, xb, 0);
        FloatParity.assertSameBits("draw from the counter", mask(x, 0.25f, 5, 1, 42), CpuBackend.f(mask));
        float[] y = CpuBackend.f(xb).clone();
        float[] expectedIn = mask(x, 0.25f, 5, 1, 42);
        for (int i = 0; i < n; i++) {
            assertEquals(x[i] * expectedIn[i], y[i], 0f, "in place y = x * mask at " + i);
        }
    }

    @Test
    void anySplitOfTheBlocksGivesTheSameBits() {
        int n = 4 * 257 + 2;
        float[] x = TestData.uniform(random, n, 1f);
        float[] m1 = new float[n];
        float[] y1 = new float[n];
        float[] m2 = new float[n];
        float[] y2 = new float[n];
        int groups = (n + 3) / 4;
        CpuDropout.forward(x, 0, n, 0.3f, 77, 4, 9, m1, 0, y1, 0, 0, groups);
        for (int from = 0; from < groups; from += 13) {
            CpuDropout.forward(x, 0, n, 0.3f, 77, 4, 9, m2, 0, y2, 0, from, Math.min(groups, from + 13));
        }
        FloatParity.assertSameBits("mask", m1, m2);
        FloatParity.assertSameBits("y", y1, y2);
        // and the parallel path of a large call against one piece
        int big = (1 << 18) + 5;
        float[] xb = TestData.uniform(random, big, 1f);
        float[] mOne = new float[big];
        CpuDropout.forward(xb, 0, big, 0.3f, 77, 4, 9, mOne, 0, new float[big], 0, 0, (big + 3) / 4);
        FloatParity.assertSameBits("threads", mOne, mask(xb, 0.3f, 77, 4, 9));
    }

    @Test
    void multiplyScalesInPlaceAndRefusesPartialOverlap() {
        float[] a = TestData.uniform(random, 100, 2f);
        float[] b = TestData.uniform(random, 100, 2f);
        FloatArray ab = upload(a);
        dropout.multiply(ab, 0, upload(b), 0, 100);
        for (int i = 0; i < 100; i++) {
            assertEquals(a[i] * b[i], CpuBackend.f(ab)[i], 0f);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dropout.multiply(ab, 0, ab, 1, 50));
        assertTrue(e.getMessage().startsWith("multiply a"), e.getMessage());
    }

    @Test
    void badArgumentsFailWithTheirName() {
        FloatArray x = cpu.allocate(10);
        FloatArray m = cpu.allocate(10);
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> dropout.dropoutForward(x, 0, 10, 1.5f, 1, 0, counter(0), 0, m, 0, x, 0));
        assertTrue(p.getMessage().contains("dropout p"), p.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> dropout.dropoutForward(x, 0, 10, Float.NaN, 1, 0, counter(0), 0, m, 0, x, 0));
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
                () -> dropout.dropoutForward(x, 0, 10, 0.5f, 1, 0, counter(0), 0, x, 0, m, 0));
        assertTrue(overlap.getMessage().startsWith("dropoutForward mask"), overlap.getMessage());
        assertThrows(IndexOutOfBoundsException.class,
                () -> dropout.dropoutForward(x, 0, 10, 0.5f, 1, 0, counter(0), 2, m, 0, x, 0));
    }
}
