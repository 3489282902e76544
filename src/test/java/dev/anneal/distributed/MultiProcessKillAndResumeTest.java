package dev.anneal.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.cli.Main;
import dev.anneal.train.SavedCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash of one process of a two-process job: rank 1's JVM is killed with SIGKILL while the job trains and
 * rank 0 writes a checkpoint every few updates. Open MPI then ends the whole job (with its defaults within 1-3 s),
 * leaving no process behind and, in the run directory, only complete checkpoints (each is written into a hidden
 * directory and renamed into place). {@code mpirun -np 2 anneal train --resume DIR} then ends with exactly the
 * bytes of an uninterrupted two-process run: the final checkpoint's files, the weights and optimizer state of
 * the other kept checkpoints (whose {@code trainer.json}, written inside an epoch, also records that epoch's
 * training time so far) and {@code metrics.jsonl} but the throughput, and, as a cross-check, those of one process with {@code devices: 2}. The model has batch norm and
 * dropout, so the running statistics, the forward-pass counter and the dropout streams must all resume exactly.
 * Linux only (rank 1 is found through {@code /proc/PID/environ}); skipped without Open MPI
 * ({@link MpiRun#shimOrSkip}).
 */
class MultiProcessKillAndResumeTest {
    /** Two replicas of 16 samples a step: 64 updates per epoch, 256 in all, a checkpoint every 4. */
    private static final String CONFIG = """
            optimizer: {type: adamw, lr: 0.003}
            schedule: {type: cosine, t_max: 256, warmup: {steps: 10}}
            model:
              type: sequential
              layers:
                - {type: linear, out_features: 64}
                - {type: batch_norm1d}
                - {type: relu}
                - {type: dropout, p: 0.1}
                - {type: linear}
            data: {dataset: synthetic, train_samples: 2048, test_samples: 128, features: 32, classes: 4, batch_size: 16}
            train: {epochs: 4, seed: 11, checkpoint_every: 4, keep_checkpoints: 3}
            device: cpu
            """;

    /** Kill once a checkpoint at least this far into the run exists (of 256 updates: in the second epoch). */
    private static final long KILL_AFTER_UPDATES = 96;

    @TempDir
    Path dir;

    @Test
    void rankKilledMidRunEndsTheJobAndTheResumedRunEndsWithTheUninterruptedBytes() throws Exception {
        Path shim = MpiRun.shimOrSkip();
        Path config = Files.writeString(dir.resolve("job.yaml"), CONFIG);
        Path killed = dir.resolve("killed");
        try (MpiRun job = MpiRun.startMain(shim, 2, Main.class.getName(), "train", "--config", config.toString(),
                "--run-dir", killed.toString(), "--set", "devices=1")) {
            long atCheckpoint = awaitCheckpoint(job, killed.resolve("checkpoints"), KILL_AFTER_UPDATES, 90);
            Map<Integer, ProcessHandle> ranks = job.rankProcesses(2, 10);
            List<ProcessHandle> tree = job.processes();
            long killedAt = System.nanoTime();
            assertTrue(ranks.get(1).destroyForcibly(), "SIGKILL to rank 1 (pid " + ranks.get(1).pid() + ")");
            int status = job.waitFor(60);
            double seconds = (job.exitNanos() - killedAt) * 1e-9;
            System.out.printf(Locale.ROOT, "MultiProcessKillAndResumeTest: rank 1 (pid %d) killed with SIGKILL once "
                    + "checkpoint step %d existed; mpirun exited with %d %.2f s later%n", ranks.get(1).pid(),
                    atCheckpoint, status, seconds);
            assertNotEquals(0, status, "the job must fail when a rank dies\n" + job.output());
            assertTrue(seconds < 10, "the job ended " + seconds + " s after rank 1 was killed (Open MPI's default "
                    + "is 1-3 s)\n" + job.output());
            for (ProcessHandle p : tree) {
                p.onExit().get(10, TimeUnit.SECONDS);
                assertFalse(p.isAlive(), "process " + p.pid() + " of the job is still running");
            }
            assertFalse(job.output().contains("anneal: done:"), "the job was killed before its end:\n"
                    + job.output());
        }
        List<Path> left = files(killed.resolve("checkpoints"));
        List<Path> visible = left.stream().filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        assertFalse(visible.isEmpty(), "checkpoints before the kill: " + left);
        for (Path step : visible) {
            assertTrue(step.getFileName().toString().matches("step-\\d{9}"), "unexpected entry " + step);
            assertEquals(List.of("model.safetensors", "optimizer.safetensors", "trainer.json"), names(files(step)),
                    step + " is incomplete");
            SavedCheckpoint.read(step); // every file well-formed and belonging together, or a BadInput
        }
        System.out.println("MultiProcessKillAndResumeTest: checkpoints left by the kill: " + names(left));

        try (MpiRun job = MpiRun.startMain(shim, 2, Main.class.getName(), "train", "--resume", killed.toString())) {
            assertEquals(0, job.waitFor(120), job.output());
            assertEquals(1, job.lines("anneal: done:").size(), job.output());
        }
        Path whole = dir.resolve("whole");
        try (MpiRun job = MpiRun.startMain(shim, 2, Main.class.getName(), "train", "--config", config.toString(),
                "--run-dir", whole.toString(), "--set", "devices=1")) {
            assertEquals(0, job.waitFor(120), job.output());
            // 2,500 parameters: 10,000 bytes each way between the two ranks per update.
            List<String> sums = job.lines("anneal: gradient sums (ordered chain over 2 processes, 256 updates)");
            assertEquals(1, sums.size(), job.output());
            assertTrue(sums.get(0).endsWith("MB sent/received per update: rank 0 0.010/0.010, rank 1 0.010/0.010"),
                    sums.get(0));
            System.out.println("MultiProcessKillAndResumeTest: " + sums.get(0));
        }
        Path alone = dir.resolve("alone");
        trainInProcess(config, alone, 2);

        List<Path> wholeCheckpoints = files(whole.resolve("checkpoints"));
        assertEquals(3, wholeCheckpoints.size(), "keep_checkpoints: 3, ending at the last update: "
                + names(wholeCheckpoints));
        assertEquals("step-000000256", wholeCheckpoints.get(2).getFileName().toString());
        assertEquals(names(wholeCheckpoints), names(files(killed.resolve("checkpoints"))),
                "the resumed run keeps the same checkpoints, and no temporary directory is left");
        assertEquals(names(wholeCheckpoints), names(files(alone.resolve("checkpoints"))));
        Path last = wholeCheckpoints.get(wholeCheckpoints.size() - 1);
        for (Path step : wholeCheckpoints) {
            for (Path file : files(step)) {
                for (Path run : List.of(killed, alone)) {
                    Path other = run.resolve("checkpoints").resolve(step.getFileName()).resolve(file.getFileName());
                    if (step.equals(last) || !file.getFileName().toString().equals("trainer.json")) {
                        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(other), other + " differs from "
                                + file);
                    } else {
                        // A checkpoint inside an epoch records the epoch's training time so far (wall clock).
                        assertEquals(withoutEpochSeconds(file), withoutEpochSeconds(other), other + " differs from "
                                + file + " beyond epochSeconds");
                    }
                }
            }
        }
        List<String> metrics = withoutThroughput(whole.resolve("metrics.jsonl"));
        assertEquals(4, metrics.size(), "one line per epoch");
        assertEquals(metrics, withoutThroughput(killed.resolve("metrics.jsonl")));
        assertEquals(metrics, withoutThroughput(alone.resolve("metrics.jsonl")));
    }

    /**
     * Waits until rank 0 has written a checkpoint of at least {@code updates} updates and returns its step; fails
     * when the job ends first.
     */
    private static long awaitCheckpoint(MpiRun job, Path checkpoints, long updates, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(checkpoints)) {
                try (Stream<Path> s = Files.list(checkpoints)) {
                    long newest = s.map(p -> p.getFileName().toString()).filter(n -> n.matches("step-\\d{9}"))
                            .mapToLong(n -> Long.parseLong(n.substring(5))).max().orElse(-1);
                    if (newest >= updates) {
                        return newest;
                    }
                }
            }
            assertTrue(job.processes().get(0).isAlive(), "the job ended before a checkpoint of " + updates
                    + " updates; output:\n" + job.output());
            Thread.sleep(2);
        }
        throw new AssertionError("no checkpoint of " + updates + " updates within " + seconds + " s; output:\n"
                + job.output());
    }

    private static void trainInProcess(Path config, Path runDir, int devices) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.execute(new PrintWriter(out), new PrintWriter(err), "train", "--config", config.toString(),
                "--run-dir", runDir.toString(), "--set", "devices=" + devices);
        assertEquals(0, status, err.toString());
    }

    private static List<String> withoutThroughput(Path metrics) throws IOException {
        return Files.readAllLines(metrics).stream()
                .map(l -> l.replaceAll("\"samples_per_second\":[0-9.eE+-]+", "")).toList();
    }

    private static String withoutEpochSeconds(Path trainerJson) throws IOException {
        String json = Files.readString(trainerJson);
        String stripped = json.replaceAll("\"epochSeconds\"\\s*:\\s*[0-9.eE+-]+", "");
        assertNotEquals(json, stripped, trainerJson + " has no epochSeconds");
        return stripped;
    }

    private static List<String> names(List<Path> paths) {
        return paths.stream().map(p -> p.getFileName().toString()).toList();
    }

    private static List<Path> files(Path directory) throws IOException {
        try (Stream<Path> s = Files.list(directory)) {
            return s.sorted().toList();
        }
    }
}
