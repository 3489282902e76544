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
 * @param mapped the memory-mapped rows, else null (then {@code pixels} or {@code values} holds the features)
 */
record RawFeatures(byte[] pixels, float[] values, int n, int d, MappedFeatures mapped) {
    /** Features in memory. */
    RawFeatures(byte[] pixels, float[] values, int n, int d) {
        this(pixels, values, n, d, null);
    }

    /** Memory-mapped rows. */
    static RawFeatures of(MappedFeatures rows) {
        return new RawFeatures(null, null, rows.n(), rows.d(), rows);
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
            return of(mapped.select(indices));
        }
        if (bytes()) {
            byte[] out = new byte[indices.length * d];
            for (int k = 0; k < indices.length; k++) {
                System.arraycopy(pixels, indices[k] * d, out, k * d, d);
            }
            return new RawFeatures(out, null, indices.length, d);
        }
        float[] out = new float[indices.length * d];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(values, indices[k] * d, out, k * d, d);
        }
        return new RawFeatures(null, out, indices.length, d);
    }

    /** The map of the training features: pixel or value statistics when {@code normalize}, else the scale only. */
    Normalization statistics(boolean normalize, String source) {
        if (mapped != null) {
            return mapped.statistics(normalize, source);
        }
        if (bytes()) {
            return normalize ? Normalization.ofPixels(pixels, source) : Normalization.UNIT_PIXELS;
        }
        return normalize ? Normalization.ofValues(values, source) : Normalization.NONE;
    }

    /**
     * The dataset of these features mapped by {@code norm} (pixels through its 256-entry table); memory-mapped
     * features stay mapped and are mapped by {@code norm} as they are copied.
     */
    Dataset toDataset(int[] labels, int classes, Normalization norm) {
        if (mapped != null) {
            return new Dataset(mapped.normalized(norm), labels, classes);
        }
        float[] x = new float[n * d];
        if (bytes()) {
            float[] table = norm.byteTable();
            for (int k = 0; k < x.length; k++) {
                x[k] = table[pixels[k] & 0xff];
            }
        } else {
            double[] scratch = new double[Math.min(x.length, 1 << 16)];
            for (int k = 0; k < x.length; k += scratch.length) {
                int len = Math.min(scratch.length, x.length - k);
                System.arraycopy(values, k, x, k, len);
                norm.apply(x, k, len, scratch);
            }
        }
        return new Dataset(x, labels, d, classes);
    }
}
