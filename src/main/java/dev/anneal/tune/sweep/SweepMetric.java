package dev.anneal.tune.sweep;

import dev.anneal.spec.BadInput;
import dev.anneal.train.EvalMetrics;
import java.util.List;

/**
 * What a sweep ranks its trials by, read from each trial's {@code metrics.jsonl}: {@code test_accuracy} (goal max
 * by default) or {@code test_loss} (goal min) of the per-epoch test evaluation, or, when the base config holds out
 * a validation set ({@code data.validation_split}), {@code val_accuracy} or {@code val_loss}: such runs evaluate
 * the test set only at the end, and choosing hyperparameters by it would tune on the test set. A NaN value (a
 * diverged run) ranks below every number.
 */
record SweepMetric(String name, boolean maximize) {
    static final List<String> NAMES = List.of("test_accuracy", "test_loss", "val_accuracy", "val_loss");

    /** {@link #of(String, String, String, boolean)} for a base config without a validation set. */
    static SweepMetric of(String name, String goal, String origin) {
        return of(name, goal, origin, false);
    }

    /**
     * {@code goal} may be null (the metric's natural goal), {@code max}/{@code maximize} or {@code min}/{@code
     * minimize}; {@code name} null means the accuracy of the set evaluated every epoch.
     *
     * @param validating whether the base config holds out a validation set
     */
    static SweepMetric of(String name, String goal, String origin, boolean validating) {
        String prefix = validating ? "val_" : "test_";
        String n = name == null ? prefix + "accuracy" : name;
        if (!NAMES.contains(n)) {
            throw new BadInput(origin + ": the metric must be " + prefix + "accuracy or " + prefix + "loss, got " + n);
        }
        if (!n.startsWith(prefix)) {
            throw new BadInput(origin + ": " + n + (validating ? " is the test set's, which runs with "
                    + "data.validation_split evaluate only at the end; rank by the validation set: val_"
                    + n.substring(5) : " needs a validation set: set data.validation_split in the config, or rank"
                    + " by test_" + n.substring(4)));
        }
        boolean max;
        if (goal == null) {
            max = n.endsWith("_accuracy");
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
        Double v = switch (name) {
            case "val_loss" -> m.valLoss();
            case "val_accuracy" -> m.valAccuracy();
            case "test_loss" -> m.testLoss();
            default -> m.testAccuracy();
        };
        return v == null ? Double.NaN : v;
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
