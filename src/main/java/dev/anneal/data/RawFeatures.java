package dev.anneal.data;

/**
 * Features as read, before normalisation: unsigned-byte pixels ({@code uint8} arrays, scaled by 1/255 like IDX
 * images) or float values (every other dtype, converted to float32), {@code n x d} row-major; or the rows of an
 * {@code .npy} file left where they are ({@link MappedFeatures}, {@code data.memory_map}), which select, compute
 * statistics and become a {@link Dataset} exactly as the same values in memory do.
 *
 * @param pixels the bytes when the source is {@code uint8} and in memory, else null
 * @param values the floats otherwise, else null
 * @param n samples
 * @param d features per sample
 * @param channels the channels of a row for {@code data.normalize: per_channel} (NCHW: feature {@code j} is in
 *     channel {@code j / (d / channels)}): 1 for grayscale images, {@code C} for {@code [N, C, H, W]} arrays,
 *     {@code d} for vectors; divides {@code d}
 * @param mapped the memory-mapped rows, else null (then {@code pixels} or {@code values} holds the features)
 */
record RawFeatures(byte[] pixels, float[] values, int n, int d, int channels, MappedFeatures mapped) {
    RawFeatures {
        if (channels < 1 || d % channels != 0) {
            throw new IllegalArgumentException(d + " features in " + channels + " channels");
        }
    }

    /** Features in memory, one channel. */
    RawFeatures(byte[] pixels, float[] values, int n, int d) {
        this(pixels, values, n, d, 1, null);
    }

    /** Features in memory in {@code channels} channels. */
    RawFeatures(byte[] pixels, float[] values, int n, int d, int channels) {
        this(pixels, values, n, d, channels, null);
    }

    /** Memory-mapped rows, one channel. */
    static RawFeatures of(MappedFeatures rows) {
        return of(rows, 1);
    }

    /** Memory-mapped rows in {@code channels} channels. */
    static RawFeatures of(MappedFeatures rows, int channels) {
        return new RawFeatures(null, null, rows.n(), rows.d(), channels, rows);
    }

    boolean bytes() {
        return mapped != null ? mapped.bytes() : pixels != null;
    }

    /** Whether the features stay in their file. */
    boolean isMapped() {
        return mapped != null;
    }

    /** The rows {@code indices}, in that order. */
    RawFeatures select(int[] indices) {
        if (mapped != null) {
            return of(mapped.select(indices), channels);
        }
        if (bytes()) {
            byte[] out = new byte[indices.length * d];
            for (int k = 0; k < indices.length; k++) {
                System.arraycopy(pixels, indices[k] * d, out, k * d, d);
            }
            return new RawFeatures(out, null, indices.length, d, channels);
        }
        float[] out = new float[indices.length * d];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(values, indices[k] * d, out, k * d, d);
        }
        return new RawFeatures(null, out, indices.length, d, channels);
    }

    /** The map of the training features: pixel or value statistics when {@code normalize}, else the scale only. */
    Normalization statistics(boolean normalize, String source) {
        return statistics(normalize ? DataSpec.NORMALIZE_GLOBAL : DataSpec.NORMALIZE_OFF, source);
    }

    /**
     * The map of the training features for {@code data.normalize} {@code mode} ({@code true}, {@code false} or
     * {@code per_channel}): global or per-channel statistics ({@link Normalization}), or the scale only.
     */
    Normalization statistics(String mode, String source) {
        if (mapped != null) {
            return mapped.statistics(mode, channels, source);
        }
        boolean perChannel = DataSpec.NORMALIZE_PER_CHANNEL.equals(mode);
        boolean normalize = !DataSpec.NORMALIZE_OFF.equals(mode);
        if (bytes()) {
            return !normalize ? Normalization.UNIT_PIXELS : perChannel
                    ? NormalizationStatistics.ofPixels(pixels, d, channels, source) : NormalizationStatistics.ofPixels(pixels, source);
        }
        return !normalize ? Normalization.NONE : perChannel ? NormalizationStatistics.ofValues(values, d, channels, source)
                : NormalizationStatistics.ofValues(values, source);
    }

    /**
     * The dataset of these features mapped by {@code norm} (pixels through its 256-entry tables); memory-mapped
     * features stay mapped and are mapped by {@code norm} as they are copied.
     */
    Dataset toDataset(int[] labels, int classes, Normalization norm) {
        if (mapped != null) {
            return new Dataset(mapped.normalized(norm), labels, classes);
        }
        float[] x = new float[n * d];
        // Pieces of whole rows, so that each starts at feature 0 (what a per-channel map needs).
        int rows = Math.max(1, (1 << 16) / d);
        double[] scratch = new double[(int) Math.min(x.length, (long) rows * d)];
        int piece = Math.max(1, scratch.length);
        if (bytes()) {
            float[][] tables = norm.perChannel() ? norm.byteTables() : new float[][] {norm.byteTable()};
            for (int k = 0; k < x.length; k += piece) {
                norm.applyBytes(pixels, k, x, k, Math.min(piece, x.length - k), tables, scratch);
            }
        } else {
            for (int k = 0; k < x.length; k += piece) {
                int len = Math.min(piece, x.length - k);
                System.arraycopy(values, k, x, k, len);
                norm.apply(x, k, len, scratch);
            }
        }
        return new Dataset(x, labels, d, classes);
    }
}
