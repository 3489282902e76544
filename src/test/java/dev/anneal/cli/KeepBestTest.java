package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train.keep_best}: checkpoints/best holds the best evaluation's weights, beyond rotation. */
class KeepBestTest {
    @Test
    void theBestCheckpointSurvivesRotationAndEvaluatesToTheBestMetricsLine(@TempDir Path tmp) throws IOException {
        Path config = tmp.resolve("c.yaml");
        Files.writeString(config, """
                optimizer: {type: sgd, lr: 3.0}
                model: {hidden: [8]}
                data: {dataset: synthetic, train_samples: 100, test_samples: 40, features: 4, classes: 3, batch_size: 10}
                train: {epochs: 5, keep_checkpoints: 1, keep_best: true}
                """);
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--config", config.toString(), "--run-dir", run.toString());
        assertEquals(0, r.status(), r.err());
        ObjectMapper json = new ObjectMapper();
        JsonNode best = null;
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode m = json.readTree(line);
            if (best == null || m.get("test_accuracy").doubleValue() > best.get("test_accuracy").doubleValue()) {
                best = m;
            }
        }
        // the first epoch is the most accurate here (Keras' rule: a later equal value does not replace it), so its
        // step-000000010 is long rotated away by keep_checkpoints: 1
        assertEquals(10, best.get("step").asLong());
        assertTrue(Files.isDirectory(run.resolve("checkpoints/best")));
        try (var dirs = Files.list(run.resolve("checkpoints"))) {
            assertEquals(2, dirs.count(), "one recent checkpoint and best/");
        }
        Path out = tmp.resolve("e.json");
        CliRun e = CliRun.of("eval", run.resolve("checkpoints/best").toString(), "--json", out.toString());
        assertEquals(0, e.status(), e.err());
        JsonNode j = json.readTree(out.toFile());
        assertEquals(best.get("step").asLong(), j.get("step").asLong());
        assertEquals(best.get("test_loss").doubleValue(), j.get("test_loss").doubleValue());
        assertEquals(best.get("test_accuracy").doubleValue(), j.get("test_accuracy").doubleValue());
    }
}
