package dev.anneal.tune;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every rate a range test suggests, from the points kept after skipping ({@link KeptPoints}): fastai's
 * {@code valley}, {@code minimum} and {@code slide} and Lightning's steepest descent ({@link LrSuggestions}),
 * the cyclical bounds ({@link ClrBounds}) and the one-cycle peak. NaN marks a suggestion that had too few points.
 *
 * <p>{@code one_cycle_max_lr} follows Smith 2018 ("A disciplined approach to neural network hyper-parameters:
 * Part 1", arXiv:1803.09820, section 4.1): the one-cycle policy's maximum is the range test's maximum, the rate at
 * which the test stops improving, i.e. {@code clr_max_lr} (the accuracy peak when the test evaluated, else fastai's
 * {@code minimum}, see {@link ClrBounds}). fastai's other practice, {@code fit_one_cycle(lr_max=valley)}, is
 * {@code suggested_lr} with the default {@code --suggest valley}; it is more conservative.
 *
 * @param points the points kept
 */
public record Suggestions(double valley, double steep, double minimum, double slide, ClrBounds clr,
                          double oneCycleMaxLr, int points) {
    /** The names of the four suggestions, in the order they are reported. */
    public static final String[] NAMES = {"valley", "steep", "minimum", "slide"};

    public static Suggestions of(Curve curve, int skipStart, int skipEnd) {
        KeptPoints kept = KeptPoints.of(curve, skipStart, skipEnd);
        double[] lrs = kept.lrs();
        double[] losses = kept.smoothedLosses();
        double valley = LrSuggestions.valley(lrs, losses);
        double minimum = LrSuggestions.minimum(lrs, losses);
        ClrBounds clr = ClrBounds.of(kept);
        return new Suggestions(valley, LrSuggestions.steep(lrs, losses), minimum, LrSuggestions.slide(lrs, losses),
                clr, clr.maxLr(), kept.size());
    }

    /** The suggestion called {@code name} (one of {@link #NAMES}). */
    public double byName(String name) {
        return switch (name) {
            case "valley" -> valley;
            case "steep" -> steep;
            case "minimum" -> minimum;
            case "slide" -> slide;
            default -> throw new IllegalArgumentException("no suggestion " + name);
        };
    }

    /** Every value by its report name: the four suggestions, then the cyclical and one-cycle rates. */
    public Map<String, Double> all() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String n : NAMES) {
            out.put(n, byName(n));
        }
        out.put("clr_base_lr", clr.baseLr());
        out.put("clr_max_lr", clr.maxLr());
        out.put("one_cycle_max_lr", oneCycleMaxLr);
        return out;
    }
}
