package dev.anneal.plot;

import dev.anneal.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A PNG chart of curves with named points marked on them (JFreeChart, headless, written atomically): lines on a
 * left axis, optionally lines on a right axis of their own, and markers (a filled dot per named point, named in
 * the legend), over an x axis that may be logarithmic. Used for the LR range test: loss against a log rate, each
 * suggested rate marked, accuracy on the right.
 */
public final class MarkerPlot {
    private static final Color[] LINES = {new Color(0x1f77b4), new Color(0xaec7e8), new Color(0x2ca02c)};
    private static final Color[] MARKERS = {
        new Color(0xd62728), new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2),
        new Color(0x17becf), new Color(0xbcbd22), new Color(0x7f7f7f)
    };

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<XYSeries> lines = new ArrayList<>();
    private final List<XYSeries> markers = new ArrayList<>();
    private final List<XYSeries> right = new ArrayList<>();
    private String rightLabel;
    private String subtitle;
    private boolean logX;
    private double yLower = Double.NaN;
    private double yUpper = Double.NaN;

    public MarkerPlot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public MarkerPlot subtitle(String text) {
        this.subtitle = text;
        return this;
    }

    /** A logarithmic x axis; needs positive x values. */
    public MarkerPlot logX(boolean on) {
        this.logX = on;
        return this;
    }

    /** Fixes the left axis to {@code [lower, upper]} (a diverging tail would otherwise flatten the curve). */
    public MarkerPlot yRange(double lower, double upper) {
        if (!(upper > lower)) {
            throw new IllegalArgumentException("empty y range " + lower + ".." + upper);
        }
        this.yLower = lower;
        this.yUpper = upper;
        return this;
    }

    /** A line on the left axis; non-finite points are left out. */
    public MarkerPlot line(String name, double[] x, double[] y) {
        lines.add(series(name, x, y));
        return this;
    }

    /** A line on the right axis, labelled {@code axisLabel}; non-finite points are left out. */
    public MarkerPlot rightLine(String name, String axisLabel, double[] x, double[] y) {
        rightLabel = axisLabel;
        right.add(series(name, x, y));
        return this;
    }

    /** A marked point on the left axis, named in the legend; ignored when not finite. */
    public MarkerPlot marker(String name, double x, double y) {
        XYSeries s = new XYSeries(name, false, true);
        if (Double.isFinite(x) && Double.isFinite(y)) {
            s.add(x, y);
        }
        markers.add(s);
        return this;
    }

    private static XYSeries series(String name, double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("x and y differ in length: " + x.length + " vs " + y.length);
        }
        XYSeries s = new XYSeries(name, false, true);
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                s.add(x[i], y[i], false);
            }
        }
        return s;
    }

    /** Renders the chart and writes it as PNG to {@code file}, atomically. */
    public void writePng(Path file, int width, int height) throws IOException {
        XYSeriesCollection left = new XYSeriesCollection();
        lines.forEach(left::addSeries);
        markers.forEach(left::addSeries);
        ValueAxis x;
        if (logX) {
            LogAxis log = new LogAxis(xLabel);
            log.setBase(10);
            log.setSmallestValue(1e-300);
            x = log;
        } else {
            NumberAxis linear = new NumberAxis(xLabel);
            linear.setAutoRangeIncludesZero(false);
            x = linear;
        }
        NumberAxis y = new NumberAxis(yLabel);
        y.setAutoRangeIncludesZero(false);
        if (!Double.isNaN(yLower)) {
            y.setRange(yLower, yUpper);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < lines.size(); i++) {
            renderer.setSeriesPaint(i, LINES[i % LINES.length]);
            renderer.setSeriesStroke(i, new BasicStroke(i == 0 ? 2.0f : 1.0f));
        }
        for (int j = 0; j < markers.size(); j++) {
            int i = lines.size() + j;
            renderer.setSeriesPaint(i, MARKERS[j % MARKERS.length]);
            renderer.setSeriesLinesVisible(i, false);
            renderer.setSeriesShapesVisible(i, true);
            renderer.setSeriesShape(i, new Ellipse2D.Double(-5, -5, 10, 10));
        }
        XYPlot plot = new XYPlot(left, x, y, renderer);
        if (!right.isEmpty()) {
            XYSeriesCollection r = new XYSeriesCollection();
            right.forEach(r::addSeries);
            NumberAxis axis = new NumberAxis(rightLabel);
            axis.setAutoRangeIncludesZero(false);
            XYLineAndShapeRenderer rr = new XYLineAndShapeRenderer(true, true);
            for (int i = 0; i < right.size(); i++) {
                rr.setSeriesPaint(i, LINES[(i + 2) % LINES.length]);
                rr.setSeriesShape(i, new Ellipse2D.Double(-2.5, -2.5, 5, 5));
            }
            plot.setDataset(1, r);
            plot.setRangeAxis(1, axis);
            plot.mapDatasetToRangeAxis(1, 1);
            plot.setRenderer(1, rr);
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        if (subtitle != null) {
            chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        }
        AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, width, height));
    }
}
