package dev.anneal.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link EarlyStopper} against Keras' EarlyStopping.on_epoch_end, value by value. */
class EarlyStopperTest {
    private static EvalMetrics loss(double v) {
        return new EvalMetrics(1, 1, 0.1, 0, v, 0, 0, 0);
    }

    private static EvalMetrics accuracy(double v) {
        return new EvalMetrics(1, 1, 0.1, 0, 0, v, 0, 0);
    }

    /** The evaluation (1-based) after which the run stops, or 0 when it never does. */
    private static int stopsAfter(EarlyStopper s, EvalMetrics... ms) {
        EarlyStoppingState st = null;
        for (int i = 0; i < ms.length; i++) {
            st = s.observe(st, ms[i]);
            if (s.exhausted(st)) {
                return i + 1;
            }
        }
        return 0;
    }

    @Test
    void stopsAfterPatienceEvaluationsWithoutImprovementOnTheLoss() {
        EarlyStopper s = new EarlyStopper(new EarlyStoppingSpec(2L, 0.0, "test_loss", "auto"));
        // keras: best 1.0, 0.9; wait 1 (0.95), wait 2 (0.9 equal is no improvement) -> stop at the 4th
        assertEquals(4, stopsAfter(s, loss(1.0), loss(0.9), loss(0.95), loss(0.9), loss(0.1)));
        assertEquals(0, stopsAfter(s, loss(1.0), loss(0.99), loss(0.98), loss(0.97)));
    }

    @Test
    void anImprovementMustExceedMinDelta() {
        EarlyStopper s = new EarlyStopper(new EarlyStoppingSpec(1L, 0.1, "test_loss", "min"));
        // 0.95 + 0.1 < 1.0 is false: no improvement, wait 1 >= patience 1
        assertEquals(2, stopsAfter(s, loss(1.0), loss(0.95)));
        // 0.85 + 0.1 < 1.0: improvement; best is now 0.85 (Keras keeps the value, not the threshold)
        assertEquals(3, stopsAfter(s, loss(1.0), loss(0.85), loss(0.76)));
    }

    @Test
    void accuracyIsMaximisedInAutoModeAndPatienceZeroStopsAtTheFirstNonImprovement() {
        EarlyStopper s = new EarlyStopper(new EarlyStoppingSpec(0L, 0.0, "test_accuracy", "auto"));
        assertEquals(3, stopsAfter(s, accuracy(0.5), accuracy(0.6), accuracy(0.6)));
        EarlyStopper min = new EarlyStopper(new EarlyStoppingSpec(0L, 0.0, "test_accuracy", "min"));
        assertEquals(2, stopsAfter(min, accuracy(0.5), accuracy(0.6)));
    }

    @Test
    void aNanNeverImprovesButTheFirstValueAlwaysSetsTheBest() {
        EarlyStopper s = new EarlyStopper(new EarlyStoppingSpec(1L, 0.0, "test_loss", "auto"));
        assertEquals(2, stopsAfter(s, loss(5.0), loss(Double.NaN)));
        EarlyStoppingState st = s.observe(null, loss(5.0));
        assertEquals(new EarlyStoppingState(5.0, 0), st);
        assertFalse(s.exhausted(st));
        assertTrue(s.exhausted(s.observe(st, loss(6.0))));
    }

    @Test
    void theMetricDefaultsToThePlateauMetric() {
        TrainSpec t = new TrainSpec(null, null, null, null, "test_accuracy", null, null, null, null, null, null, null,
                new EarlyStoppingSpec(3L, null, null, null), null);
        assertEquals("test_accuracy", t.earlyStopping().metric());
        assertTrue(t.earlyStopping().maximizes());
        assertEquals(0.0, t.earlyStopping().minDelta());
    }
}
