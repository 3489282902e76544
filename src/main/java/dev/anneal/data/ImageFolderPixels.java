package dev.anneal.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * A decoded image's 8-bit planes, converted the way Pillow's {@code Image.convert('L')} and
 * {@code Image.convert('RGB')} convert (torchvision's {@code ImageFolder} loader opens every file with
 * {@code .convert('RGB')}, and {@code transforms.Grayscale} calls {@code convert('L')}).
 *
 * <ul>
 *   <li>Grayscale from colour: ITU-R BT.601 luma in Pillow's 16-bit fixed point, {@code L = (19595 R + 38470 G
 *       + 7471 B + 0x8000) >> 16} (Pillow {@code src/libImaging/Convert.c}, macro {@code L24} in {@code rgb2l});
 *       the weights are {@code 0.299, 0.587, 0.114} times 65536 and sum to 65536, so a gray pixel keeps its level
 *       and the result is rounded to nearest, halves up. Pillow's documentation writes it as
 *       {@code L = R * 299/1000 + G * 587/1000 + B * 114/1000}, which the integer formula rounds.</li>
 *   <li>Colour from grayscale: the level repeated in R, G and B (Pillow's {@code l2rgb}).</li>
 *   <li>Alpha is dropped, not composited: an RGBA pixel keeps its R, G, B (Pillow's {@code rgba2rgb} and
 *       {@code rgb2l} ignore alpha too), so a fully transparent pixel shows the colour stored under it.</li>
 *   <li>Palette images (GIF, indexed PNG/BMP) look each index up in the palette; a transparent index keeps its
 *       palette colour (Pillow's {@code convert} of a {@code P} image does the same).</li>
 *   <li>Samples wider than 8 bits keep their high byte ({@code v >> 8} for 16 bits), which is what Pillow does
 *       for 16-bit RGB(A) PNGs; Pillow reads a 16-bit grayscale PNG as mode {@code I;16} and clips it to 255 in
 *       {@code convert('L')}, which this reader does not copy. Narrower samples (1, 2, 4, 5 or 6 bits) are
 *       scaled to {@code round(v * 255 / (2^bits - 1))}.</li>
 *   <li>Colour profiles are ignored, as Pillow ignores them: the stored R, G, B (or gray) samples are taken as
 *       they are. Only an image that is neither gray nor three-component (which the JDK's readers rarely
 *       produce) goes through {@link BufferedImage#getRGB}, the JDK's conversion to sRGB.</li>
 * </ul>
 */
final class ImageFolderPixels {
    private ImageFolderPixels() {
    }

    /**
     * The planes of {@code image} in {@code color}: one (luma) or three (R, G, B), each
     * {@code height * width} levels in {@code [0, 255]}, row-major.
     */
    static int[][] planes(BufferedImage image, ImageFolderColor color) {
        int[][] native8 = nativePlanes(image);
        if (color == ImageFolderColor.GRAYSCALE) {
            return new int[][] {native8.length == 1 ? native8[0] : luma(native8[0], native8[1], native8[2])};
        }
        return native8.length == 3 ? native8 : new int[][] {native8[0], native8[0].clone(), native8[0].clone()};
    }

    /** Pillow's {@code L24(rgb) >> 16}: BT.601 luma of one pixel in 16-bit fixed point, rounded. */
    static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    private static int[] luma(int[] r, int[] g, int[] b) {
        int[] l = new int[r.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = luma(r[i], g[i], b[i]);
        }
        return l;
    }

    /** The image's own planes at 8 bits: one for gray images, three (R, G, B) for colour and palette images. */
    private static int[][] nativePlanes(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        if (cm instanceof IndexColorModel palette) {
            return paletteLookup(palette, raster.getSamples(0, 0, w, h, 0, (int[]) null));
        }
        int colors = cm.getNumColorComponents();
        if (colors == 1 || colors == 3) {
            int[][] planes = new int[colors][];
            for (int band = 0; band < colors; band++) {
                int[] samples = raster.getSamples(0, 0, w, h, band, (int[]) null);
                planes[band] = to8Bits(samples, cm.getComponentSize(band));
            }
            return planes;
        }
        return viaSrgb(image);
    }

    private static int[][] paletteLookup(IndexColorModel palette, int[] indices) {
        int size = palette.getMapSize();
        int[][] planes = new int[3][indices.length];
        for (int i = 0; i < indices.length; i++) {
            int index = Math.min(indices[i], size - 1);
            planes[0][i] = palette.getRed(index);
            planes[1][i] = palette.getGreen(index);
            planes[2][i] = palette.getBlue(index);
        }
        return planes;
    }

    /** Samples of {@code bits} bits as 8-bit levels: as they are, high byte, or scaled up (see the class note). */
    static int[] to8Bits(int[] samples, int bits) {
        if (bits == 8) {
            return samples;
        }
        if (bits > 8) {
            int shift = bits - 8;
            for (int i = 0; i < samples.length; i++) {
                samples[i] >>>= shift;
            }
            return samples;
        }
        int max = (1 << bits) - 1;
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (samples[i] * 255 + max / 2) / max;
        }
        return samples;
    }

    private static int[][] viaSrgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        int[][] planes = new int[3][argb.length];
        for (int i = 0; i < argb.length; i++) {
            planes[0][i] = (argb[i] >>> 16) & 0xff;
            planes[1][i] = (argb[i] >>> 8) & 0xff;
            planes[2][i] = argb[i] & 0xff;
        }
        return planes;
    }
}
