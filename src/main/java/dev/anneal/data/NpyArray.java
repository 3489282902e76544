package dev.anneal.data;

import java.nio.ByteBuffer;

/**
 * One array of a {@code .npy} file: its element type, shape and the raw C-order elements, read in place (a
 * memory-mapped file or the bytes of an {@code .npz} entry) and converted element by element.
 *
 * @param source the file (and entry) named in messages, e.g. {@code data.npz[x_train]}
 * @param dtype the element type
 * @param shape the dimensions
 * @param data the elements, {@code product(shape) * dtype.size()} bytes from position 0, in {@code dtype}'s order
 */
public record NpyArray(String source, NpyDtype dtype, long[] shape, ByteBuffer data) {
    /** The number of elements: the product of the shape (1 for a scalar). */
    public long count() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** The elements per index of the first dimension: the product of the other dimensions. */
    public long rowSize() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** Element {@code i} (flat C-order index) as a double; exact for every integer below 2^53. */
    public double at(int i) {
        return value(data, i * dtype.size(), dtype);
    }

    /** Integer element {@code i}; a {@code uint64} above {@link Long#MAX_VALUE} reads as {@link Long#MAX_VALUE}. */
    public long integerAt(int i) {
        return integer(data, i * dtype.size(), dtype);
    }

    /**
     * The element of type {@code dtype} at byte {@code b} of {@code data} (in {@code dtype}'s order) as a double:
     * the one decoding of every reader ({@link #at}, {@link NpyRows}), so every path converts the same bits.
     */
    static double value(ByteBuffer data, int b, NpyDtype dtype) {
        return switch (dtype.kind()) {
            case 'f' -> dtype.size() == 4 ? data.getFloat(b) : data.getDouble(b);
            case 'i' -> integer(data, b, dtype);
            default -> dtype.size() == 8 ? unsignedLong(data.getLong(b)) : integer(data, b, dtype);
        };
    }

    /** The integer element at byte {@code b}; a {@code uint64} above {@link Long#MAX_VALUE} is {@link Long#MAX_VALUE}. */
    static long integer(ByteBuffer data, int b, NpyDtype dtype) {
        boolean signed = dtype.kind() == 'i';
        return switch (dtype.size()) {
            case 1 -> signed ? data.get(b) : data.get(b) & 0xffL;
            case 2 -> signed ? data.getShort(b) : data.getShort(b) & 0xffffL;
            case 4 -> signed ? data.getInt(b) : data.getInt(b) & 0xffffffffL;
            default -> {
                long v = data.getLong(b);
                yield signed || v >= 0 ? v : Long.MAX_VALUE;
            }
        };
    }

    /** Element {@code i} of a {@code uint8} array. */
    public byte byteAt(int i) {
        return data.get(i);
    }

    /** The shape as numpy prints it, e.g. {@code (60000, 28, 28)}. */
    public String shapeText() {
        return Npy.shapeText(shape);
    }

    private static double unsignedLong(long v) {
        return v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
    }
}
