package dev.anneal.tune;

import dev.anneal.io.IoProblems;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The output directory of a command that writes several files at once ({@code anneal lr-find --out DIR}),
 * created atomically: it must be absent or an empty directory (a non-empty one is refused, as {@code anneal train}
 * refuses a run directory); the files are written into a hidden staging directory beside it, claimed before any
 * work (which also proves the place writable), and renamed into place in one step when complete, so {@code DIR}
 * appears whole or not at all. {@link #abandon} removes the staging directory.
 */
public final class OutputDirectory {
    private final String option;
    private final Path target;
    private final Path staging;

    private OutputDirectory(String option, Path target, Path staging) {
        this.option = option;
        this.target = target;
        this.staging = staging;
    }

    /** Checks {@code dir} (given with {@code option}) and claims its staging directory; one line when it cannot. */
    public static OutputDirectory claim(String option, Path dir) {
        String shown = option + " " + dir;
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new BadInput(shown + ": is not empty; give a new or empty directory");
                }
            } catch (IOException e) {
                throw new BadInput(shown + ": cannot be listed (" + IoProblems.describe(e) + "); give another");
            }
        } else if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadInput(shown + ": exists and is not a directory; give a new or empty directory");
        }
        Path absolute = dir.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        if (parent == null) {
            throw new BadInput(shown + ": names no directory that can be created; give a path such as runs/lr-find");
        }
        try {
            Files.createDirectories(parent);
            Path staging = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".tmp-");
            return new OutputDirectory(option, absolute, staging);
        } catch (IOException | SecurityException e) {
            String why = e instanceof IOException io ? IoProblems.reason(io) : "permission denied";
            throw new BadInput(shown + ": cannot create a directory in " + parent + " (" + why + "); give a path in "
                    + "a writable directory");
        }
    }

    /** Where to write the files until {@link #commit}. */
    public Path staging() {
        return staging;
    }

    public Path target() {
        return target;
    }

    /** Renames the staging directory to the target (replacing it when it is an empty directory). */
    public void commit() {
        try {
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staging, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            abandon();
            throw new BadInput(option + " " + target + ": cannot be created (" + IoProblems.describe(e) + ")");
        }
    }

    /** Removes the staging directory and what is in it (best effort). */
    public void abandon() {
        if (!Files.exists(staging)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(staging)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // leave what could not be removed
        }
    }
}
