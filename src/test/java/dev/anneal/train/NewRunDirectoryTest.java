package dev.anneal.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NewRunDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void abandonRemovesWhatTheClaimCreatedAndNothingAbove() throws IOException {
        Files.writeString(dir.resolve("neighbour.txt"), "stays");
        NewRunDirectory claimed = NewRunDirectory.claim(dir.resolve("a/b/run"));
        assertTrue(Files.isDirectory(dir.resolve("a/b/run")));
        Files.writeString(dir.resolve("a/b/run/config.yaml"), "x");
        Files.createDirectories(dir.resolve("a/b/run/checkpoints/.step-000000001.tmp"));
        claimed.abandon();
        assertFalse(Files.exists(dir.resolve("a")));
        assertTrue(Files.exists(dir.resolve("neighbour.txt")));
    }

    @Test
    void abandonKeepsAParentThatGainedOtherContent() throws IOException {
        NewRunDirectory claimed = NewRunDirectory.claim(dir.resolve("runs/one"));
        Files.createDirectories(dir.resolve("runs/other"));
        claimed.abandon();
        assertFalse(Files.exists(dir.resolve("runs/one")));
        assertTrue(Files.isDirectory(dir.resolve("runs/other")));
    }

    @Test
    void abandonEmptiesButKeepsADirectoryThatExistedEmpty() throws IOException {
        Path run = Files.createDirectories(dir.resolve("run"));
        NewRunDirectory claimed = NewRunDirectory.claim(run);
        Files.writeString(run.resolve("config.yaml"), "x");
        claimed.abandon();
        assertTrue(Files.isDirectory(run));
        try (var files = Files.list(run)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void abandonKeepsARunThatHasACheckpoint() throws IOException {
        Path run = dir.resolve("run");
        NewRunDirectory claimed = NewRunDirectory.claim(run);
        TrainerHarness.train(TrainerHarness.config("train.epochs=1"), run);
        claimed.abandon();
        assertTrue(new Checkpoints(run, 1).latest().isPresent());
        assertTrue(Files.exists(run.resolve("config.yaml")) || Files.exists(run.resolve("metrics.jsonl")));
    }

    @Test
    void claimRefusesPathsThatCannotHoldARun() throws IOException {
        Files.writeString(dir.resolve("file"), "x");
        BadInput underFile = assertThrows(BadInput.class, () -> NewRunDirectory.claim(dir.resolve("file/run")));
        assertTrue(underFile.getMessage().contains(dir.resolve("file") + " is a file"), underFile.getMessage());
        BadInput isFile = assertThrows(BadInput.class, () -> NewRunDirectory.claim(dir.resolve("file")));
        assertTrue(isFile.getMessage().contains("exists and is not a directory"), isFile.getMessage());
        BadInput proc = assertThrows(BadInput.class, () -> NewRunDirectory.claim(Path.of("/proc/anneal/x/run")));
        assertTrue(proc.getMessage().startsWith("/proc/anneal/x/run: cannot create /proc/anneal for it"),
                proc.getMessage());
    }
}
