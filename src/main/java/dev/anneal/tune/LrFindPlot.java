package dev.anneal.tune;

import dev.anneal.plot.MarkerPlot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code lr_find.png}: the smoothed loss (and, faint, the raw loss) of each repeat against the rate on a log axis,
 * up to {@code skip_end} points before the end as fastai plots it, each suggestion and the cyclical bounds marked
 * on the first repeat's smoothed curve, and the subset accuracy on a right axis when the test evaluated. The loss
 * axis spans the smoothed curve with a margin, so a diverging tail does not flatten it.
 */
public final class LrFindPlot {
    private LrFindPlot() {
    }

    public static void write(Path file, LrFindResult result, String subtitle) throws IOException {
        RangeTestSpec spec = result.spec();
        MarkerPlot plot = new MarkerPlot("LR range test (" + spec.ramp().label() + " ramp)", "learning rate",
                "loss").subtitle(subtitle).logX(true);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < result.curves().size(); r++) {
            List<CurvePoint> pts = shown(result.curves().get(r), spec.skipEnd());
            double[] lr = pts.stream().mapToDouble(CurvePoint::lr).toArray();
            double[] sm = pts.stream().mapToDouble(CurvePoint::smoothedLoss).toArray();
            String tag = result.curves().size() > 1 ? " (seed " + result.curves().get(r).seed() + ")" : "";
            plot.line("smoothed loss" + tag, lr, sm);
            if (r == 0) {
                plot.line("loss", lr, pts.stream().mapToDouble(CurvePoint::loss).toArray());
                List<CurvePoint> ev = pts.stream().filter(CurvePoint::evaluated).toList();
                if (!ev.isEmpty()) {
                    String set = result.evaluated().equals("val") ? "validation" : "test";
                    plot.rightLine(set + " accuracy (subset)", "accuracy", ev.stream().mapToDouble(CurvePoint::lr)
                            .toArray(), ev.stream().mapToDouble(CurvePoint::testAccuracy).toArray());
                }
            }
            for (double v : sm) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        Curve first = result.curves().get(0);
        double[] lrs = first.lrs();
        double[] sm = first.smoothedLosses();
        for (String name : Suggestions.NAMES) {
            mark(plot, name, result.value(name), lrs, sm);
        }
        mark(plot, "clr_base_lr", result.value("clr_base_lr"), lrs, sm);
        mark(plot, "clr_max_lr", result.value("clr_max_lr"), lrs, sm);
        if (hi > lo) {
            double pad = 0.08 * (hi - lo);
            plot.yRange(lo - pad, hi + pad);
        }
        plot.writePng(file, 900, 550);
    }

    private static List<CurvePoint> shown(Curve c, int skipEnd) {
        List<CurvePoint> all = c.points();
        return all.subList(0, Math.max(Math.min(all.size(), 2), all.size() - skipEnd));
    }

    private static void mark(MarkerPlot plot, String name, double lr, double[] lrs, double[] losses) {
        String label = Double.isFinite(lr) ? String.format(Locale.ROOT, "%s %.3g", name, lr) : name + " (none)";
        double y = Double.isFinite(lr) && lrs.length > 0 ? LrSuggestions.lossAt(lr, lrs, losses) : Double.NaN;
        plot.marker(label, lr, y);
    }
}
