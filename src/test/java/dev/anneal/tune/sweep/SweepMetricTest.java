package dev.anneal.tune.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.spec.BadInput;
import dev.anneal.train.EvalMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a sweep ranks by: the set each epoch evaluates; never the test set of a run that holds out validation. */
class SweepMetricTest {
    @Test
    void theDefaultIsTheAccuracyOfTheSetEvaluatedEveryEpoch() {
        assertEquals("test_accuracy", SweepMetric.of(null, null, "o", false).name());
        SweepMetric val = SweepMetric.of(null, null, "o", true);
        assertEquals("val_accuracy", val.name());
        assertTrue(val.maximize());
        assertFalse(SweepMetric.of("val_loss", null, "o", true).maximize());
    }

    @Test
    void theTestSetOfAValidatedRunAndValMetricsWithoutASplitAreRefused() {
        String m = assertThrows(BadInput.class, () -> SweepMetric.of("test_accuracy", null, "--metric", true))
                .getMessage();
        assertTrue(m.contains("rank by the validation set: val_accuracy"), m);
        m = assertThrows(BadInput.class, () -> SweepMetric.of("val_loss", null, "--metric", false)).getMessage();
        assertTrue(m.contains("needs a validation set") && m.contains("test_loss"), m);
    }

    @Test
    void readsTheValidationValuesOfEachEpochAndNaNWhereAbsent() {
        EvalMetrics e1 = new EvalMetrics(1, 10, 0.1, 1.0, 0.9, 0.5, null, null, 100, 0);
        EvalMetrics e2 = new EvalMetrics(2, 20, 0.1, 0.8, 0.7, 0.75, 0.72, 0.7, 100, 0);
        SweepMetric acc = SweepMetric.of("val_accuracy", null, "o", true);
        assertEquals(0.75, acc.best(List.of(e1, e2)));
        assertTrue(Double.isNaN(SweepMetric.of("test_accuracy", null, "o", false).of(e1)));
    }
}
