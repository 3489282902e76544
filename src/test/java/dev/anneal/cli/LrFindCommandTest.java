package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.schedule.torch.Cyclic;
import dev.anneal.schedule.torch.OneCycle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code anneal lr-find} end to end on small synthetic data. */
class LrFindCommandTest {
    private static final String CONFIG = """
            optimizer: {type: adamw, lr: 0.01}
            schedule: {type: cosine, t_max: 60, warmup: {steps: 5, start_factor: 0.1}}
            model: {hidden: [16]}
            data: {dataset: synthetic, train_samples: 200, test_samples: 64, features: 8, classes: 3, batch_size: 20}
            train: {epochs: 2, seed: 3}
            device: cpu
            """;

    @TempDir
    Path dir;

    private Path config() throws IOException {
        Path p = dir.resolve("c.yaml");
        Files.writeString(p, CONFIG);
        return p;
    }

    @Test
    void namesTheEvaluationColumnsAfterTheValidationSetWhenTheConfigHoldsOneOut() throws IOException {
        Path cfg = config();
        Path out = dir.resolve("out-val");
        CliRun r = CliRun.of("lr-find", "--config", cfg.toString(), "--out", out.toString(), "--steps", "20",
                "--end", "1", "--eval-every", "10", "--set", "data.validation_split=0.2");
        assertEquals(0, r.status(), r.err());
        List<String> csv = Files.readAllLines(out.resolve("lr_find.csv"));
        assertEquals("step,lr,loss,smoothed_loss,val_loss,val_accuracy", csv.get(0));
    }

    @Test
    void writesTheCurveThePlotTheJsonAndAConfigThatChecks() throws IOException {
        Path cfg = config();
        Path out = dir.resolve("out");
        Path json = dir.resolve("s.json");
        Path written = dir.resolve("tuned.yaml");
        CliRun r = CliRun.of("lr-find", "--config", cfg.toString(), "--out", out.toString(), "--json", json.toString(),
                "--steps", "40", "--end", "1", "--eval-every", "10", "--write-config", written.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(CONFIG, Files.readString(cfg), "the input config is never touched");
        List<String> csv = Files.readAllLines(out.resolve("lr_find.csv"));
        assertEquals("step,lr,loss,smoothed_loss,test_loss,test_accuracy", csv.get(0));
        assertEquals(41, csv.size());
        assertTrue(Files.size(out.resolve("lr_find.png")) > 1000);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("c.yaml", "out", "s.json", "tuned.yaml"),
                    s.map(p -> p.getFileName().toString()).sorted().toList(), "no staging directory left behind");
        }
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        for (String key : List.of("suggested_lr", "clr_base_lr", "clr_max_lr", "one_cycle_max_lr")) {
            assertTrue(j.get(key).asDouble() > 0, key);
        }
        for (String name : List.of("valley", "steep", "minimum", "slide")) {
            assertTrue(j.get("suggestions").get(name).isNumber(), name);
        }
        assertEquals(40, j.get("points").asInt());
        assertFalse(j.get("stopped_early").asBoolean());
        assertEquals(j.get("suggestions").get("valley").asDouble(), j.get("suggested_lr").asDouble(), 0.0);
        assertTrue(r.out().contains("suggested_lr"), r.out());

        assertEquals(0, CliRun.of("config", "check", written.toString()).status());
        AnnealConfig tuned = LoadedConfig.load(written, List.of()).config();
        assertEquals(j.get("suggested_lr").asDouble(), tuned.optimizer().lr(), 0.0);
        assertEquals(60L, ((dev.anneal.schedule.torch.Cosine) tuned.schedule().spec()).tMax(), "the rest unchanged");
    }

    @Test
    void fillsTheBoundsOfCyclicAndThePeakOfOneCycle() throws IOException {
        Path cfg = config();
        Path json = dir.resolve("s.json");
        Path cyclic = dir.resolve("cyclic.yaml");
        assertEquals(0, CliRun.of("lr-find", "--config", cfg.toString(), "--out", dir.resolve("o1").toString(),
                "--steps", "30", "--end", "1", "--json", json.toString(), "--write-config", cyclic.toString(), "--set",
                "schedule={type: cyclic, base_lr: 0.001, max_lr: 0.002, step_size_up: 20}").status());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        Cyclic c = (Cyclic) LoadedConfig.load(cyclic, List.of()).config().schedule().spec();
        assertEquals(j.get("clr_base_lr").asDouble(), c.baseLr(), 0.0);
        assertEquals(j.get("clr_max_lr").asDouble(), c.maxLr(), 0.0);
        assertEquals(20L, c.stepSizeUp());

        Path oneCycle = dir.resolve("one.yaml");
        assertEquals(0, CliRun.of("lr-find", "--config", cfg.toString(), "--out", dir.resolve("o2").toString(),
                "--steps", "30", "--end", "1", "--json", json.toString(), "--write-config", oneCycle.toString(),
                "--set", "schedule={type: one_cycle, max_lr: 0.5, total_steps: 20}").status());
        j = new ObjectMapper().readTree(json.toFile());
        OneCycle o = (OneCycle) LoadedConfig.load(oneCycle, List.of()).config().schedule().spec();
        assertEquals(j.get("one_cycle_max_lr").asDouble(), o.maxLr(), 0.0);
        assertEquals(0, CliRun.of("config", "check", oneCycle.toString()).status());
    }

    @Test
    void repeatsReportASpreadAndARepeatColumn() throws IOException {
        Path out = dir.resolve("out");
        Path json = dir.resolve("s.json");
        CliRun r = CliRun.of("lr-find", "--config", config().toString(), "--out", out.toString(), "--steps", "25",
                "--end", "1", "--repeats", "3", "--json", json.toString());
        assertEquals(0, r.status(), r.err());
        List<String> csv = Files.readAllLines(out.resolve("lr_find.csv"));
        assertEquals("repeat,step,lr,loss,smoothed_loss", csv.get(0));
        assertEquals(76, csv.size());
        JsonNode spread = new ObjectMapper().readTree(json.toFile()).get("spread").get("valley");
        assertTrue(spread.get("min").asDouble() <= spread.get("median").asDouble());
        assertTrue(spread.get("median").asDouble() <= spread.get("max").asDouble());
        assertTrue(r.out().contains("median of 3 repeats"), r.out());
    }

    @Test
    void badOptionsAreOneLineNamingTheOption() throws IOException {
        String cfg = config().toString();
        String out = dir.resolve("never").toString();
        assertBad("--start", "lr-find", "--config", cfg, "--out", out, "--start", "0");
        assertBad("--end", "lr-find", "--config", cfg, "--out", out, "--start", "1e-3", "--end", "1e-4");
        assertBad("--steps", "lr-find", "--config", cfg, "--out", out, "--steps", "1");
        assertBad("--steps", "lr-find", "--config", cfg, "--out", out, "--steps", "12");
        assertBad("--mode", "lr-find", "--config", cfg, "--out", out, "--mode", "cubic");
        assertBad("--stop-div", "lr-find", "--config", cfg, "--out", out, "--stop-div", "0.5");
        assertBad("--suggest", "lr-find", "--config", cfg, "--out", out, "--suggest", "best");
        assertFalse(Files.exists(dir.resolve("never")), "nothing created for bad options");
        Path full = Files.createDirectories(dir.resolve("full"));
        Files.writeString(full.resolve("keep.txt"), "x");
        assertBad("--out", "lr-find", "--config", cfg, "--out", full.toString());
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertBad("--out", "lr-find", "--config", cfg, "--out", file.resolve("sub").toString());
        assertEquals("x", Files.readString(full.resolve("keep.txt")));
    }

    @Test
    void anEmptyExistingOutDirectoryIsFilled() throws IOException {
        Path out = Files.createDirectories(dir.resolve("empty"));
        assertEquals(0, CliRun.of("lr-find", "--config", config().toString(), "--out", out.toString(), "--steps",
                "20", "--skip-start", "0", "--skip-end", "0").status());
        assertTrue(Files.exists(out.resolve("lr_find.csv")));
    }

    private static void assertBad(String option, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.status(), r.out() + r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("anneal: ") && lines[0].contains(option), lines[0]);
    }
}
