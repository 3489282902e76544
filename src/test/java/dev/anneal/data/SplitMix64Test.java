package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SplitMix64Test {
    @Test
    void matchesTheJdkSplittableRandomWhichIsTheSameAlgorithm() {
        for (long seed : new long[] {0, 1, 42, -7, Long.MAX_VALUE}) {
            SplitMix64 ours = new SplitMix64(seed);
            SplittableRandom reference = new SplittableRandom(seed);
            for (int k = 0; k < 1000; k++) {
                assertEquals(reference.nextLong(), ours.nextLong(), "seed " + seed + ", draw " + k);
            }
        }
    }

    @Test
    void firstOutputFromZeroIsThePublishedValue() {
        assertEquals(0xe220a8397b1dcdafL, new SplitMix64(0).nextLong());
    }

    @Test
    void nextIntIsInRangeAndRoughlyUniform() {
        SplitMix64 r = new SplitMix64(5);
        int[] counts = new int[7];
        for (int k = 0; k < 70_000; k++) {
            counts[r.nextInt(7)]++;
        }
        for (int c : counts) {
            assertTrue(Math.abs(c - 10_000) < 500, "count " + c);
        }
        for (int k = 0; k < 1000; k++) {
            assertEquals(0, r.nextInt(1));
            int v = r.nextInt(Integer.MAX_VALUE);
            assertTrue(v >= 0 && v < Integer.MAX_VALUE);
        }
    }

    @Test
    void gaussianHasMeanZeroAndUnitVariance() {
        SplitMix64 r = new SplitMix64(11);
        int n = 200_000;
        double s = 0;
        double ss = 0;
        for (int k = 0; k < n; k++) {
            double g = r.nextGaussian();
            assertTrue(Double.isFinite(g));
            s += g;
            ss += g * g;
        }
        assertEquals(0.0, s / n, 0.01);
        assertEquals(1.0, ss / n, 0.01);
    }

    @Test
    void derivedStreamsDiffer() {
        assertNotEquals(SplitMix64.derive(1, 0), SplitMix64.derive(1, 1));
        assertNotEquals(SplitMix64.derive(1, 0), SplitMix64.derive(2, 0));
        assertEquals(SplitMix64.derive(9, 3), SplitMix64.derive(9, 3));
    }

    @Test
    void boundedLongsAreInRangeUniformAndRejectTheIncompleteLastBlock() {
        SplitMix64 r = new SplitMix64(11);
        int[] counts = new int[6];
        for (int i = 0; i < 60_000; i++) {
            long v = r.nextLong(6);
            org.junit.jupiter.api.Assertions.assertTrue(v >= 0 && v < 6, "value " + v);
            counts[(int) v]++;
        }
        for (int c : counts) {
            org.junit.jupiter.api.Assertions.assertTrue(c > 9_500 && c < 10_500, java.util.Arrays.toString(counts));
        }
        // The rule: the top 63 bits modulo the bound, unless they fall at or above the last multiple of it.
        long bound = 3L << 61;
        SplitMix64 a = new SplitMix64(3);
        SplitMix64 b = new SplitMix64(3);
        long expected;
        do {
            expected = b.nextLong() >>> 1;
        } while (expected >= Long.MAX_VALUE - Long.MAX_VALUE % bound);
        assertEquals(expected % bound, a.nextLong(bound));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> r.nextLong(0));
    }
}
