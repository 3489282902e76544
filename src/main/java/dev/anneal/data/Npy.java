package dev.anneal.data;

import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reader of NumPy's {@code .npy} format (NEP 1; numpy's {@code numpy/lib/format.py}).
 *
 * <p>Layout: the magic {@code \x93NUMPY}, a major and a minor version byte ({@code 1.0}, {@code 2.0} or
 * {@code 3.0}), the header length as a little-endian {@code uint16} (version 1) or {@code uint32} (2 and 3), the
 * header (ASCII/latin-1, UTF-8 in version 3; a Python dict literal, see {@link NpyHeader}), then the
 * {@code product(shape) * itemsize} bytes of the array. Only C order and the dtypes of {@link NpyDtype} are read;
 * Fortran order, object arrays and every malformed file are a one-line {@link BadInput} naming the file and the
 * fix. Files are memory-mapped, so their raw bytes never occupy the heap: {@link #read} maps a whole file of at
 * most 2 GiB as one {@link NpyArray}; {@link #map} maps the header alone and the data as {@link NpyRows}, in
 * chunks of whole rows of less than 2 GiB each, so a file of any size can be read (training features,
 * {@code data.memory_map}).
 */
public final class Npy {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_MAPPED = Integer.MAX_VALUE - 8;

    private Npy() {
    }

    /**
     * Where an array's data lies inside a {@code .npy} image, from its header: {@code dataBytes} bytes from byte
     * {@code dataStart} of the image, checked against the image's length.
     */
    record Layout(String source, NpyDtype dtype, long[] shape, long dataStart, long dataBytes) {
    }

    /** Reads the {@code .npy} file {@code file} (at most 2 GiB of data), memory-mapped, as one buffer. */
    public static NpyArray read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > MAX_MAPPED + 65536L * 16) {
                Layout layout = layout(ch, 0, size, file.toString());
                throw new BadInput(file + ": " + size + " bytes (shape " + shapeText(layout.shape()) + " of "
                        + layout.dtype().numpyName() + "); arrays of more than 2 GiB are read only as training "
                        + "features (data.dataset: npy or npz): split it into smaller files");
            }
            ByteBuffer all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            return parse(all, file.toString());
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** The one line for a file that cannot be opened or read: missing, not permitted, or another I/O error. */
    private static BadInput unreadable(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new BadInput(file + ": no such file");
        }
        if (e instanceof AccessDeniedException) {
            return new BadInput(file + ": permission denied");
        }
        return new BadInput("cannot read " + file + ": " + e.getMessage());
    }

    /**
     * Maps the {@code .npy} file {@code file} of any size: the header is read, the data mapped in chunks of whole
     * rows (the first dimension) of at most {@link NpyRows#MAX_CHUNK} bytes.
     */
    public static NpyRows map(Path file) {
        return map(file, NpyRows.MAX_CHUNK);
    }

    /** The header of the {@code .npy} file {@code file}: its dtype, shape and where its data lies. */
    static Layout layout(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return layout(ch, 0, ch.size(), file.toString());
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** {@link #map(Path)} with chunks of at most {@code maxChunkBytes} (at least one row each), for tests. */
    static NpyRows map(Path file, long maxChunkBytes) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return map(ch, 0, ch.size(), file.toString(), maxChunkBytes);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /**
     * Maps the {@code .npy} image of {@code length} bytes that starts at byte {@code start} of {@code ch} (a
     * whole file, or a stored {@code .npz} entry); the mappings outlive the channel.
     */
    static NpyRows map(FileChannel ch, long start, long length, String source, long maxChunkBytes)
            throws IOException {
        Layout layout = layout(ch, start, length, source);
        return NpyRows.map(ch, start + layout.dataStart(), layout, maxChunkBytes);
    }

    /** The layout of the {@code .npy} image at {@code [start, start + length)} of {@code ch}, from its header. */
    static Layout layout(FileChannel ch, long start, long length, String source) throws IOException {
        ByteBuffer preamble = readAt(ch, start, (int) Math.min(length, 12));
        long headerEnd = preamble.limit();
        int major = preamble.limit() >= 12 ? preamble.get(6) & 0xff : 0;
        boolean known = major >= 1 && major <= 3 && preamble.get(7) == 0;
        for (int i = 0; known && i < MAGIC.length; i++) {
            known = preamble.get(i) == MAGIC[i];
        }
        if (known) {
            long headerLength = major == 1 ? preamble.getShort(8) & 0xffffL : preamble.getInt(8) & 0xffffffffL;
            headerEnd = Math.min(length, (major == 1 ? 10 : 12) + headerLength);
        }
        if (headerEnd > MAX_MAPPED) {
            throw new BadInput(source + ": its .npy header is " + headerEnd + " bytes long; not a well-formed .npy "
                    + "file");
        }
        return layout(readAt(ch, start, (int) headerEnd), length, source);
    }

    private static ByteBuffer readAt(FileChannel ch, long position, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                break;
            }
        }
        return b.flip().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Parses a whole {@code .npy} image held in {@code bytes} (position 0 to limit); the returned array's data is
     * a view of it.
     *
     * @param source named in messages
     */
    public static NpyArray parse(ByteBuffer bytes, String source) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Layout layout = layout(b, b.remaining(), source);
        ByteBuffer data = b.slice((int) layout.dataStart(), (int) layout.dataBytes()).order(layout.dtype().order());
        return new NpyArray(source, layout.dtype(), layout.shape(), data);
    }

    /**
     * The layout of a {@code .npy} image of {@code total} bytes whose first bytes (at least the preamble and the
     * header, when the image has them) are in {@code b} from index 0, little-endian.
     */
    static Layout layout(ByteBuffer b, long total, String source) {
        long known = b.limit();
        if (total < 10) {
            throw new BadInput(source + " is not a .npy file (" + total + " bytes, shorter than the 10-byte "
                    + "preamble); save it with numpy.save");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(i) != MAGIC[i]) {
                throw new BadInput(source + " is not a .npy file (it does not start with \\x93NUMPY" + hint(b)
                        + "); save the array with numpy.save");
            }
        }
        int major = b.get(6) & 0xff;
        int minor = b.get(7) & 0xff;
        if (minor != 0 || major < 1 || major > 3) {
            throw new BadInput(source + ": .npy format version " + major + "." + minor + " is not known (1.0, 2.0 "
                    + "and 3.0 are read); save it again with numpy.save");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        int prefix = 8 + lengthBytes;
        if (total < prefix) {
            throw new BadInput(source + " is truncated inside its .npy preamble; the file is incomplete");
        }
        long headerLength = major == 1 ? b.getShort(8) & 0xffffL : b.getInt(8) & 0xffffffffL;
        if (prefix + headerLength > total) {
            throw new BadInput(source + " is truncated inside its .npy header (" + total + " bytes, the header "
                    + "ends at " + (prefix + headerLength) + "); the file is incomplete");
        }
        if (prefix + headerLength > known) {
            throw new BadInput(source + " is truncated inside its .npy header (" + known + " bytes read, the header "
                    + "ends at " + (prefix + headerLength) + "); the file is incomplete");
        }
        byte[] text = new byte[(int) headerLength];
        b.get(prefix, text);
        NpyHeader header;
        try {
            header = NpyHeader.parse(new String(text, major == 3 ? StandardCharsets.UTF_8
                    : StandardCharsets.ISO_8859_1));
        } catch (IllegalArgumentException e) {
            throw new BadInput(source + ": " + e.getMessage() + "; not a well-formed .npy file");
        }
        NpyDtype dtype = dtype(header, source);
        if (header.fortranOrder()) {
            throw new BadInput(source + " is in Fortran order; save it in C order: "
                    + "numpy.save(f, numpy.ascontiguousarray(a))");
        }
        long count = 1;
        for (long d : header.shape()) {
            count = d == 0 ? 0 : count > Long.MAX_VALUE / d ? Long.MAX_VALUE : count * d;
        }
        long dataStart = prefix + headerLength;
        long promised = count > Long.MAX_VALUE / dtype.size() ? Long.MAX_VALUE : count * dtype.size();
        long held = total - dataStart;
        if (held < promised) {
            throw new BadInput(source + " holds " + held + " bytes of data, the header promises " + promised
                    + " (shape " + shapeText(header.shape()) + " of " + dtype.numpyName() + "); the file is truncated");
        }
        if (held > promised) {
            throw new BadInput(source + " has " + (held - promised) + " bytes after the " + promised + " bytes of "
                    + "data its header promises (shape " + shapeText(header.shape()) + " of " + dtype.numpyName()
                    + "); not a well-formed .npy file");
        }
        return new Layout(source, dtype, header.shape(), dataStart, promised);
    }

    /** numpy's way of writing a shape: {@code (3,)}, {@code (2, 3)}, {@code ()}. */
    static String shapeText(long[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return s.append(shape.length == 1 ? ",)" : ")").toString();
    }

    private static NpyDtype dtype(NpyHeader header, String source) {
        String descr = header.descr();
        if (descr == null) {
            throw new BadInput(source + " holds a structured array (its descr is a list of fields); save each "
                    + "field as its own plain numeric array");
        }
        if (descr.length() >= 2 && descr.charAt(1) == 'O') {
            throw new BadInput(source + " holds an object array (Python objects, pickled), which is never read; "
                    + "save a numeric array: numpy.save(f, a.astype('float32'))");
        }
        NpyDtype dtype = NpyDtype.parse(descr);
        if (dtype == null) {
            throw new BadInput(source + ": dtype '" + descr + "' is not read; convert the array to float32, "
                    + "float64, uint8, int8, int16, int32 or int64");
        }
        return dtype;
    }

    private static String hint(ByteBuffer b) {
        if (b.get(0) == 'P' && b.get(1) == 'K') {
            return ": it is a zip file, use data.dataset: npz";
        }
        return "";
    }
}
