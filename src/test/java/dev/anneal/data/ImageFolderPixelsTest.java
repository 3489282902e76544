package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import org.junit.jupiter.api.Test;

/** Colour conversion: Pillow's fixed-point luma, alpha dropped, palettes looked up, gray read without gamma. */
class ImageFolderPixelsTest {
    @Test
    void lumaIsPillowsFixedPointBt601() {
        assertEquals(76, ImageFolderPixels.luma(255, 0, 0)); // 0.299 * 255 = 76.2
        assertEquals(150, ImageFolderPixels.luma(0, 255, 0)); // 0.587 * 255 = 149.7
        assertEquals(29, ImageFolderPixels.luma(0, 0, 255)); // 0.114 * 255 = 29.07
        for (int v = 0; v < 256; v++) {
            assertEquals(v, ImageFolderPixels.luma(v, v, v));
        }
        // (19595*10 + 38470*20 + 7471*30 + 32768) >> 16 = (195950 + 769400 + 224130 + 32768) >> 16 = 18
        assertEquals(18, ImageFolderPixels.luma(10, 20, 30));
    }

    @Test
    void alphaIsDroppedNotComposited() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0x00ff0000); // fully transparent red
        image.setRGB(1, 0, 0x800000ff); // half transparent blue
        int[][] rgb = ImageFolderPixels.planes(image, ImageFolderColor.RGB);
        assertArrayEquals(new int[] {255, 0}, rgb[0]);
        assertArrayEquals(new int[] {0, 0}, rgb[1]);
        assertArrayEquals(new int[] {0, 255}, rgb[2]);
        assertArrayEquals(new int[] {76, 29}, ImageFolderPixels.planes(image, ImageFolderColor.GRAYSCALE)[0]);
    }

    @Test
    void grayImagesKeepTheirStoredLevels() {
        // BufferedImage.getRGB would map TYPE_BYTE_GRAY through a linear-to-sRGB curve (100 -> 170 or so).
        BufferedImage gray = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 100, 255});
        assertArrayEquals(new int[] {0, 100, 255}, ImageFolderPixels.planes(gray, ImageFolderColor.GRAYSCALE)[0]);
        int[][] rgb = ImageFolderPixels.planes(gray, ImageFolderColor.RGB);
        for (int[] plane : rgb) {
            assertArrayEquals(new int[] {0, 100, 255}, plane);
        }
        BufferedImage wide = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        wide.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {0x12ff, 0xffff});
        assertArrayEquals(new int[] {0x12, 0xff}, ImageFolderPixels.planes(wide, ImageFolderColor.GRAYSCALE)[0]);
    }

    @Test
    void paletteIndicesAreLookedUp() {
        byte[] r = {(byte) 255, 0, 10};
        byte[] g = {0, (byte) 255, 20};
        byte[] b = {0, 0, 30};
        IndexColorModel palette = new IndexColorModel(8, 3, r, g, b, 0); // index 0 transparent, colour kept
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
        image.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {2, 0, 1});
        int[][] rgb = ImageFolderPixels.planes(image, ImageFolderColor.RGB);
        assertArrayEquals(new int[] {10, 255, 0}, rgb[0]);
        assertArrayEquals(new int[] {20, 0, 255}, rgb[1]);
        assertArrayEquals(new int[] {30, 0, 0}, rgb[2]);
        assertArrayEquals(new int[] {18, 76, 150}, ImageFolderPixels.planes(image, ImageFolderColor.GRAYSCALE)[0]);
    }

    @Test
    void narrowSamplesScaleToFullRange() {
        assertArrayEquals(new int[] {0, 85, 170, 255}, ImageFolderPixels.to8Bits(new int[] {0, 1, 2, 3}, 2));
        assertArrayEquals(new int[] {0, 132, 255}, ImageFolderPixels.to8Bits(new int[] {0, 16, 31}, 5));
    }
}
