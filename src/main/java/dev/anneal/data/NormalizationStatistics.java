package dev.anneal.data;

import dev.anneal.spec.BadInput;
import dev.anneal.spec.Format;

/**
 * The statistics a {@link Normalization} is made of, from the training values: the global mean and sample standard
 * deviation ({@code data.normalize: true}) or one pair per channel ({@code per_channel}), in double precision, two
 * passes in a fixed order (unsigned bytes exactly, from 256-bin histograms), so the same bits on every run, in
 * memory and streamed over memory-mapped rows. Training values that cannot be standardised (fewer than two, all
 * equal, not finite) are refused in one line naming the source and, per channel, the channel.
 */
public final class NormalizationStatistics {
    private NormalizationStatistics() {
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
        Moments m = pixelMoments(counts, source, null);
        return new Normalization(1.0 / 255.0, m.mean, m.std);
    }

    /**
     * The per-channel pixel statistics of rows of {@code d = channels * channelSize} unsigned bytes: for each
     * channel, {@link #ofPixels} of that channel's bytes (from its own 256-bin histogram).
     */
    public static Normalization ofPixels(byte[] pixels, int d, int channels, String source) {
        long[][] counts = new long[channels][256];
        int size = channelSize(d, channels);
        for (int r = 0; r < pixels.length; r += d) {
            for (int c = 0; c < channels; c++) {
                long[] h = counts[c];
                int from = r + c * size;
                for (int k = from; k < from + size; k++) {
                    h[pixels[k] & 0xff]++;
                }
            }
        }
        return ofPixelCounts(counts, size, source);
    }

    /** {@link #ofPixels(byte[], int, int, String)} from per-channel histograms {@code counts[c][v]}. */
    static Normalization ofPixelCounts(long[][] counts, int channelSize, String source) {
        int channels = counts.length;
        double[] mean = new double[channels];
        double[] std = new double[channels];
        for (int c = 0; c < channels; c++) {
            Moments m = pixelMoments(counts[c], source, which(c, channels, channelSize));
            mean[c] = m.mean;
            std[c] = m.std;
        }
        return Normalization.perChannel(1.0 / 255.0, channelSize, mean, std);
    }

    /** A mean and a standard deviation that can normalise. */
    private record Moments(double mean, double std) {
    }

    /**
     * The mean and sample standard deviation of the scaled pixels a histogram counts; refused when there are
     * fewer than two, or only one byte value (whose computed deviation need not be exactly 0: {@code n * (v/255) / n}
     * is not always {@code v/255}).
     */
    private static Moments pixelMoments(long[] counts, String source, String which) {
        long n = 0;
        int values = 0;
        int last = 0;
        for (int v = 0; v < 256; v++) {
            n += counts[v];
            if (counts[v] > 0) {
                values++;
                last = v;
            }
        }
        double sum = 0;
        for (int v = 0; v < 256; v++) {
            sum += counts[v] * (v / 255.0);
        }
        requireTwo(n, source, which);
        if (values == 1) {
            throw constant(source, which, last);
        }
        double mean = sum / n;
        double ss = 0;
        for (int v = 0; v < 256; v++) {
            double dv = v / 255.0 - mean;
            ss += counts[v] * dv * dv;
        }
        return checked(1.0 / 255.0, mean, Math.sqrt(ss / (n - 1)), source, which);
    }

    /** The global mean and sample standard deviation of float features, two passes in double, in index order. */
    public static Normalization ofValues(float[] values, String source) {
        long n = values.length;
        requireTwo(n, source, null);
        double sum = 0;
        boolean constant = true;
        float first = n > 0 ? values[0] : 0;
        for (float v : values) {
            sum += v;
            constant &= v == first;
        }
        if (constant) {
            throw constant(source, null, shortest(first));
        }
        double mean = sum / n;
        double ss = 0;
        for (float v : values) {
            double dv = v - mean;
            ss += dv * dv;
        }
        Moments m = checked(1.0, mean, Math.sqrt(ss / (n - 1)), source, null);
        return new Normalization(1.0, m.mean, m.std);
    }

    /**
     * The per-channel means and sample standard deviations of rows of {@code d = channels * channelSize} float
     * features: for each channel, {@link #ofValues(float[], String)} of that channel's values in index order.
     */
    public static Normalization ofValues(float[] values, int d, int channels, String source) {
        return ofValues(new FloatRows() {
            public int n() {
                return values.length / d;
            }

            public int d() {
                return d;
            }

            public void row(int i, float[] dst) {
                System.arraycopy(values, i * d, dst, 0, d);
            }
        }, channels, source);
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
        return ofValues(rows, 1, source, false);
    }

    /**
     * {@link #ofValues(float[], int, int, String)} of {@code rows}, streamed: per channel, the values of that
     * channel in row order and, within a row, feature order, summed in double (two passes).
     */
    static Normalization ofValues(FloatRows rows, int channels, String source) {
        return ofValues(rows, channels, source, true);
    }

    /** The statistics of each channel's values, two passes in double (one channel: the global statistics). */
    private static Normalization ofValues(FloatRows rows, int channels, String source, boolean perChannel) {
        int d = rows.d();
        int size = channelSize(d, channels);
        long n = (long) rows.n() * size;
        requireTwo(n, source, perChannel ? "each channel" : null);
        float[] row = new float[d];
        double[] sum = new double[channels];
        float[] first = new float[channels];
        boolean[] varies = new boolean[channels];
        for (int i = 0; i < rows.n(); i++) {
            rows.row(i, row);
            for (int c = 0, k = 0; c < channels; c++) {
                double s = sum[c];
                float f = i == 0 ? row[k] : first[c];
                boolean differs = false;
                for (int end = k + size; k < end; k++) {
                    s += row[k];
                    differs |= row[k] != f;
                }
                sum[c] = s;
                first[c] = f;
                varies[c] |= differs;
            }
        }
        double[] mean = new double[channels];
        for (int c = 0; c < channels; c++) {
            if (!varies[c]) {
                throw constant(source, perChannel ? which(c, channels, size) : null, shortest(first[c]));
            }
            mean[c] = sum[c] / n;
        }
        double[] ss = new double[channels];
        for (int i = 0; i < rows.n(); i++) {
            rows.row(i, row);
            for (int c = 0, k = 0; c < channels; c++) {
                double mu = mean[c];
                double s = ss[c];
                for (int end = k + size; k < end; k++) {
                    double dv = row[k] - mu;
                    s += dv * dv;
                }
                ss[c] = s;
            }
        }
        double[] std = new double[channels];
        for (int c = 0; c < channels; c++) {
            Moments m = checked(1.0, mean[c], Math.sqrt(ss[c] / (n - 1)), source,
                    perChannel ? which(c, channels, size) : null);
            std[c] = m.std;
        }
        return perChannel ? Normalization.perChannel(1.0, size, mean, std) : new Normalization(1.0, mean[0], std[0]);
    }

    private static int channelSize(int d, int channels) {
        if (channels < 1 || d < 1 || d % channels != 0) {
            throw new IllegalArgumentException(d + " features are not " + channels + " channels");
        }
        return d / channels;
    }

    /** How messages name channel {@code c}. */
    private static String which(int c, int channels, int size) {
        return "channel " + c + " of " + channels + (size == 1 && channels > 1 ? " (feature " + c + " of each sample)"
                : "");
    }

    /** @param which the channel (per channel), null for the global statistics */
    private static void requireTwo(long n, String source, String which) {
        if (n < 2) {
            throw new BadInput(source + ": cannot normalise " + n + " value(s)" + (which == null ? "" : " per channel")
                    + "; set data.normalize: false");
        }
    }

    /** The float as its shortest decimal reads back ({@code 0.1f} as 0.1). */
    private static double shortest(float v) {
        return Float.isFinite(v) ? Double.parseDouble(Float.toString(v)) : v;
    }

    /** The refusal of training values that are all {@code value} (raw, before scaling). */
    private static BadInput constant(String source, String which, double value) {
        if (which == null) {
            return new BadInput(source + ": every training value is " + Format.number(value) + ", so the standard "
                    + "deviation is 0 and cannot normalise; check the data or set data.normalize: false");
        }
        return new BadInput(source + ": every training value of " + which + " is " + Format.number(value) + ", so its "
                + "standard deviation is 0 and it cannot be normalised per channel; check the data, or set "
                + "data.normalize: true (one mean and standard deviation for all features) or false");
    }

    private static Moments checked(double scale, double mean, double std, String source, String which) {
        if (!Double.isFinite(std) || !Double.isFinite(mean)) {
            throw new BadInput(source + ": the training values" + (which == null ? "" : " of " + which) + " have mean "
                    + Format.number(mean / scale) + " and standard deviation " + Format.number(std / scale)
                    + ", which cannot normalise; check the data for infinite, NaN or huge values, or set "
                    + "data.normalize: false");
        }
        if (!(std > 0)) {
            throw constant(source, which, mean / scale);
        }
        return new Moments(mean, std);
    }
}
