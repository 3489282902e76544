package dev.anneal.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code mpirun -np W anneal train} with {@code devices: L} per rank against one process with {@code devices: W x L}
 * on the CPU: every checkpoint file (weights, optimizer state, trainer state) has the same bytes and
 * {@code metrics.jsonl} the same values but the throughput, because the ranks shard each global micro-batch by
 * global replica index, draw dropout masks from the global replica's streams, sum the gradients in global replica
 * order ({@link OrderedSum}) and add the step losses in that order. The model has batch norm (replica 0's running
 * statistics are the model's) and dropout, the run accumulates two micro-batches and ends each epoch with a short
 * step whose shards are uneven. Then what a multi-process run does differently: only rank 0 writes, the progress
 * is printed once, and an error on one rank ends the job at once with one line naming the rank and host.
 * Skipped without Open MPI ({@link MpiRun#shimOrSkip}); CI installs it.
 */
class MultiProcessTrainingTest {
    private static final String CONFIG = """
            optimizer: {type: adamw, lr: 0.005}
            schedule: {type: cosine, t_max: 40, warmup: {steps: 3}}
            model:
              type: sequential
              layers:
                - {type: linear, out_features: 16}
                - {type: batch_norm1d}
                - {type: relu}
                - {type: dropout, p: 0.2}
                - {type: linear}
            data: {dataset: synthetic, train_samples: 300, test_samples: 64, features: 17, classes: 3, batch_size: 8}
            train: {epochs: 2, seed: 4, accumulation_steps: 2, check_replicas_every: 5}
            device: cpu
            """;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} processes x {1} replicas = one process of {0}x{1}")
    @CsvSource({"2, 1", "3, 1", "2, 2"})
    void processesGiveTheBitsOfOneProcessWithAsManyReplicas(int ranks, int local) throws Exception {
        Path shim = MpiRun.shimOrSkip();
        Path config = Files.writeString(dir.resolve("job.yaml"), CONFIG);
        Path alone = dir.resolve("alone");
        String out = trainInProcess(config, alone, ranks * local);
        Path spread = dir.resolve("spread");
        try (MpiRun job = MpiRun.startMain(shim, ranks, Main.class.getName(), "train", "--config", config.toString(),
                "--run-dir", spread.toString(), "--set", "devices=" + local)) {
            assertEquals(0, job.waitFor(120), job.output());
            List<String> done = job.lines("anneal: done:");
            assertEquals(1, done.size(), "rank 0 alone reports: " + job.output());
            assertTrue(job.output().contains(ranks * local + " replicas (" + local + " in each of " + ranks
                    + " processes), gradients summed by an ordered chain"), job.output());
            assertEquals(lastLine(out, "anneal: done:").replace(alone.toString(), spread.toString()), done.get(0));
        }
        List<Path> checkpoints = files(alone.resolve("checkpoints"));
        assertEquals(2, checkpoints.size(), "one checkpoint per epoch, both kept: " + checkpoints);
        assertEquals(names(checkpoints), names(files(spread.resolve("checkpoints"))));
        for (Path step : checkpoints) {
            for (Path file : files(step)) {
                Path other = spread.resolve("checkpoints").resolve(step.getFileName()).resolve(file.getFileName());
                assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(other), other + " differs from " + file);
            }
        }
        assertEquals(withoutThroughput(alone.resolve("metrics.jsonl")), withoutThroughput(spread.resolve(
                "metrics.jsonl")));
    }

    @Test
    void anErrorOnOneRankEndsTheJobWithOneLineNamingIt() throws Exception {
        Path shim = MpiRun.shimOrSkip();
        Path config = Files.writeString(dir.resolve("job.yaml"), CONFIG);
        Path taken = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(taken.resolve("keep.txt"), "an earlier run");
        long start = System.nanoTime();
        try (MpiRun job = MpiRun.startMain(shim, 2, Main.class.getName(), "train", "--config", config.toString(),
                "--run-dir", taken.toString())) {
            int status = job.waitFor(60);
            double seconds = (System.nanoTime() - start) * 1e-9;
            assertEquals(2, status, "rank 0 cannot claim the run directory: bad input, exit 2\n" + job.output());
            List<String> lines = job.lines("anneal: rank 0 of 2 (host ");
            assertEquals(1, lines.size(), job.output());
            assertTrue(lines.get(0).contains(taken.toString()), lines.get(0));
            assertTrue(seconds < 30, "the job ended " + seconds + " s after it started: rank 1 must not wait");
        }
        assertEquals(List.of("keep.txt"), names(files(taken)), "the existing directory is left as it was");
    }

    @Test
    void aRunResumesOnlyOnTheLayoutThatWroteIt() throws Exception {
        Path shim = MpiRun.shimOrSkip();
        Path config = Files.writeString(dir.resolve("job.yaml"), CONFIG.replace("epochs: 2", "epochs: 1"));
        Path run = dir.resolve("run");
        try (MpiRun job = MpiRun.startMain(shim, 2, Main.class.getName(), "train", "--config", config.toString(),
                "--run-dir", run.toString())) {
            assertEquals(0, job.waitFor(120), job.output());
        }
        byte[] state = Files.readAllBytes(files(files(run.resolve("checkpoints")).get(0)).get(2));
        assertTrue(new String(state, java.nio.charset.StandardCharsets.UTF_8).contains("\"replicas\" : 2"),
                "trainer.json records the replicas over every process");
        List<String> before = withoutThroughput(run.resolve("metrics.jsonl"));
        try (MpiRun job = MpiRun.startMain(shim, 3, Main.class.getName(), "train", "--resume", run.toString(),
                "--set", "train.epochs=2")) {
            assertEquals(2, job.waitFor(60), job.output());
            assertTrue(job.output().contains("the run trained 2 replicas, this one has 3 (devices 1 x 3 processes)"),
                    job.output());
        }
        assertEquals(before, withoutThroughput(run.resolve("metrics.jsonl")), "the run is left as it was");
        assertEquals(1, files(run.resolve("checkpoints")).size());
    }

    @Test
    void commandsThatWriteFilesRefuseToRunInSeveralProcesses() throws Exception {
        Path shim = MpiRun.shimOrSkip();
        Path config = Files.writeString(dir.resolve("job.yaml"), CONFIG);
        try (MpiRun job = MpiRun.startMain(shim, 2, Main.class.getName(), "lr-find", "--config", config.toString(),
                "--out", dir.resolve("lr").toString())) {
            assertEquals(2, job.waitFor(60), job.output());
            assertTrue(job.output().contains("anneal: lr-find runs in one process, but Open MPI mpirun started 2; "
                    + "start it without mpirun/srun (only anneal train spans processes)"), job.output());
        }
        assertFalse(Files.exists(dir.resolve("lr")), "nothing written");
    }

    private static String trainInProcess(Path config, Path runDir, int devices) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.execute(new PrintWriter(out), new PrintWriter(err), "train", "--config", config.toString(),
                "--run-dir", runDir.toString(), "--set", "devices=" + devices);
        assertEquals(0, status, err.toString());
        return out.toString();
    }

    private static String lastLine(String text, String prefix) {
        List<String> lines = text.lines().filter(l -> l.startsWith(prefix)).toList();
        assertFalse(lines.isEmpty(), "no line starting with '" + prefix + "' in:\n" + text);
        return lines.get(lines.size() - 1);
    }

    private static List<String> withoutThroughput(Path metrics) throws IOException {
        return Files.readAllLines(metrics).stream()
                .map(l -> l.replaceAll("\"samples_per_second\":[0-9.eE+-]+", "")).toList();
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
