package dev.anneal.plot;

import java.awt.Color;
import java.awt.Paint;
import org.jfree.chart.renderer.PaintScale;

/**
 * Colours for a metric: the viridis colour map (Smith and van der Walt, matplotlib's default; perceptually
 * uniform and readable in grey) from the lowest value (dark violet) to the highest (yellow), by linear
 * interpolation between eight of its stops. A NaN is light grey.
 */
final class MetricPaintScale implements PaintScale {
    private static final int[] VIRIDIS = {0x440154, 0x46327e, 0x365c8d, 0x277f8e, 0x1fa187, 0x4ac16d, 0xa0da39,
        0xfde725};
    private final double lower;
    private final double upper;

    MetricPaintScale(double lower, double upper) {
        this.lower = lower;
        this.upper = upper > lower ? upper : lower + 1e-12;
    }

    /** A scale spanning the finite values given (0 to 1 when there are none). */
    static MetricPaintScale spanning(double[] values) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return lo <= hi ? new MetricPaintScale(lo, hi) : new MetricPaintScale(0, 1);
    }

    @Override
    public double getLowerBound() {
        return lower;
    }

    @Override
    public double getUpperBound() {
        return upper;
    }

    @Override
    public Paint getPaint(double value) {
        if (!Double.isFinite(value)) {
            return new Color(0xcccccc);
        }
        double t = Math.max(0, Math.min(1, (value - lower) / (upper - lower))) * (VIRIDIS.length - 1);
        int i = Math.min((int) t, VIRIDIS.length - 2);
        double f = t - i;
        Color a = new Color(VIRIDIS[i]);
        Color b = new Color(VIRIDIS[i + 1]);
        return new Color(mix(a.getRed(), b.getRed(), f), mix(a.getGreen(), b.getGreen(), f),
                mix(a.getBlue(), b.getBlue(), f));
    }

    /** Whether the colour of {@code value} is light enough for black text (the upper part of viridis). */
    boolean bright(double value) {
        return Double.isFinite(value) && (value - lower) / (upper - lower) > 0.55;
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }
}
