package dev.anneal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anneal.backend.Backend;
import dev.anneal.backend.cuda.DeviceChoice;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.ConfigBinder;
import dev.anneal.config.ConfigDocument;
import dev.anneal.config.Overrides;
import dev.anneal.data.Dataset;
import dev.anneal.data.DataTransform;
import dev.anneal.data.Datasets;
import dev.anneal.plot.ConfusionPlot;
import dev.anneal.spec.BadInput;
import dev.anneal.train.ClassificationReport;
import dev.anneal.train.ClassificationReport.Score;
import dev.anneal.train.ModelEvaluation;
import dev.anneal.train.SavedCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code anneal eval}: evaluates a run's newest checkpoint (or a given checkpoint directory) on the test set of
 * the run's data (or its validation set: {@code --split validation}, the default when the data has no test set), or
 * of other data of the same shape, and prints loss, accuracy, scikit-learn's
 * {@code classification_report} and the confusion matrix ({@link ClassificationReport}). The data is mapped as the
 * run's training data was, by the statistics saved in {@code RUN/data.json} ({@link DataTransform#loadMapped}),
 * not by statistics of the data evaluated; a run without that file (from an earlier anneal) recomputes them from
 * its data. Nothing in the run is written.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a run's newest checkpoint (or RUN/checkpoints/step-N, RUN/checkpoints/best) on its "
                + "test set: loss, accuracy, per-class precision/recall/F1, confusion matrix.")
final class EvalCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR|CHECKPOINT_DIR", description = "A run directory or one of its checkpoints.")
    Path target;

    @Option(names = "--data-config", paramLabel = "F", description = "Evaluate on F's data: section instead.")
    Path dataConfig;

    @Mixin
    ConfigOverrides overrides;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the whole report as one JSON object.")
    Path json;

    @Option(names = "--plot", paramLabel = "FILE", description = "Write the confusion matrix as a PNG heatmap.")
    Path plot;

    @Option(names = "--split", paramLabel = "SET", description = "test or validation (the data.validation_split "
            + "held out of the training set); default test, or validation when the data has no test set.")
    String split;

    @Option(names = "--device", paramLabel = "D", description = "auto, cpu, cuda or cuda:N (default: the run's "
            + "device when it names one, else auto).")
    String device;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        OutputPath.check("--json", json);
        OutputPath.check("--plot", plot);
        for (String a : overrides.assignments()) {
            if (!a.strip().startsWith("data.")) {
                throw new BadInput("--set " + a + ": anneal eval may change only data.* keys (the data to evaluate "
                        + "on); the model and its weights are the run's");
            }
        }
        if (split != null && !split.equals("test") && !split.equals("validation")) {
            throw new BadInput("--split must be test or validation, got " + split);
        }
        TrainedRun trained = TrainedRun.of(target);
        Path run = trained.dir();
        Path configFile = trained.configFile();
        AnnealConfig cfg = config(configFile);
        SavedCheckpoint checkpoint = trained.checkpoint("evaluate");
        Path saved = run.resolve(DataTransform.FILE);
        Datasets data = Files.isRegularFile(saved)
                ? DataTransform.read(saved).loadMapped(cfg.data(), cfg.train().seed(), saved.toString())
                : Datasets.load(cfg.data(), cfg.train().seed());
        boolean validation = "validation".equals(split) || split == null && data.test() == null;
        Dataset test = validation ? data.validation() : data.test();
        if (test == null) {
            throw new BadInput("--split " + (validation ? "validation: the data has no validation set; set "
                    + "data.validation_split (--set data.validation_split=0.1)" : "test: the data has no test set; "
                    + "give one with --set data.test_path=PATH or evaluate --split validation"));
        }
        String prefix = validation ? "val_" : "test_";
        String described = data.description() + "; evaluated: the " + (validation ? "validation" : "test") + " set";
        PrintWriter out = spec.commandLine().getOut();
        DeviceChoice.Choice choice = DeviceChoice.open(TrainedRun.device(device, cfg));
        ClassificationReport report;
        try (Backend backend = choice.backend()) {
            out.println("anneal: device " + choice.note());
            report = ModelEvaluation.run(cfg, test, checkpoint, backend);
        }
        print(out, checkpoint, described, prefix, report, data.classNames());
        if (json != null) {
            ObjectNode j = toJson(checkpoint, validation ? "validation" : "test", prefix, report, data.classNames());
            OutputPath.write("--json", json, o -> o.write(new ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(j)));
        }
        if (plot != null) {
            ConfusionPlot heatmap = new ConfusionPlot(report.confusion(), "Confusion matrix", run.getFileName()
                    + "/checkpoints/" + checkpoint.dir().getFileName() + " (update " + checkpoint.state().updates()
                    + ") on " + described);
            OutputPath.write("--plot", plot, heatmap::writePngTo);
        }
        out.flush();
        return 0;
    }

    /**
     * The run's config, with {@code --data-config}'s data section and the {@code --set data.*} overrides. With
     * {@code --data-config F} the document is F's (so a problem in its data section names F and its line) with
     * every other section taken from the run's config.
     */
    private AnnealConfig config(Path configFile) {
        ConfigDocument run = ConfigDocument.load(configFile);
        ConfigDocument doc = run;
        if (dataConfig != null) {
            doc = ConfigDocument.load(dataConfig);
            JsonNode section = doc.root().get("data");
            if (section == null || !section.isObject()) {
                throw new BadInput("--data-config " + dataConfig + ": has no data: section (a mapping) to evaluate "
                        + "on");
            }
            doc.root().removeAll();
            doc.root().set("data", section);
            for (var it = run.root().fields(); it.hasNext(); ) {
                var f = it.next();
                if (!f.getKey().equals("data")) {
                    doc.root().set(f.getKey(), f.getValue());
                }
            }
        }
        if (dataConfig != null || !overrides.assignments().isEmpty()) {
            doc.root().remove("effective");
        }
        Overrides.apply(doc, overrides.assignments());
        return ConfigBinder.bind(doc);
    }

    /** The report as sklearn's classification_report prints it, rows named by the data's class names. */
    private static void print(PrintWriter out, SavedCheckpoint c, String data, String prefix, ClassificationReport r,
                              List<String> names) {
        out.println("anneal: " + c.dir() + " (update " + c.state().updates() + ") on " + data);
        out.println(prefix + "loss " + r.loss() + "  " + prefix + "accuracy " + r.accuracy() + "  ("
                + Math.round(r.accuracy() * r.samples()) + " of " + r.samples() + ")");
        out.println();
        out.println(String.format(Locale.ROOT, "%12s %10s %10s %10s %10s", "", "precision", "recall", "f1-score",
                "support"));
        for (int c2 = 0; c2 < r.classes(); c2++) {
            out.println(String.format(Locale.ROOT, "%12s %10.4f %10.4f %10.4f %10d", names.get(c2), r.precision(c2),
                    r.recall(c2), r.f1(c2), r.support(c2)));
        }
        out.println();
        out.println(String.format(Locale.ROOT, "%12s %10s %10s %10.4f %10d", "accuracy", "", "", r.accuracy(),
                r.samples()));
        for (String kind : List.of("macro avg", "weighted avg")) {
            boolean macro = kind.startsWith("macro");
            out.println(String.format(Locale.ROOT, "%12s %10.4f %10.4f %10.4f %10d", kind,
                    macro ? r.macro(Score.PRECISION) : r.weighted(Score.PRECISION),
                    macro ? r.macro(Score.RECALL) : r.weighted(Score.RECALL),
                    macro ? r.macro(Score.F1) : r.weighted(Score.F1), r.samples()));
        }
        out.println();
        out.println("confusion matrix (rows: true class, columns: predicted class, numbered as the rows above)");
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%6s", ""));
        for (int p = 0; p < r.classes(); p++) {
            head.append(String.format(Locale.ROOT, " %7d", p));
        }
        out.println(head);
        for (int t = 0; t < r.classes(); t++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%6d", t));
            for (long v : r.confusion()[t]) {
                row.append(String.format(Locale.ROOT, " %7d", v));
            }
            out.println(row);
        }
    }

    private static ObjectNode toJson(SavedCheckpoint c, String set, String prefix, ClassificationReport r,
                                     List<String> names) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode j = m.createObjectNode();
        j.put("checkpoint", c.dir().toString());
        j.put("step", c.state().updates());
        j.put("set", set);
        j.put(prefix + "loss", r.loss());
        j.put(prefix + "accuracy", r.accuracy());
        j.put("samples", r.samples());
        ArrayNode classes = j.putArray("classes");
        for (int c2 = 0; c2 < r.classes(); c2++) {
            classes.addObject().put("class", c2).put("name", names.get(c2)).put("precision", r.precision(c2))
                    .put("recall", r.recall(c2))
                    .put("f1", r.f1(c2)).put("support", r.support(c2));
        }
        for (String kind : List.of("macro_avg", "weighted_avg")) {
            boolean macro = kind.startsWith("macro");
            ObjectNode avg = j.putObject(kind);
            for (Score s : Score.values()) {
                avg.put(s.name().toLowerCase(Locale.ROOT), macro ? r.macro(s) : r.weighted(s));
            }
        }
        ArrayNode matrix = j.putArray("confusion_matrix");
        for (long[] row : r.confusion()) {
            ArrayNode a = matrix.addArray();
            for (long v : row) {
                a.add(v);
            }
        }
        return j;
    }
}
