package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every file and directory under a root with its bytes and modification time, to prove that a refused command
 * changed nothing on disk; and the one-line, exit-2 shape every bad-input answer must have.
 */
record RunDirSnapshot(Map<String, String> entries) {
    static RunDirSnapshot of(Path root) {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(root)) {
            return new RunDirSnapshot(out);
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String rel = root.relativize(p).toString();
                String time = Files.getLastModifiedTime(p).toString();
                out.put(rel, Files.isDirectory(p) ? "dir " + time
                        : Arrays.hashCode(Files.readAllBytes(p)) + " " + Files.size(p) + " " + time);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RunDirSnapshot(out);
    }

    /** The command exited 2 with one stderr line starting {@code anneal: } that contains {@code names}. */
    static void assertBadInput(CliRun r, String... names) {
        assertEquals(2, r.status(), "exit status; stderr: " + r.err() + " stdout: " + r.out());
        assertEquals(1, r.err().lines().count(), "one line on stderr: " + r.err());
        assertTrue(r.err().startsWith("anneal: "), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
        for (String n : names) {
            assertTrue(r.err().contains(n), "names " + n + ": " + r.err());
        }
    }
}
