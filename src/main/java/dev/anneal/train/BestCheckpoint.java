package dev.anneal.train;

/**
 * When {@code train.keep_best} replaces {@code checkpoints/best/}: Keras' {@code ModelCheckpoint} with
 * {@code save_best_only=True} ({@code mode="auto"}): an evaluation is kept when its {@code train.best_metric} is
 * strictly better than the kept one's (higher accuracy, lower loss); the first evaluation is kept unless its
 * value is NaN (Keras starts from {@code +-inf}, which a NaN never beats), and a NaN never replaces a kept one.
 */
final class BestCheckpoint {
    private final String metric;

    BestCheckpoint(String metric) {
        this.metric = metric;
    }

    /** The ranked value of {@code m}. */
    double value(EvalMetrics m) {
        return MonitoredMetric.of(metric, m);
    }

    /** Whether {@code m} beats {@code kept} (null: nothing kept yet). */
    boolean improves(EvalMetrics m, Double kept) {
        double v = value(m);
        if (Double.isNaN(v)) {
            return false;
        }
        if (kept == null) {
            return true;
        }
        return MonitoredMetric.higherIsBetter(metric) ? v > kept : v < kept;
    }
}
