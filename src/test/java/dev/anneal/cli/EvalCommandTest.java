package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code anneal eval}: the numbers training reported, the report's shape, and one line for bad input. */
class EvalCommandTest {
    @TempDir
    static Path shared;
    static Path base;

    @BeforeAll
    static void train() throws IOException {
        base = ResumeFixture.trainBase(shared);
    }

    private static JsonNode lastMetrics(Path run) throws IOException {
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        return new ObjectMapper().readTree(lines.get(lines.size() - 1));
    }

    private static JsonNode evalJson(Path json, String... args) throws IOException {
        String[] all = new String[args.length + 3];
        all[0] = "eval";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--json";
        all[args.length + 2] = json.toString();
        CliRun r = CliRun.of(all);
        assertEquals(0, r.status(), r.err());
        return new ObjectMapper().readTree(json.toFile());
    }

    @Test
    void reportsExactlyTheLossAndAccuracyTrainingReportedForTheNewestCheckpoint(@TempDir Path tmp) throws IOException {
        JsonNode last = lastMetrics(base);
        JsonNode j = evalJson(tmp.resolve("e.json"), base.toString());
        assertEquals(last.get("test_loss").doubleValue(), j.get("test_loss").doubleValue());
        assertEquals(last.get("test_accuracy").doubleValue(), j.get("test_accuracy").doubleValue());
        assertEquals(8, j.get("step").asLong());
        long sum = 0;
        long diagonal = 0;
        JsonNode m = j.get("confusion_matrix");
        assertEquals(2, m.size());
        for (int t = 0; t < m.size(); t++) {
            for (int p = 0; p < m.get(t).size(); p++) {
                sum += m.get(t).get(p).asLong();
                diagonal += t == p ? m.get(t).get(p).asLong() : 0;
            }
        }
        assertEquals(20, sum);
        assertEquals(j.get("test_accuracy").doubleValue(), diagonal / 20.0);
    }

    @Test
    void aCheckpointDirectoryIsEvaluatedWithItsRunsConfig(@TempDir Path tmp) throws IOException {
        List<String> lines = Files.readAllLines(base.resolve("metrics.jsonl"));
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        JsonNode j = evalJson(tmp.resolve("e.json"), base.resolve(ResumeFixture.OLDER).toString());
        assertEquals(4, j.get("step").asLong());
        assertEquals(first.get("test_loss").doubleValue(), j.get("test_loss").doubleValue());
        assertEquals(first.get("test_accuracy").doubleValue(), j.get("test_accuracy").doubleValue());
    }

    @Test
    void perClassScoresFollowTheConfusionMatrixAsSklearnDefinesThem(@TempDir Path tmp) throws IOException {
        JsonNode j = evalJson(tmp.resolve("e.json"), base.toString());
        JsonNode m = j.get("confusion_matrix");
        double macroF1 = 0;
        for (int c = 0; c < 2; c++) {
            long tp = m.get(c).get(c).asLong();
            long predicted = m.get(0).get(c).asLong() + m.get(1).get(c).asLong();
            long support = m.get(c).get(0).asLong() + m.get(c).get(1).asLong();
            double p = predicted == 0 ? 0 : (double) tp / predicted;
            double r = support == 0 ? 0 : (double) tp / support;
            JsonNode row = j.get("classes").get(c);
            assertEquals(p, row.get("precision").doubleValue(), 1e-15);
            assertEquals(r, row.get("recall").doubleValue(), 1e-15);
            assertEquals(support, row.get("support").asLong());
            double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
            assertEquals(f1, row.get("f1").doubleValue(), 1e-15);
            macroF1 += f1 / 2;
        }
        assertEquals(macroF1, j.get("macro_avg").get("f1").doubleValue(), 1e-15);
    }

    @Test
    void printsTheReportAndWritesAPngHeatmap(@TempDir Path tmp) throws IOException {
        Path png = tmp.resolve("confusion.png");
        CliRun r = CliRun.of("eval", base.toString(), "--plot", png.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("precision"), r.out());
        assertTrue(r.out().contains("macro avg"), r.out());
        assertTrue(r.out().contains("confusion matrix (rows: true class, columns: predicted class, numbered as the "
                + "rows above)"), r.out());
        byte[] bytes = Files.readAllBytes(png);
        assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G');
    }

    @Test
    void classesAreNamedAsTheDataNamesThem(@TempDir Path tmp) throws IOException {
        StringBuilder csv = new StringBuilder("a,b,animal\n");
        for (int i = 0; i < 40; i++) {
            boolean cat = i % 2 == 0;
            csv.append(cat ? i % 7 : 20 + i % 5).append(',').append(i % 3).append(',').append(cat ? "cat" : "dog")
                    .append('\n');
        }
        Path data = tmp.resolve("pets.csv");
        Files.writeString(data, csv);
        Path c = tmp.resolve("c.yaml");
        Files.writeString(c, "optimizer: {type: adam, lr: 0.05}\nmodel: {hidden: [4]}\ntrain: {epochs: 2}\n"
                + "data: {dataset: csv, path: " + data + ", label_column: animal, validation_split: 0.25, "
                + "batch_size: 8}\n");
        Path run = tmp.resolve("run");
        assertEquals(0, CliRun.of("train", "--config", c.toString(), "--run-dir", run.toString()).status());
        CliRun r = CliRun.of("eval", run.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().matches("(?s).*\\n +cat +\\d\\.\\d{4}.*\\n +dog +\\d\\.\\d{4}.*"), r.out());
        JsonNode j = evalJson(tmp.resolve("e.json"), run.toString());
        assertEquals("cat", j.get("classes").get(0).get("name").asText());
        assertEquals("dog", j.get("classes").get(1).get("name").asText());
        assertEquals(10, j.get("samples").asLong());
    }

    @Test
    void otherDataOfTheSameShapeIsEvaluatedThroughSetOrDataConfig(@TempDir Path tmp) throws IOException {
        JsonNode more = evalJson(tmp.resolve("a.json"), base.toString(), "--set", "data.test_samples=50");
        assertEquals(50, more.get("samples").asLong());
        Path dataConfig = tmp.resolve("d.yaml");
        Files.writeString(dataConfig, "data: {dataset: synthetic, train_samples: 100, test_samples: 30, features: 4,"
                + " classes: 2, batch_size: 25}\n");
        JsonNode other = evalJson(tmp.resolve("b.json"), base.toString(), "--data-config", dataConfig.toString());
        assertEquals(30, other.get("samples").asLong());
    }

    @Test
    void badInputIsOneLineWithStatusTwoAndLeavesTheRunAsItWas(@TempDir Path tmp) throws IOException {
        Path run = ResumeFixture.copy(base, tmp);
        Path shape = tmp.resolve("shape.yaml");
        Files.writeString(shape, "data: {dataset: synthetic, features: 5, classes: 2}\n");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        RunDirSnapshot before = RunDirSnapshot.of(run);
        for (String[] args : List.of(
                new String[] {"eval", empty.toString()},
                new String[] {"eval", tmp.resolve("missing").toString()},
                new String[] {"eval", run.toString(), "--data-config", shape.toString()},
                new String[] {"eval", run.toString(), "--set", "optimizer.lr=1"})) {
            CliRun r = CliRun.of(args);
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("anneal: ") && r.err().strip().lines().count() == 1, r.err());
        }
        assertEquals(before, RunDirSnapshot.of(run));
        Files.writeString(run.resolve(ResumeFixture.NEWEST).resolve("model.safetensors"), "damaged");
        RunDirSnapshot damagedRun = RunDirSnapshot.of(run);
        CliRun damaged = CliRun.of("eval", run.toString());
        assertEquals(2, damaged.status(), damaged.err());
        assertTrue(damaged.err().contains("model.safetensors") && damaged.err().strip().lines().count() == 1,
                damaged.err());
        assertEquals(damagedRun, RunDirSnapshot.of(run));
    }
}
