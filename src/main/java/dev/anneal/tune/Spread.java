package dev.anneal.tune;

import java.util.Arrays;

/**
 * The spread of one suggestion over the repeats of a range test (several data orders; a single curve is noisy,
 * pytorch-lr-finder PR 44): the smallest, the median and the largest value. The median of an even count is the
 * geometric mean of the two middle values (rates are compared on a log scale). NaN values (no suggestion in that
 * repeat) are left out; all NaN gives NaN.
 */
public record Spread(double min, double median, double max, int count) {
    public static Spread of(double[] values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return new Spread(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : Math.sqrt(v[n / 2 - 1] * v[n / 2]);
        return new Spread(v[0], median, v[n - 1], n);
    }
}
