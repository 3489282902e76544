package dev.anneal.tune;

import java.util.Locale;

/**
 * The rate of each update of the range test, rising from {@code start} to {@code end} over {@code N} updates
 * {@code i = 0..N-1} (the first update uses {@code start}, the last {@code end}):
 *
 * <pre>
 * exp:    lr_i = start * (end/start)^(i/(N-1))        (fastai, Lightning, pytorch-lr-finder; evenly spaced in log lr)
 * linear: lr_i = start + (end - start) * i/(N-1)      (Smith 2017, section 3.3, the seed's range test)
 * </pre>
 *
 * Both are existing schedules, so the test runs the trainer's own schedule code ({@link RampConfig}):
 * {@code exp} is TensorFlow's {@code exponential_decay} with {@code lr0 = start}, {@code decay_rate = end/start},
 * {@code decay_steps = N-1}, whose {@code lr0 * rate^(k/steps)} is the formula above to the bit; {@code linear}
 * is PyTorch's {@code LinearLR} with {@code lr0 = end}, {@code start_factor = start/end}, {@code end_factor = 1},
 * {@code total_iters = N-1}, equal to the formula up to rounding (relative 1e-15).
 */
public enum Ramp {
    EXP, LINEAR;

    /** {@code exp} or {@code linear}; null for anything else. */
    public static Ramp parse(String name) {
        return switch (name) {
            case "exp" -> EXP;
            case "linear" -> LINEAR;
            default -> null;
        };
    }

    /** The rate of update {@code i} (0-based) of {@code n >= 2}. */
    public double lr(double start, double end, long n, long i) {
        double t = (double) i / (n - 1);
        return this == EXP ? start * Math.pow(end / start, t) : start + (end - start) * t;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
