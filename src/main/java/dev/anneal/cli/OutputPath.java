package dev.anneal.cli;

import dev.anneal.io.AtomicFiles;
import dev.anneal.io.IoProblems;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file an option asks a command to write ({@code --plot OUT.png}, {@code --json FILE}), checked before the
 * command does any work, so that a path that cannot be written is refused in one line naming the option, the
 * path and the fix, before anything is printed or computed, and no partial file is left behind:
 * <ul>
 *   <li>an existing directory, or anything else that is not a regular file ({@code /dev/null} would be replaced);</li>
 *   <li>a path under a regular file ({@code notes.txt/x.png});</li>
 *   <li>a directory where no file can be created (read-only, {@code /proc}, permission denied): tried by creating
 *       and deleting a hidden file there, which works the same for root.</li>
 * </ul>
 * Missing parent directories are created when the file is written, as {@link AtomicFiles} does.
 */
final class OutputPath {
    private OutputPath() {
    }

    /** Refuses {@code path} (given with {@code option}) when it cannot be written; null is no output, accepted. */
    static void check(String option, Path path) {
        if (path == null) {
            return;
        }
        String shown = option + " " + path;
        if (path.getFileName() == null) {
            throw new BadInput(shown + ": names no file; give a file path such as out/schedule.png");
        }
        if (Files.isDirectory(path)) {
            throw new BadInput(shown + ": is a directory; give a file path in it, such as " + path.resolve(
                    suggestedName(option)));
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            throw new BadInput(shown + ": exists and is not a regular file; give the path of a file to write");
        }
        Path absolute = path.toAbsolutePath().normalize();
        Path dir = absolute.getParent();
        while (dir != null && !Files.exists(dir)) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new BadInput(shown + ": no directory on the path exists; give a path in an existing directory");
        }
        if (!Files.isDirectory(dir)) {
            throw new BadInput(shown + ": " + dir + " is a file, not a directory; give a path in a directory");
        }
        try {
            Path probe = Files.createTempFile(dir, ".anneal-write-check.", ".tmp");
            Files.deleteIfExists(probe);
        } catch (IOException | SecurityException e) {
            throw new BadInput(shown + ": cannot create files in " + dir + " (" + reason(e) + "); give a path in a "
                    + "writable directory");
        }
    }

    /** Writes {@code path} atomically; a failure is one line naming the option and the path. */
    static void write(String option, Path path, AtomicFiles.Writer content) {
        try {
            AtomicFiles.write(path, content);
        } catch (IOException e) {
            throw new BadInput(option + " " + path + ": cannot be written (" + IoProblems.describe(e) + "); give a "
                    + "path in a writable directory");
        }
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "it accepts no new files";
        }
        return e instanceof IOException io ? IoProblems.reason(io) : "permission denied";
    }

    private static String suggestedName(String option) {
        return option.equals("--plot") ? "schedule.png" : "bench.json";
    }
}
