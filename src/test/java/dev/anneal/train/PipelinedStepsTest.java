package dev.anneal.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.data.Dataset;
import dev.anneal.data.Datasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step's outcome read while the next step runs (the default) gives exactly the run that takes each outcome
 * before queuing the next ({@link Trainer#synchronous}): the next step's scalars are written for both outcomes and
 * the device picks the one that holds. Checked where it matters: skipped updates (a NaN sample in one step of every
 * epoch) next to applied ones, SGD's first-momentum flag and cycled momentum, Adam's bias corrections, and
 * checkpoints every few updates.
 */
class PipelinedStepsTest {
    @TempDir
    Path dir;

    private record Outcome(float[] params, List<String> events, List<String> metrics, List<String> checkpoints) {
    }

    private Outcome train(AnnealConfig cfg, boolean synchronous, String name) throws IOException {
        Datasets clean = Datasets.load(cfg.data(), cfg.train().seed());
        float[] x = clean.train().features().clone();
        x[7 * clean.train().d()] = Float.NaN;
        Dataset poisoned = new Dataset(x, clean.train().labels(), clean.train().d(), clean.train().classes());
        Datasets data = new Datasets(poisoned, clean.test(), "poisoned", clean.normalization());
        List<String> events = new ArrayList<>();
        Path run = dir.resolve(name);
        try (CpuBackend b = new CpuBackend(); Trainer t = new Trainer(cfg, data, b, new RunDirectory(run),
                new TrainListener() {
                    @Override
                    public void stepped(long update, double loss, double lr, double samplesPerSecond) {
                        events.add("stepped " + update + " " + loss + " " + lr);
                    }

                    @Override
                    public void skipped(long update, long inARow, String why) {
                        events.add("skipped " + update + " " + inARow);
                    }

                    @Override
                    public void checkpointed(Path checkpoint) {
                        events.add("checkpoint " + checkpoint.getFileName());
                    }
                })) {
            if (synchronous) {
                t.synchronous();
            }
            t.initialize();
            t.run();
            List<String> metrics = new ArrayList<>();
            for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
                metrics.add(line.replaceAll("\"samples_per_second\":[^,]*,", ""));
            }
            List<String> checkpoints = new ArrayList<>();
            try (var files = Files.list(run.resolve("checkpoints"))) {
                for (Path c : files.sorted().toList()) {
                    checkpoints.add(c.getFileName() + " " + java.util.Arrays.hashCode(
                            Files.readAllBytes(c.resolve("model.safetensors"))) + " " + java.util.Arrays.hashCode(
                            Files.readAllBytes(c.resolve("optimizer.safetensors"))));
                }
            }
            return new Outcome(TrainerHarness.params(t, b), events, metrics, checkpoints);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd-cycled", "adamw", "rmsprop"})
    void readingOutcomesAStepLateGivesTheSameRunBitForBit(String which) throws IOException {
        String[] sets = switch (which) {
            case "sgd-cycled" -> new String[] {"optimizer.type=sgd", "optimizer.lr=0.05", "optimizer.momentum=0.9",
                "schedule.type=one_cycle", "schedule.max_lr=0.1", "schedule.total_steps=40", "schedule.t_max=null",
                "schedule.warmup=null"};
            case "adamw" -> new String[] {};
            default -> new String[] {"optimizer.type=rmsprop", "optimizer.lr=0.01", "optimizer.momentum=0.5"};
        };
        List<String> all = new ArrayList<>(List.of(sets));
        all.addAll(List.of("train.checkpoint_every=3", "train.keep_checkpoints=100", "train.max_skipped_steps=5"));
        AnnealConfig cfg = TrainerHarness.config(all.toArray(String[]::new));
        Outcome sync = train(cfg, true, "sync");
        Outcome late = train(cfg, false, "late");
        assertFalse(sync.events().stream().noneMatch(e -> e.startsWith("skipped")), "the run skips updates");
        assertArrayEquals(sync.params(), late.params());
        assertEquals(sync.events(), late.events());
        assertEquals(sync.metrics(), late.metrics());
        assertEquals(sync.checkpoints(), late.checkpoints());
    }
}
