package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train.early_stopping}: the run ends when the metric stops improving, says so, and exits 0. */
class EarlyStoppingTest {
    private static final String CONFIG = """
            optimizer: {type: adam, lr: 0.01}
            model: {hidden: [8]}
            data: {dataset: synthetic, train_samples: 100, test_samples: 20, features: 4, classes: 2, batch_size: 25}
            train: {epochs: 6, early_stopping: {patience: 2, min_delta: 100}}
            """;

    @Test
    void stopsAfterPatienceEvaluationsWithoutAnImprovementLargerThanMinDelta(@TempDir Path tmp) throws IOException {
        Path config = tmp.resolve("c.yaml");
        Files.writeString(config, CONFIG);
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--config", config.toString(), "--run-dir", run.toString());
        assertEquals(0, r.status(), r.err());
        // epoch 1 sets the best; epochs 2 and 3 cannot improve by more than 100: the run stops after epoch 3
        assertEquals(3, Files.readAllLines(run.resolve("metrics.jsonl")).size());
        assertTrue(r.out().contains("anneal: early stopping after epoch 3: test_loss has not improved"), r.out());
        CliRun again = CliRun.of("train", "--resume", run.toString());
        assertEquals(0, again.status(), again.err());
        assertEquals(3, Files.readAllLines(run.resolve("metrics.jsonl")).size());
        assertTrue(again.out().contains("anneal: early stopping after epoch 3"), again.out());
    }

    @Test
    void composesWithAPlateauScheduleAndRunsToTheEndWhileItImproves(@TempDir Path tmp) throws IOException {
        Path config = tmp.resolve("c.yaml");
        Files.writeString(config, CONFIG.replace("min_delta: 100", "min_delta: 0")
                .replace("optimizer: {type: adam, lr: 0.01}", "optimizer: {type: adam, lr: 0.01}\n"
                        + "schedule: {type: plateau, mode: min, patience: 1, factor: 0.5}")
                .replace("patience: 2,", "patience: 100,"));
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--config", config.toString(), "--run-dir", run.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(6, Files.readAllLines(run.resolve("metrics.jsonl")).size());
        assertTrue(!r.out().contains("early stopping"), r.out());
    }

    @Test
    void badSettingsAreOneLine(@TempDir Path tmp) throws IOException {
        Path config = tmp.resolve("c.yaml");
        Files.writeString(config, CONFIG.replace("patience: 2, ", ""));
        CliRun r = CliRun.of("train", "--config", config.toString(), "--run-dir", tmp.resolve("r").toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("train.early_stopping.patience") && r.err().contains("is required"), r.err());
        Files.writeString(config, CONFIG.replace("min_delta: 100", "metric: val_loss"));
        r = CliRun.of("train", "--config", config.toString(), "--run-dir", tmp.resolve("r").toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("train.early_stopping.metric"), r.err());
        assertTrue(!Files.exists(tmp.resolve("r")));
    }
}
