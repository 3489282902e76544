package dev.anneal.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * POSIX permissions where the file system has them, and none where it does not: the attribute step is tried
 * directly and skipped when the file system refuses it ({@link UnsupportedOperationException} or an
 * {@link IOException} of that step alone). {@code Files.getFileStore} is never asked first: it fails where the
 * mount table does not describe the path (a chroot, some containers: "Mount point not found"), and a file that
 * keeps its default permissions is no reason to stop a run.
 */
public final class FilePermissions {
    /** Reading and setting permissions; tests substitute one that fails like a chroot. */
    interface Attributes {
        Set<PosixFilePermission> get(Path p) throws IOException;

        void set(Path p, Set<PosixFilePermission> perms) throws IOException;
    }

    static final Attributes POSIX = new Attributes() {
        @Override
        public Set<PosixFilePermission> get(Path p) throws IOException {
            return Files.getPosixFilePermissions(p);
        }

        @Override
        public void set(Path p, Set<PosixFilePermission> perms) throws IOException {
            Files.setPosixFilePermissions(p, perms);
        }
    };

    private FilePermissions() {
    }

    /** Sets {@code p}'s permissions to {@code perms} (e.g. {@code "rwxr-xr-x"}) where the file system allows. */
    public static void setIfSupported(Path p, String perms) {
        setIfSupported(POSIX, p, PosixFilePermissions.fromString(perms));
    }

    /**
     * Gives {@code tmp} the permissions of {@code target} when it exists and they can be read, else
     * {@code fallback}; nothing when the file system has no POSIX permissions.
     */
    static void copyOrDefault(Attributes attrs, Path tmp, Path target, String fallback) {
        Set<PosixFilePermission> perms = PosixFilePermissions.fromString(fallback);
        if (Files.exists(target)) {
            try {
                perms = attrs.get(target);
            } catch (IOException | UnsupportedOperationException e) {
                // keep the fallback
            }
        }
        setIfSupported(attrs, tmp, perms);
    }

    /** Returns whether the permissions were set. */
    static boolean setIfSupported(Attributes attrs, Path p, Set<PosixFilePermission> perms) {
        try {
            attrs.set(p, perms);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
