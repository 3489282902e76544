package dev.anneal.data;

/**
 * Bilinear resizing of 8-bit planes, bit for bit what Pillow's {@code Image.resize((w, h), Image.BILINEAR)} does
 * to an {@code L} or {@code RGB} image, and so what torchvision's {@code transforms.Resize((h, w))} (default
 * {@code BILINEAR}) does to a PIL image. Source: Pillow's {@code src/libImaging/Resample.c}
 * ({@code precompute_coeffs}, {@code normalize_coeffs_8bpc}, {@code ImagingResampleHorizontal_8bpc},
 * {@code ImagingResampleVertical_8bpc}, {@code ImagingResampleInner}); checked against Pillow 9.4 by the golden
 * files in {@code src/test/resources/golden/imagefolder/}.
 *
 * <p>The algorithm is a separable convolution with the triangle filter {@code f(t) = max(0, 1 - |t|)}, widened
 * when shrinking so that it antialiases:
 * <ul>
 *   <li>per axis, {@code scale = in / out}, {@code filterscale = max(scale, 1)}, {@code support = filterscale};
 *       output index {@code o} is centred at {@code center = (o + 0.5) * scale} in input coordinates and reads
 *       inputs {@code [xmin, xmax)} with {@code xmin = max(0, (int) (center - support + 0.5))},
 *       {@code xmax = min(in, (int) (center + support + 0.5))}; input {@code x} weighs
 *       {@code f((x - center + 0.5) / filterscale)}, the weights divided by their sum;</li>
 *   <li>weights become 22-bit fixed point, {@code k = (int) (w * 2^22 + 0.5)} (the sign-aware rounding of
 *       Pillow), and each output is {@code clip((2^21 + sum(v * k)) >> 22)} to {@code [0, 255]};</li>
 *   <li>the horizontal pass runs first (only when the width changes) and its result is rounded to 8 bits before
 *       the vertical pass (only when the height changes); an unchanged size copies the plane.</li>
 * </ul>
 * Upscaling is therefore ordinary bilinear interpolation with half-pixel centres and clamped edges
 * (PyTorch's {@code align_corners=False}); downscaling averages every input pixel under the widened triangle, as
 * torchvision's {@code antialias=True} does (whose tensor path differs only by rounding: it keeps floats and has
 * no 8-bit intermediate).
 */
final class ImageFolderResize {
    static final int PRECISION_BITS = 32 - 8 - 2;

    private ImageFolderResize() {
    }

    /**
     * Resizes one plane of 8-bit levels.
     *
     * @param in {@code inHeight * inWidth} levels in {@code [0, 255]}, row-major
     * @return {@code outHeight * outWidth} levels in {@code [0, 255]}, row-major
     */
    static int[] resize(int[] in, int inHeight, int inWidth, int outHeight, int outWidth) {
        int[] plane = in;
        int width = inWidth;
        if (outWidth != inWidth) {
            plane = horizontal(plane, inHeight, inWidth, Coefficients.of(inWidth, outWidth));
            width = outWidth;
        }
        if (outHeight != inHeight) {
            plane = vertical(plane, inHeight, width, Coefficients.of(inHeight, outHeight));
        }
        return plane == in ? in.clone() : plane;
    }

    private static int[] horizontal(int[] in, int height, int inWidth, Coefficients c) {
        int outWidth = c.outSize();
        int[] out = new int[height * outWidth];
        for (int y = 0; y < height; y++) {
            int row = y * inWidth;
            for (int o = 0; o < outWidth; o++) {
                int first = c.first[o];
                int base = o * c.taps;
                int sum = 1 << (PRECISION_BITS - 1);
                for (int t = 0; t < c.count[o]; t++) {
                    sum += in[row + first + t] * c.weights[base + t];
                }
                out[y * outWidth + o] = clip8(sum);
            }
        }
        return out;
    }

    private static int[] vertical(int[] in, int inHeight, int width, Coefficients c) {
        int outHeight = c.outSize();
        int[] out = new int[outHeight * width];
        for (int o = 0; o < outHeight; o++) {
            int first = c.first[o];
            int base = o * c.taps;
            for (int x = 0; x < width; x++) {
                int sum = 1 << (PRECISION_BITS - 1);
                for (int t = 0; t < c.count[o]; t++) {
                    sum += in[(first + t) * width + x] * c.weights[base + t];
                }
                out[o * width + x] = clip8(sum);
            }
        }
        return out;
    }

    /** Pillow's {@code clip8}: the fixed-point sum shifted down to a level, clamped to {@code [0, 255]}. */
    static int clip8(int sum) {
        if (sum >= (1 << PRECISION_BITS << 8)) {
            return 255;
        }
        if (sum <= 0) {
            return 0;
        }
        return sum >> PRECISION_BITS;
    }

    /**
     * The fixed-point filter of one axis: output {@code o} sums inputs {@code first[o] .. first[o] + count[o] - 1}
     * with weights {@code weights[o * taps ..]}.
     */
    record Coefficients(int outSize, int taps, int[] first, int[] count, int[] weights) {
        /** Pillow's {@code precompute_coeffs} for the whole axis (box {@code [0, inSize]}) and the triangle filter. */
        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterscale = Math.max(scale, 1.0);
            double support = filterscale; // the triangle filter's support is 1
            int taps = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * taps];
            double[] w = new double[taps];
            for (int o = 0; o < outSize; o++) {
                double center = (o + 0.5) * scale;
                double ss = 1.0 / filterscale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double sum = 0.0;
                for (int x = 0; x < xmax; x++) {
                    w[x] = triangle((x + xmin - center + 0.5) * ss);
                    sum += w[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double k = sum != 0.0 ? w[x] / sum : w[x];
                    weights[o * taps + x] = (int) (k < 0 ? -0.5 + k * (1 << PRECISION_BITS)
                            : 0.5 + k * (1 << PRECISION_BITS));
                }
                first[o] = xmin;
                count[o] = Math.max(0, xmax);
            }
            return new Coefficients(outSize, taps, first, count, weights);
        }

        private static double triangle(double t) {
            double a = Math.abs(t);
            return a < 1.0 ? 1.0 - a : 0.0;
        }
    }
}
