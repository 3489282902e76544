package dev.anneal.cli;

import static dev.anneal.cli.RunDirSnapshot.assertBadInput;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code --resume} with {@code --set}: an override that contradicts the checkpoint or the run's history is refused
 * before anything is written; the legitimate ones (train longer, checkpoint or evaluate differently, another device
 * of the same count) continue the run, and {@code config.yaml} is rewritten only when it changed.
 */
class ResumeOverridesTest {
    @TempDir
    static Path shared;
    static Path base;

    @TempDir
    Path dir;

    @BeforeAll
    static void trainTheBaseRun() throws IOException {
        base = ResumeFixture.trainBase(shared);
    }

    @ParameterizedTest(name = "--set {0}")
    @CsvSource(delimiter = '|', value = {
        "model.hidden=[16]|model.hidden",
        "model.activation=tanh|model.activation",
        "model.init=xavier|model.init",
        "optimizer.type=sgd|optimizer.type",
        "optimizer={type: adamw}|optimizer.type",
        "optimizer.lr=0.1|optimizer.lr",
        "optimizer.amsgrad=true|optimizer.amsgrad",
        "optimizer.betas=[0.8, 0.9]|optimizer.betas",
        "optimizer.weight_decay=0.1|optimizer.weight_decay",
        "schedule={type: cosine, t_max: 8}|schedule.type",
        "data.batch_size=10|data.batch_size",
        "data.train_samples=60|data.train_samples",
        "data.features=8|data.features",
        "data.classes=3|data.classes",
        "data.normalize=false|data.normalize",
        "data.dataset=mnist|data.dataset",
        "train.seed=1|train.seed",
        "train.accumulation_steps=2|train.accumulation_steps",
        "train.clip_grad_norm=1.0|train.clip_grad_norm",
        "devices=2|devices",
        "train.plateau_metric=test_accuracy|train.plateau_metric",
    })
    void overrideThatContradictsTheCheckpointIsRefusedBeforeAnyWrite(String assignment, String key)
            throws IOException {
        Path run = ResumeFixture.copy(base, dir);
        RunDirSnapshot before = RunDirSnapshot.of(run);
        CliRun r = CliRun.of("train", "--resume", run.toString(), "--set", assignment);
        assertBadInput(r, "--set " + assignment, "cannot change " + key + " on --resume", "train.epochs");
        assertEquals(before, RunDirSnapshot.of(run), "a refused resume writes nothing");
        assertEquals(0, CliRun.of("train", "--resume", run.toString()).status(), "the run can still be resumed");
    }

    @Test
    void fewerEpochsThanTheCheckpointHasIsRefused() throws IOException {
        Path run = ResumeFixture.copy(base, dir);
        RunDirSnapshot before = RunDirSnapshot.of(run);
        CliRun r = CliRun.of("train", "--resume", run.toString(), "--set", "train.epochs=1");
        assertBadInput(r, "after epoch 2, past the end of train.epochs = 1; resume with --set train.epochs=2 or more");
        assertEquals(before, RunDirSnapshot.of(run));
    }

    @Test
    void moreEpochsContinueTheRunExactlyAsIfItHadBeenPlannedThatLong() throws IOException {
        Path run = ResumeFixture.copy(base, dir);
        CliRun more = CliRun.of("train", "--resume", run.toString(), "--set", "train.epochs=3", "--set",
                "train.keep_checkpoints=3", "--set", "train.checkpoint_every=2", "--set", "data.eval_batch_size=7",
                "--set", "device=cpu");
        assertEquals(0, more.status(), more.err() + more.out());
        assertTrue(more.out().contains("resuming at update 8"), more.out());
        String config = Files.readString(run.resolve("config.yaml"));
        assertTrue(config.contains("epochs: 3") && config.contains("keep_checkpoints: 3"), config);

        Path c = dir.resolve("c.yaml");
        Files.writeString(c, ResumeFixture.SYNTHETIC.replace("epochs: 2", "epochs: 3"));
        Path fresh = dir.resolve("fresh");
        assertEquals(0, CliRun.of("train", "--config", c.toString(), "--run-dir", fresh.toString()).status());
        String last = "checkpoints/step-000000012/model.safetensors";
        assertArrayEquals(Files.readAllBytes(fresh.resolve(last)), Files.readAllBytes(run.resolve(last)));
    }

    @Test
    void anOverrideThatChangesNothingLeavesConfigYamlUntouched() throws IOException {
        Path run = ResumeFixture.copy(base, dir);
        Path config = run.resolve("config.yaml");
        Files.setLastModifiedTime(config, FileTime.fromMillis(1_000_000_000_000L));
        byte[] bytes = Files.readAllBytes(config);
        CliRun r = CliRun.of("train", "--resume", run.toString(), "--set", "train.seed=0", "--set", "train.epochs=2");
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(bytes, Files.readAllBytes(config));
        assertEquals(FileTime.fromMillis(1_000_000_000_000L), Files.getLastModifiedTime(config));
    }
}
