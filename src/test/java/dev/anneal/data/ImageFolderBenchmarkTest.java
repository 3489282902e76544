package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load throughput of {@link ImageFolderReader} on MNIST-like data: 28 x 28 grayscale PNGs (white strokes on black,
 * 200-300 bytes each, like MNIST as PNG files), 10 classes, read at 28 x 28 (decode, convert, no resize) and at
 * 32 x 32 (decode and resize). Prints images/s for one thread and for all processors, three times each (the first runs may still be compiling). Runs only with
 * {@code -Danneal.bench.imagefolder=N} (N images, e.g. 10000), as it writes N files.
 */
class ImageFolderBenchmarkTest {
    @Test
    void imagesPerSecond(@TempDir Path tmp) {
        String property = System.getProperty("anneal.bench.imagefolder");
        assumeTrue(property != null, "set -Danneal.bench.imagefolder=N to run");
        int n = Integer.parseInt(property);
        Path root = tmp.resolve("train");
        Random random = new Random(13);
        for (int i = 0; i < n; i++) {
            ImageFolderImages.write(stroke(random), root.resolve("class" + i % 10 + "/" + i + ".png"), "png");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        ImageFolderReader.read(root, 28, 28, "grayscale", null, cores); // warm-up: JIT, page cache
        for (int size : new int[] {28, 32}) {
            for (int threads : new int[] {1, cores, 1, cores, 1, cores}) {
                long start = System.nanoTime();
                ImageFolderData data = ImageFolderReader.read(root, size, size, "grayscale", null, threads);
                double seconds = (System.nanoTime() - start) / 1e9;
                assertEquals(n, data.n());
                System.out.printf("image_folder bench: %d PNGs 28x28 -> %dx%d, %d thread(s): %.2f s, %.0f images/s,"
                        + " 60k in %.1f s%n", n, size, size, threads, seconds, n / seconds, 60_000 * seconds / n);
            }
        }
    }

    private static BufferedImage stroke(Random random) {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(2.5f));
        for (int s = 0; s < 3; s++) {
            g.drawLine(4 + random.nextInt(20), 4 + random.nextInt(20), 4 + random.nextInt(20), 4 + random.nextInt(20));
        }
        g.dispose();
        return image;
    }
}
