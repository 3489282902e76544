package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.spec.BadInput;
import org.junit.jupiter.api.Test;

class NormalizationTest {
    @Test
    void pixelHistogramStatisticsEqualTheDirectTwoPassOnes() {
        byte[] px = IdxFiles.pattern(300, 17);
        float[] scaled = new float[px.length];
        for (int k = 0; k < px.length; k++) {
            scaled[k] = (float) ((px[k] & 0xff) / 255.0);
        }
        Normalization fromHistogram = NormalizationStatistics.ofPixels(px, "test");
        Normalization direct = NormalizationStatistics.ofValues(scaled, "test");
        assertEquals(direct.mean(), fromHistogram.mean(), 1e-7);
        assertEquals(direct.std(), fromHistogram.std(), 1e-7);
        assertEquals(1 / 255.0, fromHistogram.scale());
    }

    @Test
    void stdIsTheSampleStandardDeviationLikeTorch() {
        // values 0, 255 -> 0, 1: mean 0.5, sample variance (0.25 + 0.25) / (2 - 1)
        Normalization n = NormalizationStatistics.ofPixels(new byte[] {0, (byte) 255}, "t");
        assertEquals(0.5, n.mean(), 1e-15);
        assertEquals(Math.sqrt(0.5), n.std(), 1e-15);
        assertEquals((float) ((1.0 - 0.5) / Math.sqrt(0.5)), n.byteTable()[255]);
    }

    @Test
    void tableMatchesTheFormula() {
        Normalization n = new Normalization(1 / 255.0, 0.2860, 0.3530);
        float[] t = n.byteTable();
        for (int v = 0; v < 256; v++) {
            assertEquals((float) ((v / 255.0 - 0.2860) / 0.3530), t[v]);
        }
        assertEquals(3.0f, Normalization.NONE.apply(3.0));
        assertEquals(1.0f, Normalization.UNIT_PIXELS.apply(255));
    }

    @Test
    void tooFewValuesCannotBeNormalized() {
        BadInput e = assertThrows(BadInput.class, () -> NormalizationStatistics.ofValues(new float[1], "src"));
        assertEquals("src: cannot normalise 1 value(s); set data.normalize: false", e.getMessage());
    }

    @Test
    void constantValuesAreRefusedEvenWhenTheirComputedDeviationIsNotExactlyZero() {
        // 21 * (7/255) / 21 is not 7/255 exactly: the deviation would be about 1e-17, not 0.
        assertTrue(21 * (7 / 255.0) / 21 != 7 / 255.0);
        byte[] px = new byte[21];
        java.util.Arrays.fill(px, (byte) 7);
        BadInput p = assertThrows(BadInput.class, () -> NormalizationStatistics.ofPixels(px, "px"));
        assertEquals("px: every training value is 7, so the standard deviation is 0 and cannot normalise; check the "
                + "data or set data.normalize: false", p.getMessage());
        float[] v = new float[999];
        java.util.Arrays.fill(v, 0.1f);
        BadInput f = assertThrows(BadInput.class, () -> NormalizationStatistics.ofValues(v, "v"));
        assertTrue(f.getMessage().startsWith("v: every training value is 0.1, so"), f.getMessage());
        BadInput rows = assertThrows(BadInput.class, () -> NormalizationStatistics.ofValues(new NormalizationStatistics.FloatRows() {
            public int n() {
                return 333;
            }

            public int d() {
                return 3;
            }

            public void row(int i, float[] dst) {
                java.util.Arrays.fill(dst, 0.1f);
            }
        }, "rows"));
        assertTrue(rows.getMessage().startsWith("rows: every training value is 0.1, so"), rows.getMessage());
    }

    @Test
    void theArrayApplyHasTheBitsOfTheScalarOne() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        float[] x = new float[4099];
        for (int k = 0; k < x.length; k++) {
            x[k] = switch (k % 7) {
                case 0 -> Float.intBitsToFloat(rnd.nextInt());
                case 1 -> (float) rnd.nextGaussian() * 1e30f;
                case 2 -> Float.MIN_VALUE * rnd.nextInt(1000);
                default -> (float) rnd.nextGaussian();
            };
        }
        for (Normalization n : new Normalization[] {Normalization.NONE, Normalization.UNIT_PIXELS,
                new Normalization(1, 0.123456789, 0.987654321), new Normalization(1.0 / 255, 0.2860, 0.3530),
                new Normalization(3e-7, -1e10, 7e-3)}) {
            for (int off : new int[] {0, 5}) {
                float[] expected = x.clone();
                for (int k = off; k < expected.length; k++) {
                    expected[k] = n.apply(expected[k]);
                }
                for (int repeat = 0; repeat < 200; repeat++) { // long enough for the JIT's vectorised code
                    float[] actual = x.clone();
                    n.apply(actual, off, x.length - off, new double[x.length]);
                    for (int k = 0; k < x.length; k++) {
                        if (Float.floatToRawIntBits(expected[k]) != Float.floatToRawIntBits(actual[k])) {
                            assertEquals(expected[k], actual[k], n + " element " + k + " repeat " + repeat);
                        }
                    }
                }
            }
        }
    }
}
