package dev.anneal.train;

import dev.anneal.io.IoProblems;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/**
 * The directory of a new run, claimed before anything is read or computed: it must be absent or an empty
 * directory, under a directory (not a file) where directories can be created. What the claim creates (the
 * directory and any missing parents) is remembered, so that a run that fails before its first checkpoint can
 * {@link #abandon} it: remove what the run wrote and the directories it created, and nothing else (a directory
 * that existed empty before stays, empty).
 */
public final class NewRunDirectory {
    private final Path dir;
    private final List<Path> created;

    private NewRunDirectory(Path dir, List<Path> created) {
        this.dir = dir;
        this.created = created;
    }

    public Path path() {
        return dir;
    }

    /** Checks {@code dir} and creates it (with missing parents); a path that cannot hold a run is a {@link BadInput}. */
    public static NewRunDirectory claim(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new BadInput(dir + ": already holds a run; use --resume " + dir + " to continue it or "
                            + "another --run-dir");
                }
            } catch (IOException e) {
                throw new BadInput(dir + ": cannot be listed (" + IoProblems.describe(e) + "); choose another "
                        + "--run-dir");
            }
            return new NewRunDirectory(dir, List.of());
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadInput(dir + ": exists and is not a directory; choose another --run-dir");
        }
        List<Path> missing = new ArrayList<>();
        Path p = dir;
        while (p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            missing.add(0, p);
            p = p.getParent();
        }
        if (p != null && !Files.isDirectory(p)) {
            throw new BadInput(dir + ": " + p + " is a file, not a directory, so the run directory cannot be made "
                    + "under it; choose another --run-dir");
        }
        List<Path> created = new ArrayList<>();
        for (Path m : missing) {
            try {
                Files.createDirectory(m);
                created.add(m);
            } catch (IOException e) {
                removeEmpty(reversed(created));
                throw new BadInput(dir + ": cannot create " + (m.equals(dir) ? "the run directory" : m + " for it")
                        + ": " + IoProblems.reason(e) + "; choose another --run-dir");
            }
        }
        return new NewRunDirectory(dir, created);
    }

    /**
     * Undoes the claim of a run that failed before its first checkpoint: removes everything in the directory (it
     * was empty when claimed) and the directories the claim created. A run that has a checkpoint is kept, to be
     * resumed. Best effort: a failure here must not hide the run's own error.
     */
    public void abandon() {
        try {
            if (new Checkpoints(dir, 1).latest().isPresent()) {
                return;
            }
            if (Files.isDirectory(dir)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    for (Path child : ds) {
                        deleteTree(child);
                    }
                }
            }
            removeEmpty(reversed(created));
        } catch (IOException | RuntimeException e) {
            // leave what could not be removed
        }
    }

    private static List<Path> reversed(List<Path> dirs) {
        List<Path> r = new ArrayList<>(dirs);
        Collections.reverse(r);
        return r;
    }

    /** Removes each directory in turn while they are empty (deepest first). */
    private static void removeEmpty(List<Path> dirs) {
        for (Path d : dirs) {
            try {
                Files.deleteIfExists(d);
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                for (Path c : ds) {
                    deleteTree(c);
                }
            }
        }
        Files.deleteIfExists(p);
    }
}
