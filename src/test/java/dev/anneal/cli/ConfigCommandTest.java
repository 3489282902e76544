package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandTest {
    @TempDir
    Path dir;

    @Test
    void checkPrintsTheResolvedConfigWithDefaults() throws IOException {
        Path c = dir.resolve("c.yaml");
        Files.writeString(c, "optimizer: {type: adamw}\nschedule: {type: step, step_size: 3}\n");
        CliRun r = CliRun.of("config", "check", c.toString(), "--set", "optimizer.lr=0.01");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("lr: 0.01"), r.out());
        assertTrue(r.out().contains("weight_decay: 0.01"), r.out());
        assertTrue(r.out().contains("gamma: 0.1"), r.out());
        assertTrue(r.out().contains("scale_with_devices: false"), r.out());
    }

    @Test
    void checkOfABadFileIsOneLineWithExitTwo() throws IOException {
        Path c = dir.resolve("c.yaml");
        Files.writeString(c, "optimizer: {type: adamw, lr: -1}\nschedule: {type: step, step_size: 3}\n");
        CliRun r = CliRun.of("config", "check", c.toString());
        assertEquals(2, r.status());
        assertEquals("anneal: " + c + ":1: optimizer.lr must be >= 0, got -1\n", r.err());
    }

    @Test
    void everyShippedConfigIsValid() throws IOException {
        try (var files = Files.walk(Path.of("configs"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                boolean sweep = Files.readAllLines(p).stream().anyMatch(l -> l.startsWith("sweep:"));
                CliRun r = sweep ? CliRun.of("sweep", "--config", p.toString(), "--dry-run")
                        : CliRun.of("config", "check", p.toString());
                assertEquals(0, r.status(), p + ": " + r.err());
                if (sweep) {
                    assertTrue(r.out().contains("every trial's config is valid"), r.out());
                }
            }
        }
    }
    @Test
    void plateauModeThatDisagreesWithTheMetricOffersBothFixes() throws IOException {
        Path c = dir.resolve("p.yaml");
        Files.writeString(c, "optimizer: {type: sgd, lr: 0.1}\nschedule:\n  type: plateau\n  mode: max\n");
        CliRun r = CliRun.of("config", "check", c.toString());
        assertEquals(2, r.status());
        assertEquals("anneal: " + c + ":4: schedule.mode is max but train.plateau_metric is test_loss, which should be "
                + "minimised: use mode: min, or set train.plateau_metric: test_accuracy\n", r.err());
        CliRun fixed = CliRun.of("config", "check", c.toString(), "--set", "train.plateau_metric=test_accuracy");
        assertEquals(0, fixed.status(), fixed.err());
    }
}
