package dev.anneal.plot;

import dev.anneal.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A sweep's results as a PNG, by how many keys were swept: one key, the metric against the key's values (a
 * line through the trials in value order, log x for values over more than two decades); two keys, a heatmap
 * when both take few repeated values (a grid: one cell per pair, coloured by the metric and labelled with it),
 * else a scatter of the trials coloured by the metric; more keys, parallel coordinates (Inselberg 1985): one
 * vertical axis per key and one for the metric, each scaled to its range, one line per trial coloured by its
 * metric. Trials without a metric are left out.
 */
public final class SweepPlot {
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private final String title;
    private final List<String> keys;
    private final String metric;
    private final List<List<String>> values = new ArrayList<>();
    private final List<Double> metrics = new ArrayList<>();
    private String subtitle;

    public SweepPlot(String title, List<String> keys, String metric) {
        this.title = title;
        this.keys = List.copyOf(keys);
        this.metric = metric;
    }

    public SweepPlot subtitle(String text) {
        this.subtitle = text;
        return this;
    }

    /** One trial: its value of each key, in key order, and its metric (NaN: the trial gave none, it failed). */
    public SweepPlot add(List<String> trialValues, double metricValue) {
        if (trialValues.size() != keys.size()) {
            throw new IllegalArgumentException(trialValues.size() + " values for " + keys.size() + " keys");
        }
        values.add(List.copyOf(trialValues));
        metrics.add(metricValue);
        return this;
    }

    public void writePng(Path file, int width, int height) throws IOException {
        XYPlot plot = switch (keys.size()) {
            case 1 -> line();
            case 2 -> pairs();
            default -> ParallelCoordinates.plot(keys, finite(values), finite(metrics), metric);
        };
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        JFreeChart chart = new JFreeChart(title, TITLE, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        if (subtitle != null) {
            chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        }
        if (keys.size() != 1) {
            chart.addSubtitle(legend());
        }
        AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, width, height));
    }

    private XYPlot line() {
        SweepAxis x = new SweepAxis(keys.get(0), column(0), false);
        XYSeries s = new XYSeries(metric, true, true);
        for (int i = 0; i < values.size(); i++) {
            if (Double.isFinite(metrics.get(i))) {
                s.add(x.position(values.get(i).get(0)), metrics.get(i));
            }
        }
        NumberAxis y = new NumberAxis(metric);
        y.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setSeriesPaint(0, new Color(0x1f77b4));
        r.setSeriesStroke(0, new BasicStroke(2.0f));
        return new XYPlot(new XYSeriesCollection(s), x.axis(), y, r);
    }

    private XYPlot pairs() {
        List<String> xs = column(0);
        List<String> ys = column(1);
        SweepAxis x = new SweepAxis(keys.get(0), xs, false);
        SweepAxis y = new SweepAxis(keys.get(1), ys, false);
        boolean grid = x.categorical() && y.categorical();
        double[][] xyz = new double[3][values.size()];
        for (int i = 0; i < values.size(); i++) {
            xyz[0][i] = x.position(xs.get(i));
            xyz[1][i] = y.position(ys.get(i));
            xyz[2][i] = metrics.get(i);
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries(metric, xyz);
        XYPlot plot;
        if (grid) {
            XYBlockRenderer r = new XYBlockRenderer();
            MetricPaintScale colours = scale();
            r.setPaintScale(colours);
            plot = new XYPlot(data, x.axis(), y.axis(), r);
            for (int i = 0; i < values.size(); i++) {
                double m = metrics.get(i);
                XYTextAnnotation label = new XYTextAnnotation(Double.isFinite(m)
                        ? String.format(java.util.Locale.ROOT, "%.4g", m) : "failed", xyz[0][i], xyz[1][i]);
                label.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                label.setPaint(!Double.isFinite(m) ? Color.DARK_GRAY : colours.bright(m) ? Color.BLACK : Color.WHITE);
                plot.addAnnotation(label);
            }
            ((SymbolAxis) plot.getDomainAxis()).setRange(-0.5, x.size() - 0.5);
            ((SymbolAxis) plot.getRangeAxis()).setRange(-0.5, y.size() - 0.5);
        } else {
            // A failed trial has no metric to colour a point with; the scatter shows the trials that gave one.
            data = new DefaultXYZDataset();
            data.addSeries(metric, finiteColumns(xyz));
            XYShapeRenderer r = new XYShapeRenderer();
            r.setPaintScale(scale());
            r.setDefaultShape(new java.awt.geom.Ellipse2D.Double(-5, -5, 10, 10));
            plot = new XYPlot(data, x.axis(), y.axis(), r);
        }
        return plot;
    }

    /** The entries of {@code list} whose trial has a finite metric. */
    private <T> List<T> finite(List<T> list) {
        List<T> kept = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (Double.isFinite(metrics.get(i))) {
                kept.add(list.get(i));
            }
        }
        return kept;
    }

    private static double[][] finiteColumns(double[][] xyz) {
        int n = 0;
        for (double z : xyz[2]) {
            n += Double.isFinite(z) ? 1 : 0;
        }
        double[][] kept = new double[3][n];
        for (int i = 0, j = 0; i < xyz[2].length; i++) {
            if (Double.isFinite(xyz[2][i])) {
                for (int d = 0; d < 3; d++) {
                    kept[d][j] = xyz[d][i];
                }
                j++;
            }
        }
        return kept;
    }

    private List<String> column(int k) {
        return values.stream().map(v -> v.get(k)).toList();
    }

    private MetricPaintScale scale() {
        return MetricPaintScale.spanning(metrics.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private PaintScaleLegend legend() {
        MetricPaintScale s = scale();
        NumberAxis axis = new NumberAxis(metric);
        axis.setRange(s.getLowerBound(), s.getUpperBound());
        PaintScaleLegend legend = new PaintScaleLegend(s, axis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 40, 4);
        legend.setStripWidth(14);
        return legend;
    }
}
