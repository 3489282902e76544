package dev.anneal.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a file system refuses the permission step (a chroot whose mount table does not describe the path:
 * "Mount point not found"; a file system without POSIX permissions), files are still written.
 */
class FilePermissionsTest {
    @TempDir
    Path dir;

    /** Fails like {@code Files.getFileStore} in a chroot. */
    private static final FilePermissions.Attributes CHROOT = new FilePermissions.Attributes() {
        @Override
        public Set<PosixFilePermission> get(Path p) throws IOException {
            throw new IOException("Mount point not found");
        }

        @Override
        public void set(Path p, Set<PosixFilePermission> perms) throws IOException {
            throw new IOException("Mount point not found");
        }
    };

    /** A file system without POSIX attributes. */
    private static final FilePermissions.Attributes NO_POSIX = new FilePermissions.Attributes() {
        @Override
        public Set<PosixFilePermission> get(Path p) {
            throw new UnsupportedOperationException("posix");
        }

        @Override
        public void set(Path p, Set<PosixFilePermission> perms) {
            throw new UnsupportedOperationException("posix");
        }
    };

    @Test
    void atomicWriteGoesOnWhenThePermissionStepFails() throws IOException {
        for (FilePermissions.Attributes attrs : new FilePermissions.Attributes[] {CHROOT, NO_POSIX}) {
            Path f = dir.resolve("out.txt");
            AtomicFiles.write(f, out -> out.write("first".getBytes()), attrs);
            AtomicFiles.write(f, out -> out.write("second".getBytes()), attrs);
            assertEquals("second", Files.readString(f));
            try (var files = Files.list(dir)) {
                assertEquals(1, files.count(), "no temporary file left");
            }
        }
    }

    @Test
    void setIfSupportedReportsWhetherItSetAnything() throws IOException {
        Path f = Files.writeString(dir.resolve("f"), "x");
        Set<PosixFilePermission> perms = Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertFalse(FilePermissions.setIfSupported(CHROOT, f, perms));
        assertFalse(FilePermissions.setIfSupported(NO_POSIX, f, perms));
        assertEquals(true, FilePermissions.setIfSupported(FilePermissions.POSIX, f, perms));
        assertEquals(perms, Files.getPosixFilePermissions(f));
    }

    @Test
    void ioProblemsAreOneLineNamingTheFile() {
        assertEquals("runs/x/config.yaml: no such file or directory",
                IoProblems.describe(new NoSuchFileException("runs/x/config.yaml")));
        assertEquals("/proc/run: read-only file system",
                IoProblems.describe(new FileSystemException("/proc/run", null, "Read-only file system")));
        assertEquals("disk on fire", IoProblems.describe(new IOException("disk on fire\n\tat somewhere")));
    }
}
