package dev.anneal.train;

import dev.anneal.spec.SpecException;

/**
 * The evaluation metrics a run can watch (plateau schedule, early stopping, best checkpoint), by config name:
 * {@code test_loss} and {@code test_accuracy} when the test set is evaluated after every epoch, {@code val_loss}
 * and {@code val_accuracy} when {@code data.validation_split} holds out a validation set (whose run evaluates the
 * test set only at the end, so it cannot watch it).
 */
public final class MonitoredMetric {
    static final String[] NAMES = {"test_loss", "test_accuracy", "val_loss", "val_accuracy"};

    private MonitoredMetric() {
    }

    /** Whether higher values are better: accuracy yes, loss no (Keras' {@code mode="auto"} rule). */
    public static boolean higherIsBetter(String name) {
        return name.endsWith("_accuracy");
    }

    /** The value of metric {@code name} in {@code m}. */
    static double of(String name, EvalMetrics m) {
        Double v = switch (name) {
            case "val_loss" -> m.valLoss();
            case "val_accuracy" -> m.valAccuracy();
            case "test_accuracy" -> m.testAccuracy();
            default -> m.testLoss();
        };
        if (v == null) {
            throw new IllegalStateException("metric " + name + " was not evaluated at epoch " + m.epoch());
        }
        return v;
    }

    /**
     * The name a run with ({@code validating}) or without a validation set watches for {@code name}: with one,
     * {@code test_*} becomes {@code val_*}, since such a run evaluates the test set only at the end and every epoch's
     * evaluation is the validation set's (so a config resolved without a split, whose {@code test_loss} named the
     * per-epoch evaluation, keeps its meaning when a split is added); without one, {@code val_*} is refused at
     * {@code key}.
     */
    static String forRun(String key, String name, boolean validating) {
        if (validating && name.startsWith("test_")) {
            return "val_" + name.substring("test_".length());
        }
        if (!validating && name.startsWith("val_")) {
            throw new SpecException(key, name + " needs a validation set: set data.validation_split (e.g. 0.1), "
                    + "or watch " + "test_" + name.substring("val_".length()));
        }
        return name;
    }
}
