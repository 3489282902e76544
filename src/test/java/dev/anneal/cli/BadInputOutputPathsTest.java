package dev.anneal.cli;

import static dev.anneal.cli.BadInputAssert.oneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output paths that cannot be written ({@code schedule --plot}, {@code bench --json}) are refused before any work,
 * in one line naming the option, the path and the fix; nothing is printed and no file is left behind. A read-only
 * place is {@code /proc}, where even root cannot create files.
 */
class BadInputOutputPathsTest {
    @TempDir
    Path dir;
    Path config;

    @BeforeEach
    void stepConfig() throws IOException {
        config = Files.writeString(dir.resolve("c.yaml"), "optimizer: {type: sgd, lr: 0.1}\n"
                + "schedule: {type: step, step_size: 2}\n");
    }

    private CliRun plot(Path out, String... more) {
        String[] args = Stream.concat(Stream.of("schedule", "--config", config.toString(), "--steps", "5", "--plot",
                out.toString()), Stream.of(more)).toArray(String[]::new);
        return CliRun.of(args);
    }

    private long filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void plotUnderProcIsRefusedEvenForRoot() {
        assumeTrue(Files.isDirectory(Path.of("/proc")), "needs Linux /proc");
        oneLine(plot(Path.of("/proc/anneal-test.png")), "--plot /proc/anneal-test.png: cannot create files in /proc",
                "give a path in a writable directory");
        assertFalse(Files.exists(Path.of("/proc/anneal-test.png")));
    }

    @Test
    void plotUnderARegularFileIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");
        oneLine(plot(file.resolve("x.png")), "--plot " + file.resolve("x.png") + ": " + file + " is a file, not a "
                + "directory");
        assertEquals("x", Files.readString(file));
    }

    @Test
    void plotDeepUnderARegularFileIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");
        oneLine(plot(file.resolve("a/b/x.png")), file + " is a file, not a directory");
    }

    @Test
    void plotPathThatIsADirectoryIsRefusedWithAFileNameSuggested() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("plots"));
        oneLine(plot(sub), "--plot " + sub + ": is a directory; give a file path in it, such as "
                + sub.resolve("schedule.png"));
        assertEquals(0, filesIn(sub), "nothing written into it");
    }

    @Test
    void plotOverADeviceFileIsRefused() {
        assumeTrue(Files.exists(Path.of("/dev/null")), "needs /dev/null");
        oneLine(plot(Path.of("/dev/null")), "--plot /dev/null: exists and is not a regular file");
    }

    @Test
    void momentumPlotIsCheckedBeforeTheRatePlotIsWritten() throws IOException {
        Path c = Files.writeString(dir.resolve("cyc.yaml"), "optimizer: {type: sgd, lr: 0.1, momentum: 0.9}\n"
                + "schedule: {type: one_cycle, max_lr: 1.0, total_steps: 10}\n");
        Path blocker = Files.createDirectory(dir.resolve("out-momentum.png"));
        CliRun r = CliRun.of("schedule", "--config", c.toString(), "--steps", "5", "--with-momentum", "--plot",
                dir.resolve("out.png").toString());
        oneLine(r, "--plot " + blocker + ": is a directory");
        assertFalse(Files.exists(dir.resolve("out.png")), "no partial output");
    }

    @Test
    void benchKernelsJsonUnderProcIsRefusedBeforeTiming() {
        assumeTrue(Files.isDirectory(Path.of("/proc")), "needs Linux /proc");
        oneLine(CliRun.of("bench", "kernels", "--device", "cpu", "--json", "/proc/anneal-bench.json"),
                "--json /proc/anneal-bench.json: cannot create files in /proc");
    }

    @Test
    void benchStepJsonUnderARegularFileIsRefusedBeforeTiming() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");
        oneLine(CliRun.of("bench", "step", "--config", config.toString(), "--device", "cpu", "--json",
                file.resolve("step.json").toString()), file + " is a file, not a directory");
    }

    @Test
    void benchJsonThatIsADirectoryIsRefused() {
        oneLine(CliRun.of("bench", "step", "--config", config.toString(), "--json", dir.toString()),
                "--json " + dir + ": is a directory; give a file path in it");
    }

    @Test
    void aGoodPlotPathStillWorksAndCreatesItsDirectory() {
        Path out = dir.resolve("new/sub/lr.png");
        CliRun r = plot(out);
        assertEquals(0, r.status(), r.err());
        assertEquals(true, Files.isRegularFile(out));
    }
}
