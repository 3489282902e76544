package dev.anneal.data;

import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;

/**
 * A C-order {@code .npy} array {@code [N, ...]} read row by row: row {@code r} is the {@code rowSize()} elements
 * {@code [r * rowSize, (r + 1) * rowSize)} of the flat array. The data lies in chunks of whole rows, each one
 * {@link ByteBuffer} of less than 2 GiB, so no row straddles two chunks and arrays of any size can be read:
 *
 * <pre>
 * rowsPerChunk = max(1, floor(maxChunk / rowBytes))      rowBytes = rowSize * itemsize
 * row r        = chunk floor(r / rowsPerChunk), bytes [(r mod rowsPerChunk) * rowBytes, ... + rowBytes)
 * </pre>
 *
 * The chunks are memory-mapped parts of a file ({@link Npy#map}, a stored {@code .npz} entry) or one buffer
 * already in memory ({@link #of}). Elements are decoded by {@link NpyArray#value} / {@link NpyArray#integer},
 * the same code every reader uses, so a value converts to the same bits whichever way it is read. Reads use
 * absolute positions only: one instance may be read by several threads at once.
 */
public final class NpyRows {
    /** The default largest chunk: 1 GiB (a row larger than this is a chunk of its own, up to 2 GiB). */
    static final long MAX_CHUNK = 1L << 30;
    private static final long MAX_BUFFER = Integer.MAX_VALUE - 8L;

    private final String source;
    private final NpyDtype dtype;
    private final long[] shape;
    private final long rows;
    private final long rowSize;
    private final int rowBytes;
    private final int rowsPerChunk;
    private final ByteBuffer[] chunks;
    /** Float views of the chunks ({@code float32} arrays only), for bulk copies. */
    private final FloatBuffer[] floatChunks;
    private final boolean mapped;

    private NpyRows(String source, NpyDtype dtype, long[] shape, int rowsPerChunk, ByteBuffer[] chunks,
                    boolean mapped) {
        this.source = source;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.rows = shape.length == 0 ? 1 : shape[0];
        long size = 1;
        for (int i = 1; i < shape.length; i++) {
            size = shape[i] == 0 ? 0 : size > Long.MAX_VALUE / shape[i] ? Long.MAX_VALUE : size * shape[i];
        }
        this.rowSize = size;
        this.rowBytes = chunks.length == 0 ? 0 : (int) (size * dtype.size());
        this.rowsPerChunk = rowsPerChunk;
        this.chunks = chunks;
        this.mapped = mapped;
        boolean floats = dtype.kind() == 'f' && dtype.size() == 4;
        this.floatChunks = new FloatBuffer[floats ? chunks.length : 0];
        for (int c = 0; c < floatChunks.length; c++) {
            floatChunks[c] = chunks[c].duplicate().order(dtype.order()).asFloatBuffer();
        }
    }

    /** The array {@code a}, whose data is already one buffer (an {@code .npz} entry read into memory). */
    public static NpyRows of(NpyArray a) {
        long[] s = a.shape();
        long n = s.length == 0 ? 1 : s[0];
        boolean empty = a.count() == 0;
        ByteBuffer data = a.data().duplicate().order(a.dtype().order());
        return new NpyRows(a.source(), a.dtype(), s, (int) Math.max(1, Math.min(n, Integer.MAX_VALUE)),
                empty ? new ByteBuffer[0] : new ByteBuffer[] {data}, false);
    }

    /**
     * Maps the data of {@code layout} that starts at byte {@code position} of {@code ch} in chunks of at most
     * {@code maxChunkBytes} (at least one row each).
     */
    static NpyRows map(FileChannel ch, long position, Npy.Layout layout, long maxChunkBytes) throws IOException {
        long[] s = layout.shape();
        NpyDtype dtype = layout.dtype();
        long n = s.length == 0 ? 1 : s[0];
        if (layout.dataBytes() == 0) {
            return new NpyRows(layout.source(), dtype, s, 1, new ByteBuffer[0], true);
        }
        long rowBytes = layout.dataBytes() / n;
        if (rowBytes > MAX_BUFFER) {
            throw new BadInput(layout.source() + " has shape " + Npy.shapeText(s) + " of " + dtype.numpyName()
                    + ": one row is " + rowBytes + " bytes, more than 2 GiB; save it with fewer values per sample");
        }
        long perChunk = Math.max(1, Math.min(n, Math.max(maxChunkBytes, 1) / rowBytes));
        int rowsPerChunk = (int) Math.min(perChunk, MAX_BUFFER / rowBytes);
        long count = (n + rowsPerChunk - 1) / rowsPerChunk;
        if (count > Integer.MAX_VALUE - 8) {
            throw new BadInput(layout.source() + " has " + n + " rows; too many to map");
        }
        ByteBuffer[] chunks = new ByteBuffer[(int) count];
        for (int c = 0; c < chunks.length; c++) {
            long first = (long) c * rowsPerChunk;
            long rowsHere = Math.min(rowsPerChunk, n - first);
            chunks[c] = ch.map(FileChannel.MapMode.READ_ONLY, position + first * rowBytes, rowsHere * rowBytes)
                    .order(dtype.order());
        }
        return new NpyRows(layout.source(), dtype, s, rowsPerChunk, chunks, true);
    }

    /** The file (and entry) named in messages, e.g. {@code data/x_train.npy}. */
    public String source() {
        return source;
    }

    public NpyDtype dtype() {
        return dtype;
    }

    /** The dimensions (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    /** The shape as numpy prints it, e.g. {@code (60000, 28, 28)}. */
    public String shapeText() {
        return Npy.shapeText(shape);
    }

    /** The first dimension (1 for a scalar). */
    public long rows() {
        return rows;
    }

    /** The elements per row: the product of the other dimensions. */
    public long rowSize() {
        return rowSize;
    }

    /** Whether the data is memory-mapped from a file (not in the heap). */
    public boolean mapped() {
        return mapped;
    }

    /** How many buffers hold the data. */
    int chunkCount() {
        return chunks.length;
    }

    /** Element {@code k} of row {@code row} as a double ({@link NpyArray#at}). */
    public double at(long row, int k) {
        return NpyArray.value(chunk(row), offset(row) + k * dtype.size(), dtype);
    }

    /** Integer element {@code k} of row {@code row} ({@link NpyArray#integerAt}). */
    public long integerAt(long row, int k) {
        return NpyArray.integer(chunk(row), offset(row) + k * dtype.size(), dtype);
    }

    /**
     * Elements {@code map[j]} of row {@code row} (elements {@code 0..width-1} when {@code map} is null) into
     * {@code dst[off + j]}, each converted to float32 as {@code (float) at(row, map[j])}.
     */
    void floats(long row, int[] map, int width, float[] dst, int off) {
        floats(row, map, width, dst, off, null);
    }

    /**
     * {@link #floats(long, int[], int, float[], int)}, with {@code scratch} (null, or at least {@code width} floats)
     * to copy a reordered {@code float32} row in bulk first: the same values, faster.
     */
    void floats(long row, int[] map, int width, float[] dst, int off, float[] scratch) {
        ByteBuffer c = chunk(row);
        int base = offset(row);
        if (floatChunks.length > 0 && (map == null || scratch != null)) {
            FloatBuffer f = floatChunks[(int) (row / rowsPerChunk)];
            if (map == null) {
                f.get(base / 4, dst, off, width);
            } else {
                f.get(base / 4, scratch, 0, width);
                for (int j = 0; j < width; j++) {
                    dst[off + j] = scratch[map[j]];
                }
            }
            return;
        }
        int size = dtype.size();
        if (floatChunks.length > 0) {
            for (int j = 0; j < width; j++) {
                dst[off + j] = c.getFloat(base + 4 * map[j]);
            }
            return;
        }
        for (int j = 0; j < width; j++) {
            dst[off + j] = (float) NpyArray.value(c, base + size * (map == null ? j : map[j]), dtype);
        }
    }

    /** The raw bytes of elements {@code map[j]} (or {@code 0..width-1}) of a {@code uint8} row into {@code dst}. */
    void bytes(long row, int[] map, int width, byte[] dst, int off) {
        bytes(row, map, width, dst, off, null);
    }

    /** {@link #bytes(long, int[], int, byte[], int)}, a reordered row copied in bulk into {@code scratch} first. */
    void bytes(long row, int[] map, int width, byte[] dst, int off, byte[] scratch) {
        ByteBuffer c = chunk(row);
        int base = offset(row);
        if (map == null) {
            c.get(base, dst, off, width);
        } else if (scratch != null) {
            c.get(base, scratch, 0, width);
            for (int j = 0; j < width; j++) {
                dst[off + j] = scratch[map[j]];
            }
        } else {
            for (int j = 0; j < width; j++) {
                dst[off + j] = c.get(base + map[j]);
            }
        }
    }

    private ByteBuffer chunk(long row) {
        return chunks[(int) (row / rowsPerChunk)];
    }

    private int offset(long row) {
        return (int) (row % rowsPerChunk) * rowBytes;
    }

    @Override
    public String toString() {
        return source + " " + shapeText() + " " + dtype.numpyName() + (mapped ? ", mapped in " + chunks.length
                + " chunk(s)" : "");
    }
}
