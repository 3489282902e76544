package dev.anneal.cli;

import static dev.anneal.cli.RunDirSnapshot.assertBadInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code anneal train --run-dir}: a path that cannot hold a run is one line and exit 2 with nothing created, and a
 * run that fails before its first checkpoint removes what it created (only that).
 */
class RunDirBadInputTest {
    @TempDir
    Path dir;

    private Path config;

    @BeforeEach
    void writeConfig() throws IOException {
        config = dir.resolve("c.yaml");
        Files.writeString(config, ResumeFixture.SYNTHETIC);
    }

    private CliRun train(Path runDir, String... sets) {
        String[] args = new String[5 + 2 * sets.length];
        args[0] = "train";
        args[1] = "--config";
        args[2] = config.toString();
        args[3] = "--run-dir";
        args[4] = runDir.toString();
        for (int i = 0; i < sets.length; i++) {
            args[5 + 2 * i] = "--set";
            args[6 + 2 * i] = sets[i];
        }
        return CliRun.of(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/proc/anneal-test-run", "/proc/self/anneal-test/run", "/proc/1/anneal/deeper/run"})
    void runDirectoryWhereNothingCanBeCreatedIsOneLine(String path) throws IOException {
        CliRun r = train(Path.of(path));
        assertBadInput(r, path + ": cannot create", "choose another --run-dir");
        assertFalse(Files.exists(Path.of(path)));
    }

    @Test
    void runDirectoryUnderARegularFileIsOneLineNamingTheFile() throws IOException {
        Path file = dir.resolve("somefile");
        Files.writeString(file, "keep");
        RunDirSnapshot before = RunDirSnapshot.of(dir);
        for (String sub : new String[] {"run", "a/b/run"}) {
            CliRun r = train(file.resolve(sub));
            assertBadInput(r, file.resolve(sub) + ": " + file + " is a file, not a directory");
        }
        assertEquals(before, RunDirSnapshot.of(dir));
    }

    @Test
    void runDirectoryThatIsAFileOrHoldsARunIsLeftAlone() throws IOException {
        Path file = dir.resolve("somefile");
        Files.writeString(file, "keep");
        Path full = dir.resolve("full");
        Files.createDirectories(full.resolve("sub"));
        Files.writeString(full.resolve("sub/precious.txt"), "keep me");
        RunDirSnapshot before = RunDirSnapshot.of(dir);
        assertBadInput(train(file), file + ": exists and is not a directory");
        assertBadInput(train(full), full + ": already holds a run; use --resume " + full);
        assertEquals(before, RunDirSnapshot.of(dir));
    }

    @Test
    void runThatFailsOnItsDataLeavesNoDirectoryBehind() throws IOException {
        Path run = dir.resolve("new/deeper/run");
        CliRun r = train(run, "data={dataset: fashion-mnist, path: " + dir.resolve("nowhere") + "}");
        assertBadInput(r, "data.path " + dir.resolve("nowhere"));
        assertFalse(Files.exists(dir.resolve("new")), "the directories the run created are removed");
    }

    @Test
    void preExistingEmptyRunDirectoryStaysAndStaysEmpty() throws IOException {
        Path run = dir.resolve("empty");
        Files.createDirectories(run);
        CliRun r = train(run, "data={dataset: fashion-mnist, path: " + dir.resolve("nowhere") + "}");
        assertEquals(2, r.status(), r.err());
        assertTrue(Files.isDirectory(run));
        try (var files = Files.list(run)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void runStoppedBeforeItsFirstCheckpointLeavesNoDirectoryBehind() throws IOException {
        Path run = dir.resolve("diverged");
        CliRun r = train(run, "optimizer.lr=1e30", "train.max_skipped_steps=1");
        assertEquals(1, r.status(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("anneal: stopped after 1 updates in a row"), r.err());
        assertFalse(Files.exists(run), "a config-only run directory cannot be resumed; it is removed");
    }

    @Test
    void runThatOverflowsTheUpdateCounterIsOneLineAndLeavesNothing() throws IOException {
        Path run = dir.resolve("long");
        CliRun r = train(run, "train.epochs=9223372036854775807");
        assertBadInput(r, "train.epochs = 9223372036854775807 x 4 updates per epoch");
        assertFalse(Files.exists(run));
    }
}
