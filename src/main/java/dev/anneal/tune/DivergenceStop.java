package dev.anneal.tune;

/**
 * When the range test stops early: after recording update {@code i}, once
 *
 * <pre>smoothed_i &gt; stop_div * min(smoothed_0 .. smoothed_i)</pre>
 *
 * or once the loss is not finite. This is fastai's {@code LRFinder.after_batch} ({@code if smooth_loss <
 * best_loss: best_loss = smooth_loss; if smooth_loss > 4*best_loss: raise CancelFitException}, the best updated
 * before the test, so the first point never stops). Lightning's {@code _LRCallback} compares with the best of the
 * earlier points and skips its first step; for positive losses and {@code stop_div >= 1} both give the same stops.
 * The point that triggers the stop is recorded (as both peers do). {@code stop_div = 0} turns the rule off (the
 * non-finite check stays: nothing can be learnt past it).
 */
public final class DivergenceStop {
    private final double stopDiv;
    private double best = Double.POSITIVE_INFINITY;

    public DivergenceStop(double stopDiv) {
        this.stopDiv = stopDiv;
    }

    /** Records {@code smoothed} and returns why to stop now, or null to go on. */
    public String check(double loss, double smoothed) {
        if (!Double.isFinite(loss) || !Double.isFinite(smoothed)) {
            return "the loss is not finite (" + loss + ")";
        }
        best = Math.min(best, smoothed);
        if (stopDiv > 0 && smoothed > stopDiv * best) {
            return "the smoothed loss " + fmt(smoothed) + " exceeds " + fmt(stopDiv) + " x the best " + fmt(best);
        }
        return null;
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4g", v);
    }
}
