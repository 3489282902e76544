import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/**
 * Writes small, learnable example datasets in each format {@code data.dataset} reads, for the configs
 * {@code configs/examples/data-*.yaml}. Needs only a JDK 17 (run as a source file, no dependencies):
 * <pre>
 * java scripts/MakeExampleData.java OUT_DIR      (or: bash scripts/make-example-data.sh OUT_DIR)
 * </pre>
 * It writes, in about a second, 6.5 MB:
 * <ul>
 *   <li>{@code shapes.npz}: Keras' {@code mnist.npz} layout, {@code x_train} uint8 [1200, 28, 28],
 *       {@code y_train} int64 [1200], {@code x_test} uint8 [300, 28, 28], {@code y_test} int64 [300]; each image
 *       one of four drawn shapes (0 bar, 1 cross, 2 ring, 3 square) of random position, size and brightness over
 *       noise. The archive's entries are {@code x_train.npy} etc., stored uncompressed as {@code numpy.savez} writes
 *       them;</li>
 *   <li>{@code shapes-npy/}: {@code x_train.npy} float32 [1200, 28, 28, 1] (NHWC, pixels / 255) and
 *       {@code y_train.npy} int64, the same training images, and no test arrays;</li>
 *   <li>{@code blobs.csv} (450 rows) and {@code blobs-test.csv} (150): columns {@code bill_mm, flipper_mm,
 *       mass_g, species}, three Gaussian blobs named {@code adelie, chinstrap, gentoo} with features of very
 *       different scales (synthetic numbers shaped like a penguin table, not measurements);</li>
 *   <li>{@code shapes-images/train/<class>/} (100 per class) and {@code shapes-images/test/<class>/} (25 per
 *       class): 36 x 36 RGB images of the four shapes in random colours, mostly PNG, some JPEG and BMP;</li>
 *   <li>{@code README.txt} (what this is) and {@code SHA256SUMS} ({@code sha256sum -c SHA256SUMS} checks it).</li>
 * </ul>
 *
 * <p>Deterministic: every value comes from a SplitMix64 stream with a fixed seed and {@link StrictMath}, zip
 * entries carry a fixed time, so every run on the same JDK writes the same bytes. Atomic: everything is written
 * into a temporary directory beside {@code OUT_DIR} that is renamed into place at the end, so {@code OUT_DIR} is
 * either absent, the previous complete output or the new one. An existing {@code OUT_DIR} is replaced only when it
 * is empty or an earlier output of this program (its {@code README.txt} says so); anything else is refused.
 * Exit status: 0 done, 2 bad arguments or an {@code OUT_DIR} that is not ours, 1 an I/O failure.
 */
public final class MakeExampleData {
    static final String MARKER = "Example data written by scripts/MakeExampleData.java";
    static final String[] SHAPES = {"bar", "cross", "ring", "square"};
    static final String[] SPECIES = {"adelie", "chinstrap", "gentoo"};
    static final int SIDE = 28;
    static final int COLOR_SIDE = 36;
    static final long SEED = 20240601L;

    private MakeExampleData() {
    }

    public static void main(String[] args) {
        if (args.length != 1 || args[0].isBlank() || args[0].startsWith("-")) {
            fail(2, "usage: java scripts/MakeExampleData.java OUT_DIR (e.g. data/examples)");
        }
        Path out = Path.of(args[0]).toAbsolutePath().normalize();
        try {
            long t0 = System.nanoTime();
            long bytes = make(out);
            System.out.printf(Locale.ROOT, "wrote %s: %.1f MB in %.1f s (shapes.npz, shapes-npy/, blobs.csv, "
                    + "blobs-test.csv, shapes-images/)%n", args[0], bytes / 1e6, (System.nanoTime() - t0) / 1e9);
        } catch (IllegalStateException e) {
            fail(2, e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            fail(1, "writing " + out + " failed: " + e);
        }
    }

    private static void fail(int status, String message) {
        System.err.println("make-example-data: " + message);
        System.exit(status);
    }

    /** Writes everything into a temporary sibling of {@code out}, then renames it into place; returns the bytes. */
    static long make(Path out) throws IOException {
        Path parent = out.getParent();
        if (parent == null) {
            throw new IllegalStateException("OUT_DIR must not be the file-system root");
        }
        checkReplaceable(out);
        Files.createDirectories(parent);
        Path tmp = freshSibling(out, "tmp");
        Files.createDirectory(tmp);
        try {
            writeAll(tmp);
            long bytes = checksums(tmp);
            install(tmp, out);
            return bytes;
        } finally {
            deleteTree(tmp);
        }
    }

    /** Refuses an {@code out} that exists and is neither an empty directory nor an earlier output of ours. */
    static void checkReplaceable(Path out) throws IOException {
        if (!Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException(out + " exists and is not a directory; choose another OUT_DIR");
        }
        if (isEmpty(out)) {
            return;
        }
        Path readme = out.resolve("README.txt");
        boolean ours = Files.isRegularFile(readme) && Files.readString(readme, StandardCharsets.UTF_8)
                .startsWith(MARKER);
        if (!ours) {
            throw new IllegalStateException(out + " exists and was not written by this program; choose an empty "
                    + "or new OUT_DIR (an earlier output is replaced)");
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /** Moves {@code tmp} to {@code out}, setting any earlier output aside first and deleting it afterwards. */
    private static void install(Path tmp, Path out) throws IOException {
        Path old = null;
        if (Files.exists(out)) {
            checkReplaceable(out);
            old = freshSibling(out, "old");
            move(out, old);
        }
        try {
            move(tmp, out);
        } catch (IOException e) {
            if (old != null) {
                move(old, out);
            }
            throw e;
        }
        if (old != null) {
            deleteTree(old);
        }
    }

    /**
     * {@code .NAME.KIND-PID} beside {@code out}, removed first if a crashed run of the same process id left it
     * (created later with {@link Files#createDirectory}, so it gets the umask's permissions).
     */
    private static Path freshSibling(Path out, String kind) throws IOException {
        Path p = out.resolveSibling("." + out.getFileName() + "." + kind + "-" + ProcessHandle.current().pid());
        deleteTree(p);
        return p;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Every dataset, each from its own seeded stream. */
    static void writeAll(Path dir) throws IOException {
        Gray train = grayShapes(1200, new Rng(SEED));
        Gray test = grayShapes(300, new Rng(SEED + 1));
        writeNpz(dir.resolve("shapes.npz"), train, test);
        Path npy = Files.createDirectories(dir.resolve("shapes-npy"));
        Files.write(npy.resolve("x_train.npy"), npyFloatNhwc(train));
        Files.write(npy.resolve("y_train.npy"), npyLabels(train.labels));
        writeCsv(dir.resolve("blobs.csv"), 450, new Rng(SEED + 2));
        writeCsv(dir.resolve("blobs-test.csv"), 150, new Rng(SEED + 3));
        writeImages(dir.resolve("shapes-images").resolve("train"), 100, new Rng(SEED + 4));
        writeImages(dir.resolve("shapes-images").resolve("test"), 25, new Rng(SEED + 5));
        Files.writeString(dir.resolve("README.txt"), MARKER + """
                 (deterministic: the same bytes on every run).
                Synthetic data for configs/examples/data-*.yaml; none of it is a real measurement.
                  shapes.npz       x_train uint8 [1200,28,28], y_train int64, x_test uint8 [300,28,28], y_test int64
                                   classes 0 bar, 1 cross, 2 ring, 3 square
                  shapes-npy/      x_train.npy float32 [1200,28,28,1] (NHWC, 0..1), y_train.npy int64; no test arrays
                  blobs.csv        450 rows: bill_mm, flipper_mm, mass_g, species (adelie, chinstrap, gentoo)
                  blobs-test.csv   150 rows, the same columns
                  shapes-images/   train/<class>/ 100 and test/<class>/ 25 RGB 36x36 images per class (PNG, JPEG, BMP)
                Regenerate with: bash scripts/make-example-data.sh OUT_DIR
                """, StandardCharsets.UTF_8);
    }

    // ---- shapes -------------------------------------------------------------------------------------------

    /** Grayscale images, row-major {@code n x SIDE x SIDE}, and their labels. */
    record Gray(int n, byte[] pixels, long[] labels) {
    }

    /** {@code n} 28 x 28 images, labels cycling through the classes, each shape jittered and noisy. */
    static Gray grayShapes(int n, Rng rng) {
        byte[] px = new byte[n * SIDE * SIDE];
        long[] labels = new long[n];
        float[] mask = new float[SIDE * SIDE];
        for (int i = 0; i < n; i++) {
            int cls = i % SHAPES.length;
            labels[i] = cls;
            drawShape(cls, SIDE, rng, mask);
            double ink = 150 + 105 * rng.uniform();
            for (int k = 0; k < mask.length; k++) {
                double v = mask[k] * ink + 18 * rng.gaussian();
                px[i * mask.length + k] = (byte) clamp(v);
            }
        }
        return new Gray(n, px, labels);
    }

    /**
     * Fills {@code mask} ({@code side x side}, 1 inside, 0 outside) with shape {@code cls} at a random size and
     * position that keep it inside the image. Sizes are in units of {@code side / 28}.
     */
    static void drawShape(int cls, int side, Rng rng, float[] mask) {
        double u = side / 28.0;
        double a;
        double b;
        switch (cls) {
            case 0 -> { // bar: a horizontal bar, half-width a, half-height b
                a = u * (7 + 4 * rng.uniform());
                b = u * (1.5 + 1.5 * rng.uniform());
            }
            case 1 -> { // cross: arms of half-length a and half-thickness b
                a = u * (5 + 4 * rng.uniform());
                b = u * (1.2 + 1.0 * rng.uniform());
            }
            case 2 -> { // ring: radius a, half-thickness b
                a = u * (5 + 4 * rng.uniform());
                b = u * (1.0 + 0.6 * rng.uniform());
            }
            default -> { // square: filled, half-side a
                a = u * (4 + 4 * rng.uniform());
                b = a;
            }
        }
        double extent = cls == 0 ? a : cls == 2 ? a + b : a;
        double extentY = cls == 0 ? b : extent;
        double cx = extent + 1 + (side - 2 - 2 * extent) * rng.uniform();
        double cy = extentY + 1 + (side - 2 - 2 * extentY) * rng.uniform();
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                double dx = Math.abs(x + 0.5 - cx);
                double dy = Math.abs(y + 0.5 - cy);
                boolean in = switch (cls) {
                    case 0 -> dx <= a && dy <= b;
                    case 1 -> (dx <= b && dy <= a) || (dy <= b && dx <= a);
                    case 2 -> Math.abs(StrictMath.sqrt(dx * dx + dy * dy) - a) <= b;
                    default -> dx <= a && dy <= a;
                };
                mask[y * side + x] = in ? 1f : 0f;
            }
        }
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    // ---- npy / npz ----------------------------------------------------------------------------------------

    /**
     * An {@code .npy} file, format version 1.0: the magic {@code \x93NUMPY}, version bytes 1 0, a little-endian
     * uint16 header length, the header (a Python dict literal as numpy writes it, padded with spaces and ended by a
     * newline so that the data starts at a multiple of 64 bytes), then the data in C order.
     */
    static byte[] npy(String descr, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        int headerLen = dict.length() + 1 + (64 - unpadded % 64) % 64;
        ByteBuffer buf = ByteBuffer.allocate(10 + headerLen + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        buf.putShort((short) headerLen);
        StringBuilder h = new StringBuilder(dict);
        while (h.length() < headerLen - 1) {
            h.append(' ');
        }
        h.append('\n');
        buf.put(h.toString().getBytes(StandardCharsets.US_ASCII)).put(data);
        return buf.array();
    }

    static byte[] npyPixels(Gray g) {
        return npy("|u1", "(" + g.n + ", " + SIDE + ", " + SIDE + ")", g.pixels);
    }

    static byte[] npyLabels(long[] labels) {
        ByteBuffer b = ByteBuffer.allocate(labels.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long y : labels) {
            b.putLong(y);
        }
        return npy("<i8", "(" + labels.length + ",)", b.array());
    }

    /** The images as float32 {@code [n, 28, 28, 1]}, pixel / 255. */
    static byte[] npyFloatNhwc(Gray g) {
        ByteBuffer b = ByteBuffer.allocate(g.pixels.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (byte p : g.pixels) {
            b.putFloat((p & 0xff) / 255f);
        }
        return npy("<f4", "(" + g.n + ", " + SIDE + ", " + SIDE + ", 1)", b.array());
    }

    /**
     * The four arrays as entries {@code x_train.npy ...} of a zip without compression (as {@code numpy.savez}
     * writes it, so a reader may memory-map the arrays in place), each entry with a fixed time.
     */
    static void writeNpz(Path file, Gray train, Gray test) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            entry(zip, "x_train.npy", npyPixels(train));
            entry(zip, "y_train.npy", npyLabels(train.labels));
            entry(zip, "x_test.npy", npyPixels(test));
            entry(zip, "y_test.npy", npyLabels(test.labels));
        }
    }

    private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(bytes.length);
        e.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        e.setCrc(crc.getValue());
        e.setTimeLocal(LocalDateTime.of(1980, 1, 1, 0, 0));
        zip.putNextEntry(e);
        zip.write(bytes);
        zip.closeEntry();
    }

    // ---- csv ----------------------------------------------------------------------------------------------

    /** Per species: mean and standard deviation of bill_mm, flipper_mm, mass_g. */
    private static final double[][] BLOBS = {
        {38.8, 2.7, 190, 6.5, 3700, 450},
        {48.8, 3.3, 196, 7.0, 3730, 380},
        {47.5, 3.0, 217, 6.5, 5080, 500},
    };

    /** {@code rows} rows of three Gaussian blobs, the species cycling, with a header. */
    static void writeCsv(Path file, int rows, Rng rng) throws IOException {
        StringBuilder s = new StringBuilder("bill_mm,flipper_mm,mass_g,species\n");
        for (int i = 0; i < rows; i++) {
            int c = (int) ((rng.next() >>> 1) % SPECIES.length);
            double[] m = BLOBS[c];
            s.append(String.format(Locale.ROOT, "%.1f,%.0f,%.0f,%s\n", m[0] + m[1] * rng.gaussian(),
                    m[2] + m[3] * rng.gaussian(), m[4] + m[5] * rng.gaussian(), SPECIES[c]));
        }
        Files.writeString(file, s.toString(), StandardCharsets.UTF_8);
    }

    // ---- image folder -------------------------------------------------------------------------------------

    /**
     * {@code perClass} 36 x 36 RGB images per shape class under {@code root/<class>/NNN.ext}: a random dark
     * background, the shape in a random bright colour, per-channel noise. Every fifth image is JPEG (quality as
     * ImageIO's default), every seventh BMP, the rest PNG.
     */
    static void writeImages(Path root, int perClass, Rng rng) throws IOException {
        float[] mask = new float[COLOR_SIDE * COLOR_SIDE];
        for (int cls = 0; cls < SHAPES.length; cls++) {
            Path dir = Files.createDirectories(root.resolve(SHAPES[cls]));
            for (int i = 0; i < perClass; i++) {
                drawShape(cls, COLOR_SIDE, rng, mask);
                int[] bg = {(int) (90 * rng.uniform()), (int) (90 * rng.uniform()), (int) (90 * rng.uniform())};
                int[] fg = {150 + (int) (105 * rng.uniform()), 150 + (int) (105 * rng.uniform()),
                    150 + (int) (105 * rng.uniform())};
                BufferedImage img = new BufferedImage(COLOR_SIDE, COLOR_SIDE, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < COLOR_SIDE; y++) {
                    for (int x = 0; x < COLOR_SIDE; x++) {
                        float in = mask[y * COLOR_SIDE + x];
                        int rgb = 0;
                        for (int ch = 0; ch < 3; ch++) {
                            int v = clamp(in * fg[ch] + (1 - in) * bg[ch] + 12 * rng.gaussian());
                            rgb = rgb << 8 | v;
                        }
                        img.setRGB(x, y, rgb);
                    }
                }
                String format = i % 5 == 3 ? "jpg" : i % 7 == 5 ? "bmp" : "png";
                Path file = dir.resolve(String.format(Locale.ROOT, "%03d.%s", i, format));
                if (!ImageIO.write(img, format.equals("jpg") ? "jpeg" : format, file.toFile())) {
                    throw new IOException("no ImageIO writer for " + format);
                }
            }
        }
    }

    // ---- checksums ----------------------------------------------------------------------------------------

    /** Writes {@code SHA256SUMS} (sha256sum's format, paths in sorted order); returns the bytes of all files. */
    static long checksums(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).forEach(files::add);
        }
        List<String> names = files.stream().map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted()
                .toList();
        StringBuilder sums = new StringBuilder();
        long bytes = 0;
        for (String name : names) {
            byte[] content = Files.readAllBytes(dir.resolve(name));
            bytes += content.length;
            sums.append(sha256(content)).append("  ").append(name).append('\n');
        }
        Files.writeString(dir.resolve("SHA256SUMS"), sums.toString(), StandardCharsets.UTF_8);
        return bytes;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- randomness ---------------------------------------------------------------------------------------

    /** SplitMix64 (Steele, Lea, Flood 2014): a fixed, documented sequence for a seed on every JVM. */
    static final class Rng {
        private long state;
        private double spare = Double.NaN;

        Rng(long seed) {
            state = seed;
        }

        long next() {
            long z = state += 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        /** Uniform in [0, 1) from the top 53 bits. */
        double uniform() {
            return (next() >>> 11) * 0x1.0p-53;
        }

        /** Standard normal by Box-Muller with {@link StrictMath}, two values per pair of draws. */
        double gaussian() {
            if (!Double.isNaN(spare)) {
                double g = spare;
                spare = Double.NaN;
                return g;
            }
            double u1 = 1 - uniform();
            double u2 = uniform();
            double r = StrictMath.sqrt(-2 * StrictMath.log(u1));
            spare = r * StrictMath.sin(2 * Math.PI * u2);
            return r * StrictMath.cos(2 * Math.PI * u2);
        }
    }
}
