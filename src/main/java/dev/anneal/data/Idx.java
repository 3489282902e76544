package dev.anneal.data;

import dev.anneal.spec.BadInput;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader of the IDX files of MNIST and Fashion-MNIST (LeCun et al., http://yann.lecun.com/exdb/mnist/).
 *
 * <p>Format. All header integers are 32-bit big-endian. The magic number is {@code 0x0000TTDD}: two zero bytes,
 * the element type {@code TT} ({@code 0x08} = unsigned byte, the only type read here) and the number of
 * dimensions {@code DD}; one 32-bit size per dimension follows, then the elements in row-major order.
 * <ul>
 *   <li>labels: magic {@code 0x00000801}, count {@code n}, then {@code n} bytes, each a class index;</li>
 *   <li>images: magic {@code 0x00000803}, count {@code n}, rows, cols, then {@code n * rows * cols} pixel bytes,
 *       image after image, each row-major (0 = background).</li>
 * </ul>
 * A file may be gzip-compressed; compression is detected by the gzip magic bytes {@code 1f 8b}, never by the
 * file name. The payload is read with one bulk read into its final array. Every problem a user can fix (wrong
 * file, truncated or corrupt download, extra bytes) is a one-line {@link BadInput} that names the file.
 */
public final class Idx {
    public static final int LABELS_MAGIC = 0x00000801;
    public static final int IMAGES_MAGIC = 0x00000803;
    private static final int BUFFER = 1 << 16;

    private Idx() {
    }

    /**
     * The images of an IDX image file: {@code pixels[i * rows * cols + r * cols + c]} is pixel (r, c) of image
     * i, an unsigned byte (read with {@code & 0xff}).
     */
    public record Images(int count, int rows, int cols, byte[] pixels) {
        /** Pixels per image: {@code rows * cols}. */
        public int pixelsPerImage() {
            return rows * cols;
        }
    }

    /** Reads an IDX image file ({@code 0x00000803}, unsigned bytes, n x rows x cols), gzip or raw. */
    public static Images readImages(Path file) {
        try (InputStream in = open(file)) {
            int magic = readMagic(in, file, "image");
            int[] dims = readInts(in, file, 3, "image");
            int n = nonNegative(file, "image count", dims[0]);
            int rows = positiveDim(file, "rows", dims[1]);
            int cols = positiveDim(file, "cols", dims[2]);
            long total = (long) n * rows * cols;
            if (total > DataSpec.MAX_ARRAY) {
                throw new BadInput(file + ": the header promises " + n + " x " + rows + " x " + cols
                        + " pixels, more than one array holds (" + DataSpec.MAX_ARRAY + ")");
            }
            byte[] pixels = payload(in, file, 16, total);
            int got = pixels.length;
            if (got < total) {
                throw new BadInput(file + " holds " + got + " bytes of pixels, the header promises " + total
                        + " (" + n + " images of " + rows + " x " + cols + "); the file is truncated");
            }
            requireEnd(in, file, total + " bytes of pixels");
            assert magic == IMAGES_MAGIC;
            return new Images(n, rows, cols, pixels);
        } catch (IOException e) {
            throw readFailure(file, e);
        }
    }

    /**
     * Reads an IDX label file ({@code 0x00000801}, unsigned bytes), gzip or raw; every label must be below
     * {@code classes}.
     */
    public static int[] readLabels(Path file, int classes) {
        try (InputStream in = open(file)) {
            readMagic(in, file, "label");
            int n = nonNegative(file, "label count", readInts(in, file, 1, "label")[0]);
            byte[] raw = payload(in, file, 8, n);
            int got = raw.length;
            if (got < n) {
                throw new BadInput(file + " holds " + got + " labels, the header promises " + n
                        + "; the file is truncated");
            }
            requireEnd(in, file, n + " labels");
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                int y = raw[i] & 0xff;
                if (y >= classes) {
                    throw new BadInput(file + ": label " + y + " at index " + i + " is out of range 0.."
                            + (classes - 1) + " (" + classes + " classes)");
                }
                labels[i] = y;
            }
            return labels;
        } catch (IOException e) {
            throw readFailure(file, e);
        }
    }

    /**
     * The {@code promised} payload bytes after a header of {@code headerBytes}, or fewer when the file ends
     * first. A raw file shorter than its header promises is read as it is, so a corrupt count never allocates
     * more than the file holds; a gzip stream is read in chunks for the same reason.
     */
    private static byte[] payload(InputStream in, Path file, int headerBytes, long promised) throws IOException {
        long onDisk = isGzipFile(file) ? -1 : Files.size(file) - headerBytes;
        int want = (int) (onDisk >= 0 ? Math.min(promised, onDisk) : promised);
        if (onDisk >= 0) {
            byte[] b = new byte[want];
            int got = in.readNBytes(b, 0, want);
            return got == want ? b : java.util.Arrays.copyOf(b, got);
        }
        return in.readNBytes(want);
    }

    private static boolean isGzipFile(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            return isGzip(raw.read(), raw.read());
        }
    }

    /** Whether the first two bytes are the gzip magic {@code 1f 8b}. */
    static boolean isGzip(int b0, int b1) {
        return b0 == 0x1f && b1 == 0x8b;
    }

    private static InputStream open(Path file) throws IOException {
        BufferedInputStream b = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        b.mark(2);
        int b0 = b.read();
        int b1 = b.read();
        b.reset();
        if (!isGzip(b0, b1)) {
            return b;
        }
        try {
            return new GZIPInputStream(b, BUFFER);
        } catch (IOException e) {
            b.close();
            throw e;
        }
    }

    private static int readMagic(InputStream in, Path file, String kind) throws IOException {
        byte[] head = in.readNBytes(4);
        if (head.length == 0) {
            throw new BadInput(file + " is empty, not an IDX " + kind + " file");
        }
        if (head.length < 4) {
            throw new BadInput(file + " is not an IDX " + kind + " file (only " + head.length + " bytes)");
        }
        int magic = bigEndian(head, 0);
        int expected = "image".equals(kind) ? IMAGES_MAGIC : LABELS_MAGIC;
        if (magic != expected) {
            throw new BadInput(file + " is not an IDX " + kind + " file (magic " + hex(magic) + describe(magic)
                    + "; expected " + hex(expected) + ")");
        }
        return magic;
    }

    /** What a wrong magic number looks like, to help the user see which file they gave. */
    private static String describe(int magic) {
        if (magic == LABELS_MAGIC) {
            return ", an IDX label file";
        }
        if (magic == IMAGES_MAGIC) {
            return ", an IDX image file";
        }
        if ((magic >>> 16) == 0x1f8b) {
            return ", gzip data: compressed twice?";
        }
        if ((magic >>> 16) == 0) {
            int type = (magic >>> 8) & 0xff;
            String name;
            switch (type) {
                case 0x09: name = "signed byte"; break;
                case 0x0b: name = "short"; break;
                case 0x0c: name = "int"; break;
                case 0x0d: name = "float"; break;
                case 0x0e: name = "double"; break;
                default: return "";
            }
            return ", IDX of " + name + " elements in " + (magic & 0xff)
                    + " dimensions; only unsigned bytes are read";
        }
        return "";
    }

    private static int[] readInts(InputStream in, Path file, int count, String kind) throws IOException {
        byte[] b = in.readNBytes(4 * count);
        if (b.length < 4 * count) {
            throw new BadInput(file + " is truncated inside its IDX " + kind + " header (" + (4 + b.length)
                    + " of " + (4 + 4 * count) + " bytes)");
        }
        int[] v = new int[count];
        for (int i = 0; i < count; i++) {
            v[i] = bigEndian(b, 4 * i);
        }
        return v;
    }

    private static void requireEnd(InputStream in, Path file, String promised) throws IOException {
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw new BadInput(file + " has " + extra + " bytes of trailing data after the " + promised
                    + " the header promises; not a well-formed IDX file");
        }
    }

    private static int nonNegative(Path file, String what, int v) {
        if (v < 0) {
            throw new BadInput(file + ": the IDX header gives a negative " + what + " (" + v + ")");
        }
        return v;
    }

    private static int positiveDim(Path file, String what, int v) {
        if (v <= 0) {
            throw new BadInput(file + ": the IDX header gives " + v + " " + what + "; must be > 0");
        }
        return v;
    }

    private static BadInput readFailure(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new BadInput(file + ": no such file");
        }
        if (e instanceof AccessDeniedException) {
            return new BadInput(file + ": permission denied");
        }
        if (e instanceof ZipException || e instanceof EOFException) {
            return new BadInput(file + " is a corrupt or truncated gzip file (" + oneLine(e.getMessage())
                    + "); download it again");
        }
        return new BadInput("cannot read " + file + ": " + oneLine(String.valueOf(e.getMessage())));
    }

    private static String oneLine(String s) {
        return s == null ? "unexpected end of data" : s.replaceAll("\\s+", " ").trim();
    }

    private static int bigEndian(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    static String hex(int v) {
        return String.format("0x%08x", v);
    }
}
