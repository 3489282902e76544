package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.ConfigBinder;
import dev.anneal.config.ConfigDocument;
import dev.anneal.data.Datasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code data.validation_split} with a test set: every epoch evaluates the held-out validation set (what the plateau
 * schedule, early stopping and the best checkpoint watch, as {@code val_*}), and the test set is evaluated once, at
 * the end, on the last line of {@code metrics.jsonl}.
 */
class ValidationSplitTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG = """
            optimizer: {type: adam, lr: 0.01}
            model: {hidden: [8]}
            data: {dataset: synthetic, train_samples: 200, test_samples: 60, features: 4, classes: 3, batch_size: 25,
                   validation_split: 0.25}
            train: {epochs: 3, keep_best: true}
            """;

    private static List<JsonNode> metrics(Path run) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void epochsEvaluateTheValidationSetAndTheTestSetOnceAtTheEnd(@TempDir Path tmp) throws IOException {
        Path config = tmp.resolve("c.yaml");
        Files.writeString(config, CONFIG);
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--config", config.toString(), "--run-dir", run.toString());
        assertEquals(0, r.status(), r.err());
        Datasets data = Datasets.load(bind(CONFIG).data(), 0);
        int heldOut = data.validation().n();
        assertTrue(r.out().contains("synthetic: " + (200 - heldOut) + " train, " + heldOut + " validation, 60 test, "
                + "4 features, 3 classes"), r.out());
        assertTrue(r.out().contains("val loss") && r.out().contains("val accuracy"), r.out());
        List<JsonNode> lines = metrics(run);
        assertEquals(3, lines.size());
        for (int i = 0; i < 3; i++) {
            JsonNode m = lines.get(i);
            assertTrue(m.has("val_loss") && m.has("val_accuracy"), m.toString());
            assertEquals(i == 2, m.has("test_loss") && m.has("test_accuracy"), m.toString());
        }
        JsonNode last = lines.get(2);
        String done = String.format(java.util.Locale.ROOT, "val accuracy %.2f%%, val loss %.4f; test accuracy "
                + "%.2f%%, test loss %.4f after", last.get("val_accuracy").asDouble() * 100,
                last.get("val_loss").asDouble(), last.get("test_accuracy").asDouble() * 100,
                last.get("test_loss").asDouble());
        assertTrue(r.out().contains("anneal: done: " + done), r.out());

        // The resolved config watches the validation set.
        String resolved = Files.readString(run.resolve("config.yaml"));
        assertTrue(resolved.contains("plateau_metric: val_loss") && resolved.contains("best_metric: val_accuracy"),
                resolved);

        // anneal eval reproduces both numbers from the newest checkpoint: the test set by default, the validation
        // set on request, with the same split.
        CliRun test = CliRun.of("eval", run.toString(), "--json", tmp.resolve("t.json").toString());
        assertEquals(0, test.status(), test.err());
        JsonNode t = JSON.readTree(tmp.resolve("t.json").toFile());
        assertEquals("test", t.get("set").asText());
        assertEquals(last.get("test_accuracy").asDouble(), t.get("test_accuracy").asDouble(), 1e-12);
        assertEquals(last.get("test_loss").asDouble(), t.get("test_loss").asDouble(), 1e-6);
        assertEquals(60, t.get("samples").asInt());
        CliRun val = CliRun.of("eval", run.toString(), "--split", "validation", "--json",
                tmp.resolve("v.json").toString());
        assertEquals(0, val.status(), val.err());
        JsonNode v = JSON.readTree(tmp.resolve("v.json").toFile());
        assertEquals(last.get("val_accuracy").asDouble(), v.get("val_accuracy").asDouble(), 1e-12);
        assertEquals(heldOut, v.get("samples").asInt());
        assertTrue(val.out().contains("val_loss ") && val.out().contains("evaluated: the validation set"),
                val.out());
    }

    @Test
    void aValidationSetIsHeldOutOfEveryDatasetStratifiedAndTheStatisticsComeFromTheRest() {
        AnnealConfig cfg = bind(CONFIG);
        Datasets data = Datasets.load(cfg.data(), cfg.train().seed());
        assertEquals(200, data.train().n() + data.validation().n());
        assertEquals(60, data.test().n());
        int[] all = new int[3];
        int[] held = data.validation().classCounts();
        int[] kept = data.train().classCounts();
        for (int c = 0; c < 3; c++) {
            all[c] = held[c] + kept[c];
            assertEquals(Math.round(all[c] * 0.25), held[c], "class " + c + " is held out in proportion");
        }
        double sum = 0;
        for (float x : data.train().features()) {
            sum += x;
        }
        assertEquals(0, sum / data.train().features().length, 1e-6, "the kept training rows are centred");
        assertFalse(data.monitored() == data.test());
    }

    @Test
    void watchedTestMetricsAreTheValidationSetsWithASplitAndValMetricsNeedOne(@TempDir Path tmp) throws IOException {
        // A config resolved without a split names test_* (the per-epoch evaluation); with a split that evaluation
        // is the validation set's, so test_* reads as val_*, and the test set is still evaluated only at the end.
        AnnealConfig cfg = bind(CONFIG.replace("keep_best: true", "keep_best: true, plateau_metric: test_accuracy, "
                + "best_metric: test_loss, early_stopping: {patience: 1, metric: test_loss}"));
        assertEquals("val_accuracy", cfg.train().plateauMetric());
        assertEquals("val_loss", cfg.train().bestMetric());
        assertEquals("val_loss", cfg.train().earlyStopping().metric());
        String[][] cases = {
            {CONFIG.replace(",\n       validation_split: 0.25", "").replace("keep_best: true",
                "best_metric: val_accuracy"), "train.best_metric", "data.validation_split"},
            {CONFIG.replace(",\n       validation_split: 0.25", "").replace("keep_best: true",
                "plateau_metric: val_loss"), "train.plateau_metric", "test_loss"},
        };
        for (String[] c : cases) {
            Path config = tmp.resolve("c.yaml");
            Files.writeString(config, c[0]);
            CliRun r = CliRun.of("train", "--config", config.toString(), "--run-dir", tmp.resolve("r").toString());
            assertEquals(2, r.status(), c[0] + r.out());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(c[1]) && r.err().contains(c[2]), r.err());
            assertFalse(Files.exists(tmp.resolve("r")));
        }
    }

    @Test
    void aRunsResolvedConfigTrainsWithASplitAdded(@TempDir Path tmp) throws IOException {
        Path config = tmp.resolve("c.yaml");
        Files.writeString(config, CONFIG.replace(",\n       validation_split: 0.25", ""));
        Path first = tmp.resolve("first");
        assertEquals(0, CliRun.of("train", "--config", config.toString(), "--run-dir", first.toString()).status());
        Path second = tmp.resolve("second");
        CliRun r = CliRun.of("train", "--config", first.resolve("config.yaml").toString(), "--run-dir",
                second.toString(), "--set", "data.validation_split=0.2");
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.readString(second.resolve("config.yaml")).contains("plateau_metric: val_loss"));
    }

    @Test
    void earlyStoppingWatchesTheValidationSetAndTheTestSetIsStillEvaluated(@TempDir Path tmp) throws IOException {
        Path config = tmp.resolve("c.yaml");
        Files.writeString(config, CONFIG.replace("epochs: 3, keep_best: true",
                "epochs: 8, early_stopping: {patience: 1, min_delta: 100}"));
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--config", config.toString(), "--run-dir", run.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("early stopping after epoch 2: val_loss has not improved"), r.out());
        List<JsonNode> lines = metrics(run);
        assertEquals(2, lines.size());
        assertTrue(lines.get(1).has("test_accuracy") && !lines.get(0).has("test_accuracy"), lines.toString());
    }

    private static AnnealConfig bind(String yaml) {
        return ConfigBinder.bind(ConfigDocument.parse("c.yaml", yaml));
    }
}
