package dev.anneal.data;

/**
 * Features that stay in their {@code .npy} file ({@link NpyRows}, memory-mapped) and are converted row by row
 * when they are copied, so a dataset larger than the heap trains ({@code data.memory_map}).
 *
 * <p>Sample {@code i} is file row {@code rows[i]} (row {@code i} when {@code rows} is null; a validation split
 * selects rows this way, {@link #select}), its features {@code x[j] = norm(v[map[j]])} for {@code j < d}, where
 * {@code v} is the file row, {@code map} the NHWC to NCHW map of {@link ArrayDatasets#rowMap} (the identity when
 * null) and {@code norm} the run's {@link Normalization}, global or per channel (feature {@code j} of channel
 * {@code j / channelSize}): {@code uint8} through its 256-entry tables ({@link Normalization#byteTables}), other
 * dtypes {@code norm.apply((float) v, j)} in the vectorised loops of {@link Normalization#apply(float[], int, int,
 * double[])}. That is exactly what the in-heap path ({@link RawFeatures}) computes, element for element, so both
 * give the same bits; so do the statistics ({@link #statistics}), streamed over the rows in the order and
 * precision of {@link NormalizationStatistics#ofPixels} and {@link NormalizationStatistics#ofValues} (per
 * channel: one histogram or one pair of sums per channel).
 *
 * <p>Immutable; copies read the file with absolute positions and a per-thread scratch row, so several replicas
 * may gather from one instance at once.
 */
final class MappedFeatures implements NormalizationStatistics.FloatRows {
    private final NpyRows file;
    private final int[] rows;
    private final int[] map;
    private final int n;
    private final int d;
    private final Normalization norm;
    private final float[][] tables;
    private final ThreadLocal<Scratch> scratch;

    /** One thread's working rows: pixels as copied, a file row before reordering, doubles for {@code apply}. */
    private static final class Scratch {
        final byte[] pixels;
        final byte[] fileBytes;
        final float[] fileFloats;
        final double[] values;

        Scratch(int d, boolean bytes, boolean tables) {
            pixels = bytes ? new byte[d] : null;
            fileBytes = bytes ? new byte[d] : null;
            fileFloats = bytes ? null : new float[d];
            values = bytes && tables ? null : new double[d];
        }
    }

    /**
     * The rows of {@code file} as samples, in file order.
     *
     * @param map for output feature {@code j}, the element of the file row it comes from; null for the identity
     */
    MappedFeatures(NpyRows file, int[] map) {
        this(file, null, map, null);
    }

    private MappedFeatures(NpyRows file, int[] rows, int[] map, Normalization norm) {
        long width = map == null ? file.rowSize() : map.length;
        long count = rows == null ? file.rows() : rows.length;
        if (count > DataSpec.MAX_ARRAY || width > DataSpec.MAX_ARRAY || width < 1) {
            throw new IllegalArgumentException(file + ": " + count + " rows of " + width + " features");
        }
        this.file = file;
        this.rows = rows;
        this.map = map;
        this.n = (int) count;
        this.d = (int) width;
        this.norm = norm;
        boolean bytes = file.dtype().unsignedByte();
        this.tables = norm == null || !bytes ? null : norm.perChannel() ? norm.byteTables()
                : new float[][] {norm.byteTable()};
        boolean haveTables = this.tables != null;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(this.d, bytes, haveTables));
    }

    /** Samples. */
    @Override
    public int n() {
        return n;
    }

    /** Features per sample. */
    @Override
    public int d() {
        return d;
    }

    /** Whether the file holds {@code uint8} pixels (scaled by 1/255) rather than values. */
    boolean bytes() {
        return file.dtype().unsignedByte();
    }

    /** The file the rows come from. */
    NpyRows file() {
        return file;
    }

    /** The map applied, or null before {@link #normalized}. */
    Normalization normalization() {
        return norm;
    }

    /** Samples {@code indices} in that order (a view: nothing is read). */
    MappedFeatures select(int[] indices) {
        int[] picked = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            picked[k] = rows == null ? indices[k] : rows[indices[k]];
        }
        return new MappedFeatures(file, picked, map, norm);
    }

    /** The same rows mapped by {@code norm} when copied. */
    MappedFeatures normalized(Normalization norm) {
        return new MappedFeatures(file, rows, map, java.util.Objects.requireNonNull(norm, "norm"));
    }

    /** {@link #statistics(String, int, String)} of {@code data.normalize: true} or {@code false}. */
    Normalization statistics(boolean normalize, String source) {
        return statistics(normalize ? DataSpec.NORMALIZE_GLOBAL : DataSpec.NORMALIZE_OFF, 1, source);
    }

    /**
     * The map of these (training) features, as {@link RawFeatures#statistics} computes it for the same values in
     * memory: pixel statistics from the byte histogram (one per channel with {@code per_channel}), value
     * statistics two passes in double in row order.
     *
     * @param mode {@code data.normalize}: {@code true}, {@code false} or {@code per_channel}
     * @param channels the channels of a row (NCHW), for {@code per_channel}
     */
    Normalization statistics(String mode, int channels, String source) {
        boolean perChannel = DataSpec.NORMALIZE_PER_CHANNEL.equals(mode);
        boolean normalize = !DataSpec.NORMALIZE_OFF.equals(mode);
        if (bytes()) {
            if (!normalize) {
                return Normalization.UNIT_PIXELS;
            }
            int size = perChannel ? d / channels : d;
            long[][] counts = new long[perChannel ? channels : 1][256];
            Scratch s = scratch.get();
            byte[] row = s.pixels;
            for (int i = 0; i < n; i++) {
                // Per channel in NCHW order, so that a row's channels are consecutive runs (a histogram does not
                // depend on the order of its values, but the channel of an element depends on the layout).
                int[] order = perChannel ? map : null;
                file.bytes(fileRow(i), order, d, row, 0, order == null ? null : s.fileBytes);
                for (int c = 0, j = 0; c < counts.length; c++) {
                    long[] h = counts[c];
                    for (int end = j + size; j < end; j++) {
                        h[row[j] & 0xff]++;
                    }
                }
            }
            return perChannel ? NormalizationStatistics.ofPixelCounts(counts, size, source)
                    : NormalizationStatistics.ofPixelCounts(counts[0], source);
        }
        if (!normalize) {
            return Normalization.NONE;
        }
        return perChannel ? NormalizationStatistics.ofValues(this, channels, source)
                : NormalizationStatistics.ofValues(this, source);
    }

    /** The raw values of sample {@code i} (NCHW order, converted to float32, not normalised) into {@code dst}. */
    @Override
    public void row(int i, float[] dst) {
        file.floats(fileRow(i), map, d, dst, 0, map == null ? null : scratch.get().fileFloats);
    }

    /** Sample {@code i}'s features, normalised, into {@code x[off .. off + d)}. */
    void copyRow(int i, float[] x, int off) {
        if (norm == null) {
            throw new IllegalStateException("features of " + file.source() + " copied before normalisation");
        }
        long r = fileRow(i);
        Scratch s = scratch.get();
        if (bytes()) {
            byte[] px = s.pixels;
            file.bytes(r, map, d, px, 0, map == null ? null : s.fileBytes);
            norm.applyBytes(px, 0, x, off, d, tables, s.values);
            return;
        }
        file.floats(r, map, d, x, off, map == null ? null : s.fileFloats);
        norm.apply(x, off, d, s.values);
    }

    private long fileRow(int i) {
        return rows == null ? i : rows[i];
    }

    @Override
    public String toString() {
        return file.source() + " (" + n + " rows" + (rows == null ? "" : " selected") + ", memory-mapped)";
    }
}
