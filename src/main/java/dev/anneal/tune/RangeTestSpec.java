package dev.anneal.tune;

import dev.anneal.spec.BadInput;

/**
 * What {@code anneal lr-find} runs; each value names its option in messages. Defaults (fastai's {@code lr_find}
 * and Lightning's {@code lr_find} where they agree): {@code start 1e-7, end 10, steps 100, exp, stop_div 4,
 * smooth 0.98}; {@code skip_start 10} (Lightning's {@code skip_begin}, fastai's {@code num_it//10} at 100 updates)
 * and {@code skip_end 5} (fastai; Lightning drops 1); no evaluation; 1000 evaluation samples; one repeat.
 *
 * @param start rate of the first update, &gt; 0
 * @param end rate of the last update, &gt; start
 * @param steps optimizer updates (not micro-batches), &gt;= 2
 * @param ramp how the rate rises
 * @param stopDiv stop once the smoothed loss exceeds this times the best smoothed loss so far; 0 never stops
 * @param smooth the smoother's beta, in [0, 1)
 * @param skipStart points left out at the start when suggesting
 * @param skipEnd points left out at the end when suggesting
 * @param evalEvery evaluate on the subset every this many updates; 0 never
 * @param evalSamples the subset: the first this many samples of the validation set (the test set without one)
 * @param repeats test runs, repeat {@code r} with {@code train.seed + r}
 * @param seed the config's {@code train.seed}
 */
public record RangeTestSpec(double start, double end, long steps, Ramp ramp, double stopDiv, double smooth,
                            int skipStart, int skipEnd, long evalEvery, int evalSamples, int repeats, long seed) {
    public RangeTestSpec {
        if (!(start > 0) || !Double.isFinite(start)) {
            throw new BadInput("--start must be a positive rate, got " + start);
        }
        if (!(end > start) || !Double.isFinite(end)) {
            throw new BadInput("--end must be a finite rate above --start " + start + ", got " + end);
        }
        if (steps < 2) {
            throw new BadInput("--steps must be >= 2 (a ramp needs two rates), got " + steps);
        }
        if (steps > 10_000_000) {
            throw new BadInput("--steps " + steps + " is far more than a range test needs; use at most 10000000");
        }
        if (ramp == null) {
            throw new BadInput("--mode must be exp or linear");
        }
        if (!(stopDiv == 0 || stopDiv > 1) || !Double.isFinite(stopDiv)) {
            throw new BadInput("--stop-div must be > 1 (or 0 to never stop early), got " + stopDiv);
        }
        if (!(smooth >= 0 && smooth < 1)) {
            throw new BadInput("--smooth must be in [0, 1), got " + smooth);
        }
        if (skipStart < 0 || skipEnd < 0) {
            throw new BadInput((skipStart < 0 ? "--skip-start" : "--skip-end") + " must be >= 0, got "
                    + Math.min(skipStart, skipEnd));
        }
        if (steps - skipStart - skipEnd < 2) {
            throw new BadInput("--steps " + steps + " leaves " + Math.max(0, steps - skipStart - skipEnd)
                    + " points after --skip-start " + skipStart + " and --skip-end " + skipEnd
                    + "; suggestions need at least 2: raise --steps or lower the skips");
        }
        if (evalEvery < 0) {
            throw new BadInput("--eval-every must be >= 0 (0: no evaluation), got " + evalEvery);
        }
        if (evalSamples < 1) {
            throw new BadInput("--eval-samples must be >= 1, got " + evalSamples);
        }
        if (repeats < 1 || repeats > 1000) {
            throw new BadInput("--repeats must be in 1..1000, got " + repeats);
        }
    }

    /** The defaults, for {@code seed}. */
    public static RangeTestSpec defaults(long seed) {
        return new RangeTestSpec(1e-7, 10, 100, Ramp.EXP, 4, 0.98, 10, 5, 0, 1000, 1, seed);
    }

    /** The rate of update {@code i}. */
    public double lr(long i) {
        return ramp.lr(start, end, steps, i);
    }
}
