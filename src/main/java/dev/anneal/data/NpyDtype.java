package dev.anneal.data;

import java.nio.ByteOrder;

/**
 * The element types of {@code .npy} arrays read here, from the header's {@code descr} string (numpy's
 * {@code dtype.str}): a byte-order character ({@code <} little-endian, {@code >} big-endian, {@code |} not
 * applicable, {@code =} native, read as little-endian), a kind ({@code f} float, {@code i} signed, {@code u}
 * unsigned) and the item size in bytes. Read: {@code f4 f8 i1 i2 i4 i8 u1 u2 u4 u8}. Everything else (bool,
 * float16, complex, strings, datetimes, objects {@code |O}, structured arrays) is refused by {@link Npy}.
 *
 * @param kind {@code 'f'}, {@code 'i'} or {@code 'u'}
 * @param size bytes per element
 * @param order the byte order of the elements
 */
public record NpyDtype(char kind, int size, ByteOrder order) {
    /** Whether the elements are integers (signed or unsigned), so they can be class labels. */
    public boolean integer() {
        return kind != 'f';
    }

    /** Unsigned bytes: image pixels, scaled by 1/255. */
    public boolean unsignedByte() {
        return kind == 'u' && size == 1;
    }

    /** The numpy name, e.g. {@code float32}, {@code uint8}. */
    public String numpyName() {
        return (kind == 'f' ? "float" : kind == 'i' ? "int" : "uint") + (8 * size);
    }

    /**
     * The dtype of a {@code descr} string, or null when it is not one read here.
     */
    static NpyDtype parse(String descr) {
        if (descr.length() < 3) {
            return null;
        }
        char endian = descr.charAt(0);
        char kind = descr.charAt(1);
        int size;
        try {
            size = Integer.parseInt(descr.substring(2));
        } catch (NumberFormatException e) {
            return null;
        }
        if ("<>|=".indexOf(endian) < 0) {
            return null;
        }
        boolean known = switch (kind) {
            case 'f' -> size == 4 || size == 8;
            case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
            default -> false;
        };
        if (!known || (endian == '|' && size != 1)) {
            return null;
        }
        return new NpyDtype(kind, size, endian == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    }
}
