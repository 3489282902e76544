package dev.anneal.train;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One line of {@code metrics.jsonl}: the state of the run after an evaluation (at the end of each epoch).
 *
 * <p>Which sets a line holds: without {@code data.validation_split} every line has the test set's
 * {@code test_loss} and {@code test_accuracy}; with it every line has the validation set's {@code val_loss} and
 * {@code val_accuracy} (Keras' names), and the line of the run's last epoch also has the test set's, evaluated once
 * at the end (absent when the data has no test set). Absent values are left out of the JSON line.
 *
 * @param epoch epochs completed (1 after the first)
 * @param step optimizer updates applied so far
 * @param lr the rate the next update will use
 * @param trainLoss mean training loss over the epoch's samples
 * @param valLoss mean loss over the validation set, null without one
 * @param valAccuracy fraction of the validation set classified correctly, null without one
 * @param testLoss mean loss over the test set, null where the test set was not evaluated
 * @param testAccuracy fraction of the test set classified correctly, null where not evaluated
 * @param samplesPerSecond training samples per second of the epoch (evaluation excluded)
 * @param skippedSteps updates skipped for non-finite gradients so far
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvalMetrics(long epoch, long step, double lr, double trainLoss, Double valLoss, Double valAccuracy,
                          Double testLoss, Double testAccuracy, double samplesPerSecond, long skippedSteps) {
    /** A line with the test set's metrics only (a run without a validation set). */
    public EvalMetrics(long epoch, long step, double lr, double trainLoss, double testLoss, double testAccuracy,
                       double samplesPerSecond, long skippedSteps) {
        this(epoch, step, lr, trainLoss, null, null, testLoss, testAccuracy, samplesPerSecond, skippedSteps);
    }

    /** Whether the per-epoch evaluation was on a validation set. */
    public boolean validated() {
        return valLoss != null;
    }

    /** The set evaluated after every epoch: {@code "validation"} or {@code "test"}. */
    public String monitoredSet() {
        return validated() ? "validation" : "test";
    }

    /** The mean loss of the set evaluated after every epoch (validation when there is one, else test). */
    public double loss() {
        return validated() ? valLoss : testLoss;
    }

    /** The accuracy of the set evaluated after every epoch (validation when there is one, else test). */
    public double accuracy() {
        return validated() ? valAccuracy : testAccuracy;
    }

    /** Whether this line holds the test set's metrics. */
    public boolean tested() {
        return testLoss != null;
    }

    /** This line with the test set's metrics, from the evaluation at the end of a validated run. */
    public EvalMetrics withTest(double loss, double accuracy) {
        return new EvalMetrics(epoch, step, lr, trainLoss, valLoss, valAccuracy, loss, accuracy, samplesPerSecond,
                skippedSteps);
    }
}
