package dev.anneal.data;

import dev.anneal.spec.BadInput;
import dev.anneal.spec.Format;
import java.util.Arrays;

/**
 * The affine map applied to every raw feature value {@code v}, globally or per channel:
 *
 * <pre>x = (v * scale - mean) / std            global ({@code data.normalize: true} or false)
 * x = (v * scale - mean[c]) / std[c]      per channel ({@code data.normalize: per_channel})</pre>
 *
 * For images {@code scale = 1/255} (pixels to [0, 1]); with {@code data.normalize: true}, {@code mean} and
 * {@code std} are the global mean and standard deviation of all scaled pixels of the <em>training</em> set, and
 * the same map is applied to the test set (as the PyTorch peer does: {@code mean, std = xtr.mean(), xtr.std()},
 * one number each, not per pixel). With {@code data.normalize: per_channel} there is one mean and one standard
 * deviation per channel, over all training values of that channel (torch's {@code x.mean(dim=(0, 2, 3))} and
 * {@code x.std(dim=(0, 2, 3))}, applied as torchvision's {@code transforms.Normalize(mean, std)}): feature
 * {@code j} of a row (NCHW order, {@code d = channels * channelSize} features) belongs to channel
 * {@code c = j / channelSize}. One channel gives exactly the global statistics, bit for bit. The standard
 * deviation is the sample one, divided by {@code N - 1} ({@code torch.Tensor.std}'s default). Statistics are
 * computed in double precision, two passes, in a fixed order (index order within each channel; unsigned bytes from
 * 256-bin histograms), so they are the same bits on every run, in memory and memory-mapped. A channel whose
 * training values are all equal (standard deviation 0) is refused, as a constant dataset is, naming the source and
 * the channel.
 *
 * <p>Immutable; {@link #equals} compares every parameter's bits.
 */
public final class Normalization {
    /** The identity: {@code x = v}. */
    public static final Normalization NONE = new Normalization(1.0, 0.0, 1.0);
    /** Pixels to [0, 1] and nothing else: {@code x = v / 255}. */
    public static final Normalization UNIT_PIXELS = new Normalization(1.0 / 255.0, 0.0, 1.0);

    private final double scale;
    /** Features per channel; 0 for the global map. */
    private final int channelSize;
    private final double[] mean;
    private final double[] std;

    /**
     * The global map.
     *
     * @param scale multiplier applied first (1/255 for pixels, 1 for other features)
     * @param mean subtracted after scaling
     * @param std divisor, &gt; 0
     */
    public Normalization(double scale, double mean, double std) {
        this(scale, 0, new double[] {mean}, new double[] {std});
    }

    private Normalization(double scale, int channelSize, double[] mean, double[] std) {
        if (!Double.isFinite(scale) || mean.length != std.length || mean.length < 1 || channelSize < 0
                || channelSize == 0 && mean.length != 1
                || channelSize > 0 && (long) channelSize * mean.length > DataSpec.MAX_ARRAY) {
            throw new IllegalArgumentException("need a finite scale and one mean and std per channel, got " + scale
                    + ", " + mean.length + " means, " + std.length + " stds, channel size " + channelSize);
        }
        for (int c = 0; c < mean.length; c++) {
            if (!(std[c] > 0) || !Double.isFinite(std[c]) || !Double.isFinite(mean[c])) {
                throw new IllegalArgumentException("need finite scale and mean and std > 0, got " + scale + ", "
                        + mean[c] + ", " + std[c] + (channelSize > 0 ? " for channel " + c : ""));
            }
        }
        this.scale = scale;
        this.channelSize = channelSize;
        this.mean = mean;
        this.std = std;
    }

    /**
     * The per-channel map of rows of {@code mean.length * channelSize} features: feature {@code j} maps as
     * {@code (v * scale - mean[j / channelSize]) / std[j / channelSize]}.
     *
     * @param channelSize features per channel ({@code H * W} for images, 1 for vectors: one channel per feature)
     */
    public static Normalization perChannel(double scale, int channelSize, double[] mean, double[] std) {
        if (channelSize < 1) {
            throw new IllegalArgumentException("channel size " + channelSize);
        }
        return new Normalization(scale, channelSize, mean.clone(), std.clone());
    }

    /** The multiplier applied first. */
    public double scale() {
        return scale;
    }

    /** Whether there is one mean and standard deviation per channel ({@code data.normalize: per_channel}). */
    public boolean perChannel() {
        return channelSize > 0;
    }

    /** The number of channels: 1 for the global map. */
    public int channels() {
        return mean.length;
    }

    /** Features per channel of a per-channel map; 0 for the global map (one channel of any size). */
    public int channelSize() {
        return channelSize;
    }

    /** The features per row a per-channel map is for ({@code channels * channelSize}); 0 for the global map. */
    public int features() {
        return channelSize * mean.length;
    }

    /**
     * The global mean.
     *
     * @throws IllegalStateException for a per-channel map: use {@link #mean(int)}
     */
    public double mean() {
        global("mean");
        return mean[0];
    }

    /**
     * The global standard deviation.
     *
     * @throws IllegalStateException for a per-channel map: use {@link #std(int)}
     */
    public double std() {
        global("std");
        return std[0];
    }

    /** Channel {@code c}'s mean (channel 0 of the global map is its mean). */
    public double mean(int c) {
        return mean[c];
    }

    /** Channel {@code c}'s standard deviation. */
    public double std(int c) {
        return std[c];
    }

    /** A copy of the means, one per channel. */
    public double[] means() {
        return mean.clone();
    }

    /** A copy of the standard deviations, one per channel. */
    public double[] stds() {
        return std.clone();
    }

    private void global(String what) {
        if (perChannel()) {
            throw new IllegalStateException("a per-channel normalisation has one " + what + " per channel");
        }
    }

    /** The channel of feature {@code j} of a row. */
    private int channel(long j) {
        return channelSize == 0 ? 0 : (int) ((j % features()) / channelSize);
    }

    /**
     * The global map of one value.
     *
     * @throws IllegalStateException for a per-channel map: use {@link #apply(double, int)}
     */
    public float apply(double v) {
        global("mean and std");
        return (float) ((v * scale - mean[0]) / std[0]);
    }

    /** Feature {@code j}'s map of value {@code v} ({@code j} taken modulo the row's features). */
    public float apply(double v, int j) {
        int c = channel(j);
        return (float) ((v * scale - mean[c]) / std[c]);
    }

    /**
     * {@code x[off + k] = apply(x[off + k], k)} for {@code k} in {@code [0, len)} ({@code x[off]} is the first
     * feature of a row, and rows follow each other), the same bits element by element, in plain loops over
     * {@code scratch} (any length &gt;= 1; the span is mapped in pieces of its length) that the JIT vectorises:
     * several times faster than {@link #apply(double, int)} in a loop, whose float-double conversions run one at a
     * time.
     */
    public void apply(float[] x, int off, int len, double[] scratch) {
        for (int k0 = 0; k0 < len; k0 += scratch.length) {
            int m = Math.min(scratch.length, len - k0);
            int base = off + k0;
            for (int i = 0; i < m; i++) {
                scratch[i] = x[base + i];
            }
            map(scratch, m, k0);
            for (int i = 0; i < m; i++) {
                x[base + i] = (float) scratch[i];
            }
        }
    }

    /**
     * Pixels to features: {@code x[xOff + k] = apply(px[pxOff + k] & 0xff, k)} for {@code k < len}
     * ({@code px[pxOff]} is the first feature of a row), through {@code tables} ({@link #byteTables}) where there
     * are any, else through {@code scratch} as {@link #apply(float[], int, int, double[])}: the same bits.
     */
    void applyBytes(byte[] px, int pxOff, float[] x, int xOff, int len, float[][] tables, double[] scratch) {
        if (tables == null) {
            for (int k0 = 0; k0 < len; k0 += scratch.length) {
                int m = Math.min(scratch.length, len - k0);
                for (int i = 0; i < m; i++) {
                    scratch[i] = px[pxOff + k0 + i] & 0xff;
                }
                map(scratch, m, k0);
                for (int i = 0; i < m; i++) {
                    x[xOff + k0 + i] = (float) scratch[i];
                }
            }
            return;
        }
        if (channelSize == 0) {
            float[] t = tables[0];
            for (int k = 0; k < len; k++) {
                x[xOff + k] = t[px[pxOff + k] & 0xff];
            }
            return;
        }
        int d = features();
        for (int k = 0; k < len; ) {
            int j = k % d;
            int run = Math.min(len - k, channelSize - j % channelSize);
            float[] t = tables[j / channelSize];
            for (int i = 0; i < run; i++, k++) {
                x[xOff + k] = t[px[pxOff + k] & 0xff];
            }
        }
    }

    /**
     * {@code s[i] = (s[i] * scale - mean[c]) / std[c]} for {@code i < m}, where {@code c} is the channel of feature
     * {@code first + i} of a row.
     */
    private void map(double[] s, int m, long first) {
        if (channelSize == 0) {
            double mu = mean[0];
            double sigma = std[0];
            for (int i = 0; i < m; i++) {
                s[i] = (s[i] * scale - mu) / sigma;
            }
            return;
        }
        int d = features();
        int j = (int) (first % d);
        if (channelSize == 1) {
            // One channel per feature: runs of consecutive features against the same positions of mean and std.
            for (int i = 0; i < m; ) {
                int run = Math.min(m - i, d - j);
                for (int t = 0; t < run; t++) {
                    s[i + t] = (s[i + t] * scale - mean[j + t]) / std[j + t];
                }
                i += run;
                j = 0;
            }
            return;
        }
        for (int i = 0; i < m; ) {
            int run = Math.min(m - i, channelSize - j % channelSize);
            int c = j / channelSize;
            double mu = mean[c];
            double sigma = std[c];
            for (int t = i; t < i + run; t++) {
                s[t] = (s[t] * scale - mu) / sigma;
            }
            i += run;
            j += run;
            if (j == d) {
                j = 0;
            }
        }
    }

    /**
     * A lookup table of the global map for the 256 byte values: {@code table[v] = apply(v)}.
     *
     * @throws IllegalStateException for a per-channel map: use {@link #byteTables}
     */
    public float[] byteTable() {
        global("mean and std");
        return table(0);
    }

    /**
     * One lookup table per channel ({@code tables[c][v] = apply(v, j)} for a feature {@code j} of channel
     * {@code c}), for {@link #applyBytes}; null for a map of one channel per feature, whose values are mapped
     * through doubles instead (as many tables as features could be large; the bits are the same).
     */
    float[][] byteTables() {
        if (channelSize == 1) {
            return null;
        }
        float[][] t = new float[mean.length][];
        for (int c = 0; c < t.length; c++) {
            t[c] = table(c);
        }
        return t;
    }

    private float[] table(int c) {
        float[] t = new float[256];
        for (int v = 0; v < 256; v++) {
            t[v] = (float) ((v * scale - mean[c]) / std[c]);
        }
        return t;
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
        return new Normalization(1.0 / 255.0, channelSize, mean, std);
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
        return perChannel ? new Normalization(1.0, size, mean, std) : new Normalization(1.0, mean[0], std[0]);
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

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization other && Double.compare(scale, other.scale) == 0
                && channelSize == other.channelSize && Arrays.equals(mean, other.mean) && Arrays.equals(std, other.std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Double.hashCode(scale) + channelSize) + 17 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        if (!perChannel()) {
            return "Normalization[scale=" + scale + ", mean=" + mean[0] + ", std=" + std[0] + "]";
        }
        return "Normalization[scale=" + scale + ", channel_size=" + channelSize + ", mean=" + Arrays.toString(mean)
                + ", std=" + Arrays.toString(std) + "]";
    }
}
