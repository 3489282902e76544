package dev.anneal.plot;

import dev.anneal.io.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * A confusion matrix as a heatmap (scikit-learn's {@code ConfusionMatrixDisplay}): predicted class across, true
 * class down (row 0 at the top), each cell coloured by its count on the viridis scale of {@link MetricPaintScale}
 * and labelled with the count.
 */
public final class ConfusionPlot {
    private final long[][] confusion;
    private final String title;
    private final String subtitle;

    /** {@code confusion[t][p]}: samples of true class {@code t} predicted as {@code p}. */
    public ConfusionPlot(long[][] confusion, String title, String subtitle) {
        this.confusion = confusion;
        this.title = title;
        this.subtitle = subtitle;
    }

    /** Writes the PNG (800 x 700) atomically to {@code file}. */
    public void writePng(Path file) throws IOException {
        AtomicFiles.write(file, this::writePngTo);
    }

    /** The PNG (800 x 700) into {@code out}. */
    public void writePngTo(java.io.OutputStream out) throws IOException {
        int width = 800;
        int height = 700;
        int k = confusion.length;
        String[] names = new String[k];
        double[][] xyz = new double[3][k * k];
        for (int t = 0; t < k; t++) {
            names[t] = Integer.toString(t);
            for (int p = 0; p < k; p++) {
                int i = t * k + p;
                xyz[0][i] = p;
                xyz[1][i] = t;
                xyz[2][i] = confusion[t][p];
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("count", xyz);
        MetricPaintScale colours = MetricPaintScale.spanning(xyz[2]);
        XYBlockRenderer r = new XYBlockRenderer();
        r.setPaintScale(colours);
        SymbolAxis x = new SymbolAxis("predicted class", names);
        SymbolAxis y = new SymbolAxis("true class", names);
        x.setRange(-0.5, k - 0.5);
        y.setRange(-0.5, k - 0.5);
        y.setInverted(true);
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        for (int i = 0; i < xyz[2].length; i++) {
            XYTextAnnotation label = new XYTextAnnotation(String.format(Locale.ROOT, "%d", (long) xyz[2][i]),
                    xyz[0][i], xyz[1][i]);
            label.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, k > 20 ? 8 : 11));
            label.setPaint(colours.bright(xyz[2][i]) ? Color.BLACK : Color.WHITE);
            plot.addAnnotation(label);
        }
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        if (subtitle != null) {
            chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        }
        NumberAxis axis = new NumberAxis("samples");
        axis.setRange(colours.getLowerBound(), colours.getUpperBound());
        axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        PaintScaleLegend legend = new PaintScaleLegend(colours, axis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 40, 4);
        legend.setStripWidth(14);
        chart.addSubtitle(legend);
        ChartUtils.writeChartAsPNG(out, chart, width, height);
    }
}
