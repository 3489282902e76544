package dev.anneal.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Test images written with ImageIO. */
final class ImageFolderImages {
    private ImageFolderImages() {
    }

    /** A {@code width x height} gray image of level {@code level} written to {@code file} in {@code format}. */
    static Path gray(Path file, int width, int height, int level, String format) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        int[] levels = new int[width * height];
        java.util.Arrays.fill(levels, level);
        image.getRaster().setSamples(0, 0, width, height, 0, levels);
        return write(image, file, format);
    }

    /** A {@code width x height} GIF of one gray level (written through a palette, as GIFs are). */
    static Path grayGif(Path file, int width, int height, int level) {
        byte[] palette = {(byte) level, 0};
        java.awt.image.IndexColorModel cm = new java.awt.image.IndexColorModel(1, 2, palette, palette, palette);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_BINARY, cm);
        return write(image, file, "gif");
    }

    /** An RGB image whose pixel (x, y) is {@code (x, y, level)}. */
    static Path rgb(Path file, int width, int height, int level) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (x << 16) | (y << 8) | level);
            }
        }
        return write(image, file, "png");
    }

    static Path write(BufferedImage image, Path file, String format) {
        try {
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(image, format, file.toFile())) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
