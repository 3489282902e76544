package dev.anneal.data;

import dev.anneal.spec.BadInput;
import dev.anneal.spec.Format;

/**
 * The affine map applied to every raw feature value {@code v}:
 *
 * <pre>x = (v * scale - mean) / std</pre>
 *
 * For images {@code scale = 1/255} (pixels to [0, 1]); with {@code data.normalize} on, {@code mean} and
 * {@code std} are the global mean and standard deviation of all scaled pixels of the <em>training</em> set, and
 * the same map is applied to the test set (as the PyTorch peer does: {@code mean, std = xtr.mean(), xtr.std()},
 * one number each, not per pixel). The standard deviation is the sample one, divided by {@code N - 1}
 * ({@code torch.Tensor.std}'s default). Statistics are computed in double precision in a fixed order, so they are
 * the same bits on every run.
 *
 * @param scale multiplier applied first (1/255 for pixels, 1 for synthetic features)
 * @param mean subtracted after scaling
 * @param std divisor, &gt; 0
 */
public record Normalization(double scale, double mean, double std) {
    /** The identity: {@code x = v}. */
    public static final Normalization NONE = new Normalization(1.0, 0.0, 1.0);
    /** Pixels to [0, 1] and nothing else: {@code x = v / 255}. */
    public static final Normalization UNIT_PIXELS = new Normalization(1.0 / 255.0, 0.0, 1.0);

    public Normalization {
        if (!(std > 0) || !Double.isFinite(std) || !Double.isFinite(mean) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("need finite scale and mean and std > 0, got " + scale + ", "
                    + mean + ", " + std);
        }
    }

    public float apply(double v) {
        return (float) ((v * scale - mean) / std);
    }

    /**
     * {@code x[k] = apply(x[k])} for {@code k} in {@code [off, off + len)}, the same bits element by element, in
     * three plain loops over {@code scratch} (at least {@code len} doubles) that the JIT vectorises: several times
     * faster than {@link #apply} in a loop, whose float-double conversions run one at a time.
     */
    public void apply(float[] x, int off, int len, double[] scratch) {
        for (int k = 0; k < len; k++) {
            scratch[k] = x[off + k];
        }
        for (int k = 0; k < len; k++) {
            scratch[k] = (scratch[k] * scale - mean) / std;
        }
        for (int k = 0; k < len; k++) {
            x[off + k] = (float) scratch[k];
        }
    }

    /**
     * The pixel statistics of unsigned-byte images, exactly: from the histogram of the 256 byte values,
     * {@code mean = sum_v c_v (v/255) / N} and {@code var = sum_v c_v (v/255 - mean)^2 / (N - 1)}.
     *
     * @param source named in the error when the pixels cannot be standardised (fewer than 2, or all equal)
     */
    public static Normalization ofPixels(byte[] pixels, String source) {
        long[] counts = new long[256];
        for (byte p : pixels) {
            counts[p & 0xff]++;
        }
        return ofPixelCounts(counts, source);
    }

    /**
     * {@link #ofPixels} from the histogram: {@code counts[v]} pixels have byte value {@code v} (how memory-mapped
     * pixels are counted, row by row; the same bits as {@link #ofPixels} of the same pixels in any order).
     */
    static Normalization ofPixelCounts(long[] counts, String source) {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        double sum = 0;
        for (int v = 0; v < 256; v++) {
            sum += counts[v] * (v / 255.0);
        }
        requireTwo(n, source);
        double mean = sum / n;
        double ss = 0;
        for (int v = 0; v < 256; v++) {
            double dv = v / 255.0 - mean;
            ss += counts[v] * dv * dv;
        }
        return checked(1.0 / 255.0, mean, Math.sqrt(ss / (n - 1)), source);
    }

    /** The global mean and sample standard deviation of float features, two passes in double, in index order. */
    public static Normalization ofValues(float[] values, String source) {
        long n = values.length;
        requireTwo(n, source);
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        double mean = sum / n;
        double ss = 0;
        for (float v : values) {
            double dv = v - mean;
            ss += dv * dv;
        }
        return checked(1.0, mean, Math.sqrt(ss / (n - 1)), source);
    }

    /** Rows of float values read one at a time: {@code n} rows of {@code d}, row {@code i} into {@code dst}. */
    interface FloatRows {
        int n();

        int d();

        void row(int i, float[] dst);
    }

    /**
     * {@link #ofValues(float[], String)} of the values of {@code rows} concatenated in row order, streamed: the
     * same sums in the same order, so the same bits, without the values in memory at once.
     */
    static Normalization ofValues(FloatRows rows, String source) {
        int d = rows.d();
        long n = (long) rows.n() * d;
        requireTwo(n, source);
        float[] row = new float[d];
        double sum = 0;
        for (int i = 0; i < rows.n(); i++) {
            rows.row(i, row);
            for (float v : row) {
                sum += v;
            }
        }
        double mean = sum / n;
        double ss = 0;
        for (int i = 0; i < rows.n(); i++) {
            rows.row(i, row);
            for (float v : row) {
                double dv = v - mean;
                ss += dv * dv;
            }
        }
        return checked(1.0, mean, Math.sqrt(ss / (n - 1)), source);
    }

    /** A lookup table of the map for the 256 byte values: {@code table[v] = apply(v)}. */
    public float[] byteTable() {
        float[] t = new float[256];
        for (int v = 0; v < 256; v++) {
            t[v] = apply(v);
        }
        return t;
    }

    private static void requireTwo(long n, String source) {
        if (n < 2) {
            throw new BadInput(source + ": cannot normalise " + n + " value(s); set data.normalize: false");
        }
    }

    private static Normalization checked(double scale, double mean, double std, String source) {
        if (!(std > 0) || !Double.isFinite(std)) {
            throw new BadInput(source + ": every training value is " + Format.number(mean / scale) + ", so the standard deviation is 0 and cannot normalise;"
                    + " check the data or set data.normalize: false");
        }
        return new Normalization(scale, mean, std);
    }
}
