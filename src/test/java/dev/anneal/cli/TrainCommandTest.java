package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    private static final String SYNTHETIC = """
            optimizer: {type: adam, lr: 0.01}
            model: {hidden: [8]}
            data: {dataset: synthetic, train_samples: 100, test_samples: 20, features: 4, classes: 2, batch_size: 25}
            train: {epochs: 2}
            """;

    @TempDir
    Path dir;

    private Path config(String yaml) throws IOException {
        Path p = dir.resolve("c.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    @Test
    void trainsWritesTheRunAndResumesAFinishedRunWithoutMoreUpdates() throws IOException {
        Path run = dir.resolve("run");
        CliRun r = CliRun.of("train", "--config", config(SYNTHETIC).toString(), "--run-dir", run.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("epoch 2: train loss"), r.out());
        assertTrue(r.out().contains("anneal: done: test accuracy"), r.out());
        assertTrue(Files.readString(run.resolve("config.yaml")).contains("batch_size: 25"));
        CliRun again = CliRun.of("train", "--resume", run.toString());
        assertEquals(0, again.status(), again.err());
        assertTrue(again.out().contains("resuming at update 8"), again.out());
    }

    @Test
    void trainsOnSeveralCpuReplicasAndResumesThem() throws IOException {
        Path run = dir.resolve("dp");
        CliRun r = CliRun.of("train", "--config", config(SYNTHETIC).toString(), "--run-dir", run.toString(), "--set",
                "device=cpu", "--set", "devices=2", "--set", "train.cuda_graph=true", "--set", "train.epochs=1");
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("anneal: 2 replicas, gradients summed in memory"), r.out());
        assertTrue(r.out().contains("anneal: 2 devices: global batch 50 = data.batch_size 25 x 2 devices x 1 "
                + "accumulation step"), r.out());
        assertTrue(r.out().contains("train.cuda_graph is ignored on cpu"), r.out());
        // 100 samples in global batches of 50: 2 updates per epoch.
        assertTrue(r.out().contains("after 2 updates"), r.out());
        CliRun more = CliRun.of("train", "--resume", run.toString(), "--set", "train.epochs=2");
        assertEquals(0, more.status(), more.err() + more.out());
        assertTrue(more.out().contains("after 4 updates"), more.out());
    }

    @Test
    void missingDatasetIsOneLineNamingThePackage() throws IOException {
        CliRun r = CliRun.of("train", "--config", config("optimizer: {type: adam}\n").toString(), "--run-dir",
                dir.resolve("run").toString(), "--set", "data.path=" + dir.resolve("nowhere"));
        assertEquals(2, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("anneal: data.path " + dir.resolve("nowhere") + ": no such directory"), r.err());
        assertTrue(r.err().contains("apt-get install dataset-fashion-mnist"), r.err());
    }

    @Test
    void corruptIdxFileIsOneLineNamingTheFile() throws IOException {
        Path data = dir.resolve("fm");
        Files.createDirectories(data);
        for (String f : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte"}) {
            Files.write(data.resolve(f), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        }
        CliRun r = CliRun.of("train", "--config", config("optimizer: {type: adam}\n").toString(), "--run-dir",
                dir.resolve("run").toString(), "--set", "data.path=" + data);
        assertEquals(2, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(data.toString()), r.err());
        assertTrue(!Files.exists(dir.resolve("run")), "nothing written for a run that could not start");
    }

    @Test
    void badConfigValueIsOneLine() throws IOException {
        CliRun r = CliRun.of("train", "--config", config(SYNTHETIC).toString(), "--set", "train.epochs=0");
        assertEquals(2, r.status());
        assertEquals("anneal: --set train.epochs=0: train.epochs must be > 0, got 0\n", r.err());
    }

    @Test
    void plateauMetricAndModeMustAgree() throws IOException {
        CliRun r = CliRun.of("train", "--config", config(SYNTHETIC).toString(), "--set",
                "schedule={type: plateau}", "--set", "train.plateau_metric=test_accuracy");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("schedule.mode is min but train.plateau_metric is test_accuracy, which should be "
                + "maximised: use mode: max"), r.err());
    }

    @Test
    void existingRunDirectoryIsNotOverwritten() throws IOException {
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve("precious.txt"), "keep me");
        CliRun r = CliRun.of("train", "--config", config(SYNTHETIC).toString(), "--run-dir", run.toString());
        assertEquals(2, r.status());
        assertEquals("anneal: " + run + ": already holds a run; use --resume " + run + " to continue it or another "
                + "--run-dir\n", r.err());
        assertEquals("keep me", Files.readString(run.resolve("precious.txt")));
    }

    @Test
    void resumeNeedsARunDirectoryWithACheckpoint() throws IOException {
        CliRun r = CliRun.of("train", "--resume", dir.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("not a run directory (no config.yaml)"), r.err());
        Files.writeString(dir.resolve("config.yaml"), SYNTHETIC);
        CliRun r2 = CliRun.of("train", "--resume", dir.toString());
        assertEquals(2, r2.status());
        assertTrue(r2.err().contains("has no checkpoint to resume from"), r2.err());
        CliRun r3 = CliRun.of("train", "--resume", dir.toString(), "--config", "x.yaml");
        assertEquals(2, r3.status());
        assertTrue(r3.err().contains("drop --config"), r3.err());
    }

    @Test
    void ratesForPeopleShowSmallValuesAndZeroPlainly() {
        assertEquals("0", ProgressReporter.rate(0));
        assertEquals("1.23e-06", ProgressReporter.rate(1.234e-6));
        assertEquals("5.00e-04", ProgressReporter.rate(5e-4));
        assertEquals("0.00100", ProgressReporter.rate(1e-3));
        assertEquals("0.0100", ProgressReporter.rate(0.01));
        assertEquals("1.00", ProgressReporter.rate(1));
    }

    @Test
    void lastEpochLineOfACosineShowsItsTinyRate() throws IOException {
        CliRun r = CliRun.of("train", "--config", config(SYNTHETIC).toString(), "--run-dir",
                dir.resolve("cos").toString(), "--set", "schedule={type: cosine, t_max: 8, eta_min: 1.0e-6}");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("epoch 2: ") && r.out().contains("lr 1.00e-06\n"), r.out());
        CliRun zero = CliRun.of("train", "--config", config(SYNTHETIC).toString(), "--run-dir",
                dir.resolve("cos0").toString(), "--set", "schedule={type: cosine, t_max: 8}");
        assertEquals(0, zero.status(), zero.err());
        assertTrue(zero.out().contains("lr 0\n") && !zero.out().contains("lr 0.00\n"), zero.out());
        String metrics = Files.readString(dir.resolve("cos/metrics.jsonl"));
        assertTrue(metrics.contains("\"lr\":1.0E-6,"), "the file keeps full precision: " + metrics);
    }
}
