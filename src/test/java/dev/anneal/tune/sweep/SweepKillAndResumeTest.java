package dev.anneal.tune.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash: {@code anneal sweep} in its own JVM is killed with SIGKILL while its second trial is training
 * (after that trial's first checkpoint); its trial process notices that the sweep is gone and exits;
 * {@code anneal sweep --resume} then resumes the interrupted trial from its checkpoint, runs the trials never
 * started, leaves the finished one alone, and ends with the {@code sweep.csv} of an uninterrupted sweep (the
 * {@code seconds} column aside: it measures the machine, not the results) and the same weights.
 */
class SweepKillAndResumeTest {
    private static final String CONFIG = """
            optimizer: {type: adam, lr: 0.01}
            schedule: {type: step, step_size: 20, gamma: 0.5}
            model: {hidden: [32]}
            data: {dataset: synthetic, train_samples: 1024, test_samples: 128, features: 8, classes: 4, batch_size: 16}
            train: {epochs: 3, checkpoint_every: 8}
            """;
    private static final String[] GRID = {"--grid", "optimizer.lr=[0.003, 0.01, 0.03]", "--trial-threads", "1"};

    @TempDir
    Path dir;

    @Test
    void aSweepKilledMidTrialResumesToTheUninterruptedResults() throws Exception {
        Path config = dir.resolve("c.yaml");
        Files.writeString(config, CONFIG);
        Path killed = dir.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.anneal.cli.Main", "sweep", "--config",
                config.toString(), "--out", killed.toString()));
        cmd.addAll(List.of(GRID));
        Process sweep = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sweep.log").toFile()).start();
        List<ProcessHandle> trials = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!hasCheckpoint(killed.resolve("trial-001"))) {
                assertTrue(sweep.isAlive(), "the sweep ended before it could be killed: "
                        + Files.readString(dir.resolve("sweep.log")));
                assertTrue(System.nanoTime() < deadline, "no checkpoint of trial-001 within 120 s");
                Thread.sleep(5);
            }
            sweep.descendants().forEach(trials::add);
            assertTrue(!trials.isEmpty(), "the trial process of trial-001 is running");
        } finally {
            sweep.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        for (ProcessHandle t : trials) {
            t.onExit().get(30, TimeUnit.SECONDS);
        }
        assertTrue(trials.stream().noneMatch(ProcessHandle::isAlive), "a trial outlived the killed sweep");
        assertEquals(List.of("trial,optimizer.lr,status,final_test_accuracy,best_test_accuracy,test_loss,"
                + "test_accuracy,epochs,seconds"), Files.readAllLines(killed.resolve("sweep.csv")).subList(0, 1));
        assertEquals(2, Files.readAllLines(killed.resolve("sweep.csv")).size(), "trial-000 was finished and recorded");
        FileTime finished = Files.getLastModifiedTime(killed.resolve("trial-000/metrics.jsonl"));

        String resumed = cli("sweep", "--resume", killed.toString());
        assertTrue(resumed.contains("1 of 3 trials finished"), resumed);
        assertTrue(Files.readString(killed.resolve("logs/trial-001.log")).contains("resuming at update"),
                "trial-001 continued from its checkpoint");
        assertEquals(finished, Files.getLastModifiedTime(killed.resolve("trial-000/metrics.jsonl")));

        Path whole = dir.resolve("whole");
        List<String> args = new ArrayList<>(List.of("sweep", "--config", config.toString(), "--out", whole.toString()));
        args.addAll(List.of(GRID));
        cli(args.toArray(String[]::new));
        assertEquals(SweepRuns.withoutSeconds(whole.resolve("sweep.csv")),
                SweepRuns.withoutSeconds(killed.resolve("sweep.csv")));
        for (int t = 0; t < 3; t++) {
            SweepRuns.assertSameRun(whole.resolve("trial-00" + t), killed.resolve("trial-00" + t));
        }
    }

    private static boolean hasCheckpoint(Path run) throws IOException {
        Path c = run.resolve("checkpoints");
        if (!Files.isDirectory(c)) {
            return false;
        }
        try (Stream<Path> s = Files.list(c)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("step-"));
        }
    }

    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
        assertEquals(0, status, err + "\n" + out);
        return out.toString();
    }
}
