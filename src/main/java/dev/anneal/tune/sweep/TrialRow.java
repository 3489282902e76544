package dev.anneal.tune.sweep;

import java.util.List;

/**
 * A finished trial as {@code sweep.csv} holds it. Metric values are null where the trial has none (it failed
 * before its first evaluation); a NaN is a value (a diverged run).
 *
 * @param trial the trial's number
 * @param values the swept values, {@code --set} text, in the sweep's key order
 * @param status {@code done} (trained its epochs), {@code stopped} (by ASHA at a rung) or {@code failed} (its
 *     {@code anneal train} exited with an error; its log says why)
 * @param finalMetric the ranking metric at the last evaluation
 * @param bestMetric the best value of the ranking metric over the trial's evaluations
 * @param testLoss test loss at the last evaluation
 * @param testAccuracy test accuracy at the last evaluation
 * @param epochs epochs trained
 * @param seconds wall time of the trial's {@code anneal train} processes in the sweep invocations that ran them
 */
record TrialRow(int trial, List<String> values, String status, Double finalMetric, Double bestMetric,
                Double testLoss, Double testAccuracy, long epochs, double seconds) {
    static final String DONE = "done";
    static final String STOPPED = "stopped";
    static final String FAILED = "failed";

    TrialRow {
        values = List.copyOf(values);
    }
}
