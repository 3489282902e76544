package dev.anneal.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * An {@link IOException} as one line for the user: the file it concerns and what went wrong, with no class names
 * or stack, e.g. {@code runs/x/config.yaml: permission denied}.
 */
public final class IoProblems {
    private IoProblems() {
    }

    /** One line naming the file (where the exception knows it) and the reason. */
    public static String describe(IOException e) {
        if (e instanceof JsonProcessingException j) {
            return firstLine(j.getOriginalMessage());
        }
        if (e instanceof FileSystemException f) {
            String file = f.getFile() == null ? "" : f.getFile() + (f.getOtherFile() == null ? "" : " -> "
                    + f.getOtherFile()) + ": ";
            return file + reason(f);
        }
        return firstLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    /** What went wrong, without the file: {@code permission denied}, {@code read-only file system}. */
    public static String reason(IOException e) {
        return e instanceof FileSystemException f ? reason(f) : describe(e);
    }

    private static String reason(FileSystemException f) {
        if (f instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (f instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (f instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (f instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (f instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        String r = f.getReason();
        return r == null ? "cannot be written or read" : firstLine(r).toLowerCase(java.util.Locale.ROOT);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "input/output error";
        }
        String line = s.strip().split("\\R", 2)[0];
        return line.isEmpty() ? "input/output error" : line;
    }
}
