package dev.anneal.plot;

import java.awt.BasicStroke;
import java.util.List;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Parallel coordinates (Inselberg, "The plane with parallel coordinates", The Visual Computer 1985): the keys
 * and the metric as evenly spaced vertical axes, each value scaled to [0, 1] over its axis's range (log scale for
 * positive values over more than two decades, category index for non-numbers), one polyline per trial coloured
 * by its metric.
 */
final class ParallelCoordinates {
    private ParallelCoordinates() {
    }

    static XYPlot plot(List<String> keys, List<List<String>> values, List<Double> metrics, String metric) {
        int axes = keys.size() + 1;
        double[][] scaled = new double[values.size()][axes];
        for (int k = 0; k < keys.size(); k++) {
            int col = k;
            double[] raw = position(keys.get(k), values.stream().map(v -> v.get(col)).toList());
            normalise(raw);
            for (int i = 0; i < raw.length; i++) {
                scaled[i][k] = raw[i];
            }
        }
        double[] m = metrics.stream().mapToDouble(Double::doubleValue).toArray();
        double[] mm = m.clone();
        normalise(mm);
        for (int i = 0; i < m.length; i++) {
            scaled[i][keys.size()] = mm[i];
        }
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        MetricPaintScale colours = MetricPaintScale.spanning(m);
        for (int i = 0; i < scaled.length; i++) {
            XYSeries s = new XYSeries("trial " + i, false, true);
            for (int a = 0; a < axes; a++) {
                s.add(a, scaled[i][a]);
            }
            data.addSeries(s);
            r.setSeriesPaint(i, colours.getPaint(m[i]));
            r.setSeriesStroke(i, new BasicStroke(1.5f));
        }
        String[] names = new String[axes];
        for (int k = 0; k < keys.size(); k++) {
            names[k] = keys.get(k);
        }
        names[keys.size()] = metric;
        SymbolAxis x = new SymbolAxis(null, names);
        x.setGridBandsVisible(false);
        NumberAxis y = new NumberAxis("each axis scaled to its range");
        y.setRange(-0.05, 1.05);
        return new XYPlot(data, x, y, r);
    }

    private static double[] position(String key, List<String> column) {
        SweepAxis axis = new SweepAxis(key, column, false);
        boolean log = !axis.categorical() && column.stream().allMatch(v -> Double.parseDouble(v) > 0)
                && axis.axis() instanceof org.jfree.chart.axis.LogAxis;
        double[] out = new double[column.size()];
        for (int i = 0; i < out.length; i++) {
            double p = axis.position(column.get(i));
            out[i] = log ? Math.log10(p) : p;
        }
        return out;
    }

    private static void normalise(double[] v) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            if (Double.isFinite(x)) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = hi > lo ? (v[i] - lo) / (hi - lo) : 0.5;
        }
    }
}
