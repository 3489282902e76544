package dev.anneal.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.anneal.io.AtomicFiles;
import dev.anneal.io.IoProblems;
import dev.anneal.plot.LinePlot;
import dev.anneal.schedule.LrDriver;
import dev.anneal.spec.BadInput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's directory: {@code config.yaml} (the fully resolved config), {@code data.json} (the data's transform and
 * class names, {@link dev.anneal.data.DataTransform}), {@code metrics.jsonl} (one JSON object per evaluation), {@code loss.png}, {@code accuracy.png}, {@code lr.png} at the end, and {@code checkpoints/}. Every
 * file is written atomically; {@code metrics.jsonl} is rewritten whole after each evaluation, so a crash never
 * leaves half a line.
 */
public final class RunDirectory {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Path path;

    public RunDirectory(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    public Path configFile() {
        return path.resolve("config.yaml");
    }

    /** {@code data.json}: the data's transform and class names ({@link dev.anneal.data.DataTransform}). */
    public Path dataFile() {
        return path.resolve(dev.anneal.data.DataTransform.FILE);
    }

    public Path metricsFile() {
        return path.resolve("metrics.jsonl");
    }

    public void writeConfig(String resolvedYaml) throws IOException {
        AtomicFiles.write(configFile(), resolvedYaml.getBytes(StandardCharsets.UTF_8));
    }

    public void writeMetrics(List<EvalMetrics> history) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (EvalMetrics m : history) {
            out.write(JSON.writeValueAsBytes(m));
            out.write('\n');
        }
        AtomicFiles.write(metricsFile(), out.toByteArray());
    }

    /**
     * The evaluations so far (none when there is no {@code metrics.jsonl}); a line that is not one is a
     * {@link BadInput} naming the file and line.
     */
    public List<EvalMetrics> readMetrics() throws IOException {
        List<EvalMetrics> out = new ArrayList<>();
        if (!Files.exists(metricsFile())) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(metricsFile());
        } catch (IOException e) {
            throw new BadInput(metricsFile() + ": cannot be read as UTF-8 text (" + IoProblems.describe(e) + "); "
                    + "delete it to resume without the earlier epochs' metrics");
        }
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                out.add(metricsLine(i + 1, lines.get(i)));
            }
        }
        return out;
    }

    private EvalMetrics metricsLine(int number, String line) {
        try {
            return JSON.readValue(line, EvalMetrics.class);
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException j && j.getOriginalMessage() != null
                    ? j.getOriginalMessage().strip().split("\\R", 2)[0] : IoProblems.describe(e);
            throw new BadInput(metricsFile() + ":" + number + ": not a metrics line (" + why + "); fix or delete the "
                    + "line");
        }
    }

    /** Loss and accuracy per epoch, and the rate of every update. */
    public void writePlots(List<EvalMetrics> history, LrDriver driver, long updates) throws IOException {
        int n = history.size();
        double[] epochs = new double[n];
        double[] train = new double[n];
        double[] test = new double[n];
        double[] acc = new double[n];
        for (int i = 0; i < n; i++) {
            EvalMetrics m = history.get(i);
            epochs[i] = m.epoch();
            train[i] = m.trainLoss();
            test[i] = m.loss();
            acc[i] = m.accuracy() * 100;
        }
        String name = path.getFileName().toString();
        String set = n > 0 && history.get(n - 1).validated() ? "validation" : "test";
        new LinePlot("Loss", "epoch", "cross-entropy").subtitle(name).add("train", epochs, train)
                .add(set, epochs, test).writePng(path.resolve("loss.png"), 900, 500);
        String title = Character.toUpperCase(set.charAt(0)) + set.substring(1) + " accuracy";
        new LinePlot(title, "epoch", "accuracy (%)").subtitle(name).add(set, epochs, acc)
                .writePng(path.resolve("accuracy.png"), 900, 500);
        if (!driver.metricDriven() && updates > 0) {
            double[] k = new double[(int) updates];
            double[] lr = new double[(int) updates];
            for (int i = 0; i < updates; i++) {
                k[i] = i;
                lr[i] = driver.lr(i);
            }
            new LinePlot("Learning rate", "update", "learning rate").subtitle(name).add("lr", k, lr)
                    .writePng(path.resolve("lr.png"), 900, 500);
        }
    }
}
