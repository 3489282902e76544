package dev.anneal.tune.sweep;

import dev.anneal.spec.BadInput;
import dev.anneal.train.EvalMetrics;
import java.util.List;

/**
 * What a sweep ranks its trials by: {@code test_accuracy} (goal max by default) or {@code test_loss} (goal min),
 * read from each trial's {@code metrics.jsonl}. A NaN value (a diverged run) ranks below every number.
 */
record SweepMetric(String name, boolean maximize) {
    static final List<String> NAMES = List.of("test_accuracy", "test_loss");

    /** {@code goal} may be null (the metric's natural goal), {@code max}/{@code maximize} or {@code min}/{@code minimize}. */
    static SweepMetric of(String name, String goal, String origin) {
        String n = name == null ? "test_accuracy" : name;
        if (!NAMES.contains(n)) {
            throw new BadInput(origin + ": the metric must be test_accuracy or test_loss, got " + n);
        }
        boolean max;
        if (goal == null) {
            max = n.equals("test_accuracy");
        } else if (goal.equals("max") || goal.equals("maximize")) {
            max = true;
        } else if (goal.equals("min") || goal.equals("minimize")) {
            max = false;
        } else {
            throw new BadInput(origin + ": the goal must be max or min (maximize, minimize), got " + goal);
        }
        return new SweepMetric(n, max);
    }

    String goal() {
        return maximize ? "max" : "min";
    }

    double of(EvalMetrics m) {
        return name.equals("test_loss") ? m.testLoss() : m.testAccuracy();
    }

    /** Whether {@code a} ranks strictly above {@code b}. */
    boolean better(double a, double b) {
        if (Double.isNaN(a)) {
            return false;
        }
        if (Double.isNaN(b)) {
            return true;
        }
        return maximize ? a > b : a < b;
    }

    /** The best value over the evaluations (NaN when there are none). */
    double best(List<EvalMetrics> history) {
        double best = Double.NaN;
        for (EvalMetrics m : history) {
            if (Double.isNaN(best) || better(of(m), best)) {
                best = of(m);
            }
        }
        return best;
    }
}
