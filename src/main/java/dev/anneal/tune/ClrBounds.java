package dev.anneal.tune;

import java.util.List;

/**
 * The bounds of a cyclical schedule from a range test, by the rule of Smith 2017 ("Cyclical Learning Rates for
 * Training Neural Networks", section 3.3, the seed article): {@code base_lr} where the accuracy starts to
 * increase, {@code max_lr} where it stops increasing, turns ragged or falls; or, by the rule of thumb,
 * {@code base_lr = max_lr / 4} (Smith: "within a factor of 3 or 4 of the maximum").
 *
 * <p>Made exact here, over the kept points ({@link KeptPoints}):
 * <ul>
 *   <li><b>accuracy</b> (when the test evaluated, {@code --eval-every}): with {@code a_0} the first evaluated
 *       accuracy and {@code a_max} the highest (its first occurrence at rate {@code lr_p}), and
 *       {@code rise = a_max - a_0 > 0}: {@code max_lr = lr_p} (past the peak the accuracy no longer rises) and
 *       {@code base_lr} = the rate of the first evaluation with {@code a >= a_0 + 0.1 rise} (the accuracy has
 *       begun to climb);</li>
 *   <li><b>loss</b> (otherwise, or when the accuracy never rose): {@code base_lr} at the first point whose smoothed
 *       loss is at most {@code l_0 - 0.1 (l_0 - l_min)} (the loss has begun to fall), and {@code max_lr} = fastai's
 *       {@code minimum}, the rate at the lowest smoothed loss divided by 10. The rate at the smoothed minimum itself
 *       is not used: the moving average lags the raw loss by about {@code beta/(1-beta)} = 49 updates, so on a
 *       100-update ramp its minimum lies decades past the point where the raw loss turned up;</li>
 *   <li>when the curve never moved, or the rule gives {@code base_lr >= max_lr}, {@code base_lr = max_lr / 4}.</li>
 * </ul>
 *
 * @param baseLr the lower bound
 * @param maxLr the upper bound
 * @param rule which rule decided: {@code accuracy}, {@code loss}, or either followed by {@code , base = max/4}
 */
public record ClrBounds(double baseLr, double maxLr, String rule) {
    /** The fraction of the whole rise (or fall) after which the curve counts as having started to move. */
    public static final double START_FRACTION = 0.1;
    /** Smith's rule of thumb: {@code base_lr = max_lr / 4}. */
    public static final double BASE_DIVISOR = 4;

    public static ClrBounds of(KeptPoints kept) {
        List<CurvePoint> evaluated = kept.points().stream().filter(CurvePoint::evaluated).toList();
        if (evaluated.size() >= 2) {
            double[] lrs = evaluated.stream().mapToDouble(CurvePoint::lr).toArray();
            double[] acc = evaluated.stream().mapToDouble(p -> -p.testAccuracy()).toArray();
            int peak = NumpyGradient.argmin(acc);
            ClrBounds b = bounds(lrs, acc, lrs[peak], "accuracy");
            if (b != null) {
                return b;
            }
        }
        if (kept.size() == 0) {
            return new ClrBounds(Double.NaN, Double.NaN, "none");
        }
        double[] lrs = kept.lrs();
        double[] losses = kept.smoothedLosses();
        double max = LrSuggestions.minimum(lrs, losses);
        ClrBounds b = bounds(lrs, losses, max, "loss");
        return b != null ? b : new ClrBounds(max / BASE_DIVISOR, max, "loss, base = max/4");
    }

    /**
     * {@code base_lr} on a curve to minimise ({@code -accuracy} or the loss): the first rate where it has fallen by
     * {@link #START_FRACTION} of its whole fall; null when it never fell.
     */
    static ClrBounds bounds(double[] lrs, double[] v, double max, String name) {
        int p = NumpyGradient.argmin(v);
        double fall = v[0] - v[p];
        if (!(fall > 0)) {
            return null;
        }
        double threshold = v[0] - START_FRACTION * fall;
        int b = 0;
        while (v[b] > threshold) {
            b++;
        }
        if (lrs[b] >= max) {
            return new ClrBounds(max / BASE_DIVISOR, max, name + ", base = max/4");
        }
        return new ClrBounds(lrs[b], max, name);
    }
}
