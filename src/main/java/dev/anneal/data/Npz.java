package dev.anneal.data;

import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reader of NumPy's {@code .npz} archives ({@code numpy.savez}, {@code numpy.savez_compressed}): a zip file whose
 * entries {@code NAME.npy} are {@code .npy} files (stored or deflated, zip64 allowed), the array {@code NAME}.
 * {@link #read} reads an entry into the heap (at most 2 GiB, its CRC checked) and parses it with {@link Npy};
 * {@link #map} memory-maps a <em>stored</em> entry ({@code numpy.savez}) in place, at its offset inside the
 * archive ({@link ZipDirectory}), in row-aligned chunks of any total size, as {@link Npy#map} maps a file; a
 * deflated entry ({@code numpy.savez_compressed}) cannot be mapped. Messages name an entry as {@code FILE[NAME]}.
 */
public final class Npz implements AutoCloseable {
    private final Path file;
    private final ZipFile zip;
    private ZipDirectory directory;

    private Npz(Path file, ZipFile zip) {
        this.file = file;
        this.zip = zip;
    }

    /** Opens {@code file}; a missing, unreadable or non-zip file is a {@link BadInput}. */
    public static Npz open(Path file) {
        if (Files.isDirectory(file)) {
            throw new BadInput(file + " is a directory, not an .npz file; for a directory of .npy files set "
                    + "data.dataset: npy");
        }
        try {
            return new Npz(file, new ZipFile(file.toFile()));
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new BadInput(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new BadInput(file + ": permission denied");
        } catch (ZipException e) {
            throw new BadInput(file + " is not an .npz file (not a readable zip archive: " + e.getMessage()
                    + "); save the arrays with numpy.savez");
        } catch (IOException e) {
            throw new BadInput("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Whether the archive holds array {@code name}. */
    public boolean has(String name) {
        return zip.getEntry(name + ".npy") != null;
    }

    /** The array names the archive holds, in archive order. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        zip.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".npy"))
                .forEach(n -> names.add(n.substring(0, n.length() - 4)));
        return names;
    }

    /** Array {@code name}; absent is a {@link BadInput} listing what the archive holds. */
    public NpyArray read(String name) {
        ZipEntry entry = entry(name);
        String source = file + "[" + name + "]";
        if (entry.getSize() > Integer.MAX_VALUE - 8) {
            throw new BadInput(source + ": " + entry.getSize() + " bytes; .npz entries of more than 2 GiB are "
                    + (stored(name) ? "memory-mapped only as training features (data.memory_map)"
                    : "not read when compressed: save the arrays with numpy.savez (uncompressed) or use "
                    + "data.dataset: npy with separate files"));
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readAllBytes();
            return Npy.parse(ByteBuffer.wrap(bytes), source);
        } catch (ZipException | java.io.EOFException e) {
            throw new BadInput(source + " is corrupt or truncated (" + e.getMessage() + "); save the .npz again");
        } catch (IOException e) {
            throw new BadInput("cannot read " + source + ": " + e.getMessage());
        }
    }

    /**
     * Array {@code name} to read from: in memory ({@link #read}, its CRC checked) when it holds at most 2 GiB, else
     * memory-mapped when it is stored; a larger compressed entry is refused, naming the fix.
     */
    public NpyRows rows(String name) {
        ZipEntry entry = entry(name);
        return entry.getSize() > Integer.MAX_VALUE - 8 && stored(name) ? map(name) : NpyRows.of(read(name));
    }

    /** Whether array {@code name} is stored uncompressed where {@link #map} can map it. */
    public boolean stored(String name) {
        entry(name);
        return located(name) != null;
    }

    /**
     * The header of array {@code name} (its dtype, shape and data size), read without its data: from the file
     * for a stored entry, else from the first bytes of the inflated entry.
     */
    Npy.Layout layout(String name) {
        ZipEntry entry = entry(name);
        String source = file + "[" + name + "]";
        ZipDirectory.Stored at = located(name);
        try {
            if (at != null) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    return Npy.layout(ch, at.offset(), at.size(), source);
                }
            }
            try (InputStream in = zip.getInputStream(entry)) {
                byte[] preamble = in.readNBytes(12);
                ByteBuffer b = ByteBuffer.wrap(preamble).order(ByteOrder.LITTLE_ENDIAN);
                long headerEnd = preamble.length;
                if (preamble.length == 12 && b.getInt(0) == 0x4d554e93 && preamble[7] == 0) {
                    int major = preamble[6] & 0xff;
                    long length = major == 1 ? b.getShort(8) & 0xffffL : b.getInt(8) & 0xffffffffL;
                    headerEnd = Math.min(entry.getSize() < 0 ? Long.MAX_VALUE : entry.getSize(),
                            (major == 1 ? 10 : 12) + length);
                }
                if (headerEnd > 1 << 24) {
                    throw new BadInput(source + ": its .npy header is " + headerEnd + " bytes long; not a "
                            + "well-formed .npy file");
                }
                byte[] head = new byte[(int) headerEnd];
                System.arraycopy(preamble, 0, head, 0, preamble.length);
                int got = preamble.length + in.readNBytes(head, preamble.length, head.length - preamble.length);
                ByteBuffer h = ByteBuffer.wrap(head, 0, got).slice().order(ByteOrder.LITTLE_ENDIAN);
                return Npy.layout(h, entry.getSize() < 0 ? got : entry.getSize(), source);
            }
        } catch (ZipException | java.io.EOFException e) {
            throw new BadInput(source + " is corrupt or truncated (" + e.getMessage() + "); save the .npz again");
        } catch (IOException e) {
            throw new BadInput("cannot read " + source + ": " + e.getMessage());
        }
    }

    /**
     * Array {@code name}, memory-mapped in place: only a stored entry ({@link #stored}) can be; the caller says
     * why otherwise.
     *
     * @throws IllegalStateException when the entry is not stored
     */
    public NpyRows map(String name) {
        return map(name, NpyRows.MAX_CHUNK);
    }

    /** {@link #map(String)} in chunks of at most {@code maxChunkBytes}, for tests. */
    NpyRows map(String name, long maxChunkBytes) {
        entry(name);
        ZipDirectory.Stored at = located(name);
        if (at == null) {
            throw new IllegalStateException(file + "[" + name + "] is not a stored entry");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return Npy.map(ch, at.offset(), at.size(), file + "[" + name + "]", maxChunkBytes);
        } catch (IOException e) {
            throw new BadInput("cannot read " + file + "[" + name + "]: " + e.getMessage());
        }
    }

    private ZipEntry entry(String name) {
        ZipEntry entry = zip.getEntry(name + ".npy");
        if (entry == null) {
            throw new BadInput(file + " has no array " + name + " (it holds " + names() + "); save it with "
                    + "numpy.savez(f, x_train=..., y_train=..., x_test=..., y_test=...)");
        }
        return entry;
    }

    /** Where stored entry {@code name} lies, when ZipFile and the directory agree it is stored; else null. */
    private ZipDirectory.Stored located(String name) {
        ZipEntry entry = entry(name);
        if (entry.getMethod() != ZipEntry.STORED) {
            return null;
        }
        if (directory == null) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                directory = ZipDirectory.read(ch);
            } catch (IOException e) {
                throw new BadInput("cannot read " + file + ": " + e.getMessage());
            }
        }
        return directory.stored(entry.getName()).filter(s -> s.size() == entry.getSize()).orElse(null);
    }

    @Override
    public void close() {
        try {
            zip.close();
        } catch (IOException e) {
            throw new BadInput("cannot close " + file + ": " + e.getMessage());
        }
    }
}
