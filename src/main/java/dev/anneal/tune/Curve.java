package dev.anneal.tune;

import java.util.List;

/**
 * The recorded range test of one data order.
 *
 * @param points one per update, in order
 * @param stoppedEarly whether the test ended before its last update
 * @param stopReason why it ended early (the smoothed loss above {@code stop_div} times the best, or a non-finite
 *     loss or gradient), empty when it ran to the end
 * @param seed the {@code train.seed} of this data order
 */
public record Curve(List<CurvePoint> points, boolean stoppedEarly, String stopReason, long seed) {
    public Curve {
        points = List.copyOf(points);
    }

    public double[] lrs() {
        return points.stream().mapToDouble(CurvePoint::lr).toArray();
    }

    public double[] smoothedLosses() {
        return points.stream().mapToDouble(CurvePoint::smoothedLoss).toArray();
    }

    public double[] losses() {
        return points.stream().mapToDouble(CurvePoint::loss).toArray();
    }
}
