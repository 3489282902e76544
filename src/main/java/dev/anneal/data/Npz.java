package dev.anneal.data;

import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reader of NumPy's {@code .npz} archives ({@code numpy.savez}, {@code numpy.savez_compressed}): a zip file whose
 * entries {@code NAME.npy} are {@code .npy} files (stored or deflated, zip64 allowed), the array {@code NAME}.
 * An entry is read into the heap (at most 2 GiB) and parsed by {@link Npy}; messages name it as
 * {@code FILE[NAME]}.
 */
public final class Npz implements AutoCloseable {
    private final Path file;
    private final ZipFile zip;

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
        ZipEntry entry = zip.getEntry(name + ".npy");
        String source = file + "[" + name + "]";
        if (entry == null) {
            throw new BadInput(file + " has no array " + name + " (it holds " + names() + "); save it with "
                    + "numpy.savez(f, x_train=..., y_train=..., x_test=..., y_test=...)");
        }
        if (entry.getSize() > Integer.MAX_VALUE - 8) {
            throw new BadInput(source + ": " + entry.getSize() + " bytes; .npz entries of more than 2 GiB are not "
                    + "read: use data.dataset: npy with separate files");
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

    @Override
    public void close() {
        try {
            zip.close();
        } catch (IOException e) {
            throw new BadInput("cannot close " + file + ": " + e.getMessage());
        }
    }
}
