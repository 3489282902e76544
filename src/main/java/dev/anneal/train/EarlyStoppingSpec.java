package dev.anneal.train;

import dev.anneal.spec.Require;
import dev.anneal.spec.SpecException;

/**
 * The config section {@code train.early_stopping}: stop a run whose test metric no longer improves (Keras'
 * {@code EarlyStopping} callback, without a baseline or weight restoring).
 *
 * <pre>
 * train:
 *   early_stopping: {patience: 3, min_delta: 0, metric: test_loss, mode: auto}
 * </pre>
 *
 * @param patience {@code patience}: evaluations without improvement after which the run stops, &gt;= 0, required
 * @param minDelta {@code min_delta}: an improvement must exceed this, &gt;= 0, default 0
 * @param metric {@code metric}: test_loss | test_accuracy | val_loss | val_accuracy; default: {@code train.plateau_metric}, so that it
 *     observes what a plateau schedule observes (filled in by {@link TrainSpec})
 * @param mode {@code mode}: min | max | auto (default: max for an accuracy, min for a loss, as Keras' auto
 *     for a name containing "acc")
 */
public record EarlyStoppingSpec(Long patience, Double minDelta, String metric, String mode) {
    public EarlyStoppingSpec {
        if (patience == null) {
            throw new SpecException("patience", "is required (evaluations without improvement before the run stops)");
        }
        Require.nonNegative("patience", patience);
        minDelta = minDelta == null ? 0.0 : minDelta;
        Require.nonNegative("min_delta", minDelta);
        if (metric != null) {
            Require.oneOf("metric", metric, MonitoredMetric.NAMES);
        }
        mode = mode == null ? "auto" : mode;
        Require.oneOf("mode", mode, "auto", "min", "max");
    }

    /** This spec observing {@code m} when it names no metric of its own. */
    EarlyStoppingSpec withDefaultMetric(String m) {
        return metric != null ? this : new EarlyStoppingSpec(patience, minDelta, m, mode);
    }

    /** This spec for a run with or without a validation set ({@link MonitoredMetric#forRun}). */
    EarlyStoppingSpec forRun(boolean validating) {
        String m = MonitoredMetric.forRun("early_stopping.metric", metric, validating);
        return m.equals(metric) ? this : new EarlyStoppingSpec(patience, minDelta, m, mode);
    }

    /** Whether a higher value of the metric is better. */
    public boolean maximizes() {
        return mode.equals("auto") ? MonitoredMetric.higherIsBetter(metric) : mode.equals("max");
    }
}
