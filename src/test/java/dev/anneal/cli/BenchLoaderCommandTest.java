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

/** {@code anneal bench loader}: one row per config, the verdict line, the JSON, and one-line errors. */
class BenchLoaderCommandTest {
    @TempDir
    Path dir;

    private Path config(String name, int features, int batch) throws IOException {
        Path c = dir.resolve(name);
        Files.writeString(c, """
                optimizer: {type: adamw, lr: 0.01}
                model: {hidden: [16]}
                data: {dataset: synthetic, train_samples: 200, test_samples: 20, features: %d, classes: 3, \
                batch_size: %d}
                """.formatted(features, batch));
        return c;
    }

    @Test
    void everyConfigGetsARowAndTheJsonHoldsTheRates() throws IOException {
        Path a = config("a.yaml", 8, 32);
        Path b = config("b.yaml", 20, 16);
        Path json = dir.resolve("loader.json");
        CliRun r = CliRun.of("bench", "loader", a.toString(), b.toString(), "--device", "cpu", "--steps", "3",
                "--warmup", "1", "--epochs", "2", "--json", json.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().startsWith("loader: the trainer's order for each epoch"), r.out());
        assertTrue(r.out().contains("device cpu: timing the CPU backend"), r.out());
        assertTrue(r.out().matches("(?s).*\n" + java.util.regex.Pattern.quote(a.toString())
                + " +synthetic +200 +8 +32 +[0-9.]+ +[0-9]+ +[0-9]+ +[0-9.]+x +[0-9.]+%\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\n" + java.util.regex.Pattern.quote(b.toString())
                + " +synthetic +200 +20 +16 .*"), r.out());
        assertTrue(r.out().contains("the loader is "), r.out());
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertEquals("bench loader", doc.get("command").asText());
        assertEquals(2, doc.get("results").size());
        for (JsonNode row : doc.get("results")) {
            assertTrue(row.get("loader_samples_per_second").asDouble() > 0, row.toString());
            assertTrue(row.get("step_samples_per_second").asDouble() > 0, row.toString());
            assertEquals(row.get("loader_samples_per_second").asDouble() / row.get("step_samples_per_second")
                    .asDouble(), row.get("ratio").asDouble(), 1e-9 * row.get("ratio").asDouble());
        }
        assertEquals(20, doc.get("results").get(1).get("features").asInt());
    }

    @Test
    void badArgumentsAreOneLineAndExit2() throws IOException {
        Path a = config("a.yaml", 8, 32);
        Path npz = dir.resolve("npz.yaml");
        Files.writeString(npz, "optimizer: {type: sgd, lr: 0.1}\ndata: {dataset: npz, path: " + dir.resolve("no.npz")
                + "}\n");
        String[][] cases = {
            {"bench", "loader", a.toString(), "--steps", "0"},
            {"bench", "loader", a.toString(), "--epochs", "0"},
            {"bench", "loader", a.toString(), "--warmup", "-1"},
            {"bench", "loader", dir.resolve("missing.yaml").toString()},
            {"bench", "loader", a.toString(), "--set", "data.batch_size=0"},
            {"bench", "loader", a.toString(), npz.toString()},
        };
        for (String[] args : cases) {
            CliRun r = CliRun.of(args);
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r.err() + r.out());
            assertEquals(1, r.err().strip().split("\n").length, r.err());
            assertTrue(r.err().startsWith("anneal: "), r.err());
        }
    }
}
