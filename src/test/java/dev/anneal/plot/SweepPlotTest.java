package dev.anneal.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failed trials (no metric) are drawn as grey cells in a grid and left out of curves, scatters and axes plots. */
class SweepPlotTest {
    private static final int FAILED_GREY = 0xcccccc;

    @TempDir
    Path dir;

    @Test
    void aFailedTrialIsAGreyCellOfTheHeatmap() throws IOException {
        assertTrue(greyPixels(grid(Double.NaN)) > 2000, "the failed trial's cell is grey");
        assertTrue(greyPixels(grid(0.5)) < 100, "no grey cell when every trial has a metric");
    }

    @Test
    void curvesScattersAndParallelCoordinatesSkipFailedTrials() throws IOException {
        SweepPlot one = new SweepPlot("t", List.of("optimizer.lr"), "test_accuracy")
                .add(List.of("0.1"), 0.8).add(List.of("0.2"), Double.NaN).add(List.of("0.3"), 0.7);
        one.writePng(dir.resolve("one.png"), 400, 300);
        SweepPlot scatter = new SweepPlot("t", List.of("optimizer.lr", "schedule.gamma"), "test_accuracy");
        for (int i = 0; i < 12; i++) {
            scatter.add(List.of(Double.toString(0.01 * (i + 1) + 0.0013 * i * i), Double.toString(0.9 - 0.01 * i)),
                    i == 5 ? Double.NaN : 0.5 + 0.01 * i);
        }
        scatter.writePng(dir.resolve("scatter.png"), 400, 300);
        SweepPlot three = new SweepPlot("t", List.of("a", "b", "c"), "test_loss")
                .add(List.of("1", "2", "3"), 0.3).add(List.of("2", "3", "4"), Double.NaN).add(List.of("3", "1", "2"), 0.4);
        three.writePng(dir.resolve("three.png"), 400, 300);
        for (String f : List.of("one.png", "scatter.png", "three.png")) {
            BufferedImage image = ImageIO.read(dir.resolve(f).toFile());
            assertEquals(400, image.getWidth(), f);
        }
    }

    private Path grid(double failedOrNot) throws IOException {
        SweepPlot p = new SweepPlot("t", List.of("optimizer.lr", "schedule.gamma"), "test_accuracy");
        p.add(List.of("0.1", "0.5"), 0.8).add(List.of("0.1", "0.9"), 0.7).add(List.of("1.0", "0.5"), failedOrNot)
                .add(List.of("1.0", "0.9"), 0.6);
        Path file = dir.resolve("grid-" + failedOrNot + ".png");
        p.writePng(file, 600, 400);
        return file;
    }

    private static int greyPixels(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                n += (image.getRGB(x, y) & 0xffffff) == FAILED_GREY ? 1 : 0;
            }
        }
        return n;
    }
}
