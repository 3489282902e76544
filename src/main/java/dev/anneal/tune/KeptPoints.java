package dev.anneal.tune;

import java.util.List;

/**
 * The points of a curve that suggestions look at: {@code points[skip_start : n - skip_end]}, written with explicit
 * bounds so that a skip of 0 keeps every point (Python's {@code losses[skip_start:-skip_end]} is empty for
 * {@code skip_end = 0}: Lightning PR 21923, fastai PR 430), then cut before the first non-finite smoothed loss (as
 * fastai's {@code lr_find} drops from the first NaN on).
 *
 * @param from the curve index of the first kept point
 * @param points the kept points
 */
public record KeptPoints(int from, List<CurvePoint> points) {
    public static KeptPoints of(Curve curve, int skipStart, int skipEnd) {
        List<CurvePoint> all = curve.points();
        int from = Math.min(skipStart, all.size());
        int to = Math.max(from, all.size() - skipEnd);
        int cut = from;
        while (cut < to && Double.isFinite(all.get(cut).smoothedLoss())) {
            cut++;
        }
        return new KeptPoints(from, List.copyOf(all.subList(from, cut)));
    }

    public int size() {
        return points.size();
    }

    public double[] lrs() {
        return points.stream().mapToDouble(CurvePoint::lr).toArray();
    }

    public double[] smoothedLosses() {
        return points.stream().mapToDouble(CurvePoint::smoothedLoss).toArray();
    }
}
