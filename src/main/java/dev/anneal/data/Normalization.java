package dev.anneal.data;

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
 * deviation is the sample one, divided by {@code N - 1} ({@code torch.Tensor.std}'s default). The statistics are
 * computed by {@link NormalizationStatistics}: in double precision, two passes, in a fixed order (index order
 * within each channel; unsigned bytes from 256-bin histograms), so they are the same bits on every run, in memory
 * and memory-mapped. A channel whose training values are all equal (standard deviation 0) is refused, as a
 * constant dataset is, naming the source and the channel.
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
