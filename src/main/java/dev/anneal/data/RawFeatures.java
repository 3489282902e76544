package dev.anneal.data;

/**
 * Features as read, before normalisation: unsigned-byte pixels ({@code uint8} arrays, scaled by 1/255 like IDX
 * images) or float values (every other dtype, converted to float32), {@code n x d} row-major.
 *
 * @param pixels the bytes when the source is {@code uint8}, else null
 * @param values the floats otherwise, else null
 * @param n samples
 * @param d features per sample
 */
record RawFeatures(byte[] pixels, float[] values, int n, int d) {
    boolean bytes() {
        return pixels != null;
    }

    /** The rows {@code indices}, in that order. */
    RawFeatures select(int[] indices) {
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
        if (bytes()) {
            return normalize ? Normalization.ofPixels(pixels, source) : Normalization.UNIT_PIXELS;
        }
        return normalize ? Normalization.ofValues(values, source) : Normalization.NONE;
    }

    /** The dataset of these features mapped by {@code norm} (pixels through its 256-entry table). */
    Dataset toDataset(int[] labels, int classes, Normalization norm) {
        float[] x = new float[n * d];
        if (bytes()) {
            float[] table = norm.byteTable();
            for (int k = 0; k < x.length; k++) {
                x[k] = table[pixels[k] & 0xff];
            }
        } else {
            for (int k = 0; k < x.length; k++) {
                x[k] = norm.apply(values[k]);
            }
        }
        return new Dataset(x, labels, d, classes);
    }
}
