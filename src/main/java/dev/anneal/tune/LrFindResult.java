package dev.anneal.tune;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code anneal lr-find} found: the curve of each repeat, each repeat's {@link Suggestions}, and per value
 * its {@link Spread} over the repeats. The reported value of each is the median over the repeats (with one
 * repeat, its value).
 *
 * @param spec what ran
 * @param suggest the suggestion reported as {@code suggested_lr} (one of {@link Suggestions#NAMES})
 * @param evaluated the set of the periodic evaluation, named as in the metrics: {@code val} or {@code test}
 */
public record LrFindResult(RangeTestSpec spec, String suggest, List<Curve> curves, List<Suggestions> perRepeat,
                           String evaluated) {
    public LrFindResult {
        curves = List.copyOf(curves);
        perRepeat = List.copyOf(perRepeat);
        if (!evaluated.equals("test") && !evaluated.equals("val")) {
            throw new IllegalArgumentException("evaluated set " + evaluated + ": test or val");
        }
    }

    /** A result whose periodic evaluation ran on the test set. */
    public static LrFindResult of(RangeTestSpec spec, String suggest, List<Curve> curves) {
        return of(spec, suggest, curves, "test");
    }

    /**
     * @param evaluated the set the periodic evaluation ran on, named as in the metrics: {@code val} (a
     *     {@code data.validation_split}) or {@code test}
     */
    public static LrFindResult of(RangeTestSpec spec, String suggest, List<Curve> curves, String evaluated) {
        List<Suggestions> s = new ArrayList<>();
        for (Curve c : curves) {
            s.add(Suggestions.of(c, spec.skipStart(), spec.skipEnd()));
        }
        return new LrFindResult(spec, suggest, curves, s, evaluated);
    }

    /** Each value (the four suggestions, the cyclical bounds, the one-cycle peak) over the repeats. */
    public Map<String, Spread> spreads() {
        Map<String, Spread> out = new LinkedHashMap<>();
        for (String name : perRepeat.get(0).all().keySet()) {
            out.put(name, Spread.of(perRepeat.stream().mapToDouble(s -> s.all().get(name)).toArray()));
        }
        return out;
    }

    /** The reported value of {@code name}: the median over the repeats. */
    public double value(String name) {
        return spreads().get(name).median();
    }

    public double suggestedLr() {
        return value(suggest);
    }

    /** Whether any repeat stopped early. */
    public boolean stoppedEarly() {
        return curves.stream().anyMatch(Curve::stoppedEarly);
    }

    /** The points recorded by the first repeat. */
    public int points() {
        return curves.get(0).points().size();
    }

    /** Whether at least one suggestion could be made. */
    public boolean anySuggestion() {
        return !Double.isNaN(value("valley")) || !Double.isNaN(value("steep"));
    }
}
