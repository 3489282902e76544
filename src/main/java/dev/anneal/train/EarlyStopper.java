package dev.anneal.train;

/**
 * Keras' {@code EarlyStopping} rule (keras/src/callbacks/early_stopping.py, {@code on_epoch_end}), on the
 * evaluations at the end of each epoch. With {@code best} unset at the start and {@code d = min_delta >= 0}, each
 * observation {@code v}:
 * <pre>
 *   wait += 1
 *   if best is unset or (max mode: v - d &gt; best; min mode: v + d &lt; best):  best = v; wait = 0
 *   else if wait &gt;= patience:                                               stop
 * </pre>
 * So the run stops after {@code patience} evaluations in a row that did not improve on the best by more than
 * {@code min_delta} ({@code patience = 0}: at the first one). A NaN never improves. No baseline, no weight
 * restoring ({@code train.keep_best} keeps the best weights instead). The state ({@link EarlyStoppingState}) is saved in every
 * checkpoint, so a resumed run stops where an uninterrupted one would.
 */
final class EarlyStopper {
    private final EarlyStoppingSpec spec;

    EarlyStopper(EarlyStoppingSpec spec) {
        this.spec = spec;
    }

    /** The state after observing {@code m}. */
    EarlyStoppingState observe(EarlyStoppingState s, EvalMetrics m) {
        EarlyStoppingState before = s == null ? EarlyStoppingState.START : s;
        double v = MonitoredMetric.of(spec.metric(), m);
        long wait = before.waitCount() + 1;
        if (improves(v, before.best())) {
            return new EarlyStoppingState(v, 0);
        }
        return new EarlyStoppingState(before.best(), wait);
    }

    /** Whether the run should stop in state {@code s} (after at least one evaluation without improvement). */
    boolean exhausted(EarlyStoppingState s) {
        return s != null && s.best() != null && s.waitCount() > 0 && s.waitCount() >= spec.patience();
    }

    private boolean improves(double v, Double best) {
        if (best == null) {
            return true;
        }
        double d = spec.minDelta();
        return spec.maximizes() ? v - d > best : v + d < best;
    }

    /** The line saying why the run stopped. */
    String reason(EarlyStoppingState s, long epoch) {
        return "early stopping after epoch " + epoch + ": " + spec.metric() + " has not improved by more than "
                + dev.anneal.spec.Format.number(spec.minDelta()) + " on its best (" + s.best() + ") for " + s.waitCount()
                + " evaluation" + (s.waitCount() == 1 ? "" : "s") + " (train.early_stopping.patience = " + spec.patience()
                + ")";
    }
}
