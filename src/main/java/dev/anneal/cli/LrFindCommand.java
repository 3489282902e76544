package dev.anneal.cli;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cuda.DeviceChoice;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.data.Datasets;
import dev.anneal.io.IoProblems;
import dev.anneal.spec.BadInput;
import dev.anneal.tune.Curve;
import dev.anneal.tune.LrFindFiles;
import dev.anneal.tune.LrFindPlot;
import dev.anneal.tune.LrFindResult;
import dev.anneal.tune.OutputDirectory;
import dev.anneal.tune.Ramp;
import dev.anneal.tune.RangeTest;
import dev.anneal.tune.RangeTestSpec;
import dev.anneal.tune.RateConfig;
import dev.anneal.tune.Spread;
import dev.anneal.tune.Suggestions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code anneal lr-find}: the LR range test ({@link RangeTest}) on a throwaway copy of a config's model, its
 * suggestions on stdout, {@code lr_find.csv} and {@code lr_find.png} in {@code --out}, optionally a JSON summary and
 * the config with the chosen rate filled in ({@link RateConfig}).
 */
@Command(name = "lr-find", mixinStandardHelpOptions = true, sortOptions = false,
        description = "LR range test: train a throwaway copy of the model while the rate rises from --start to "
                + "--end, and suggest rates (fastai valley, steep, minimum/10, slide; CLR bounds; one-cycle max_lr).")
final class LrFindCommand implements Callable<Integer> {
    private static final RangeTestSpec DEFAULTS = RangeTestSpec.defaults(0);

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML config of the model to test.")
    Path config;

    @Mixin
    ConfigOverrides overrides;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory, new or empty (default: "
            + "runs/lr-find-TIME).")
    Path out;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the suggestions as JSON.")
    Path json;

    @Option(names = "--start", paramLabel = "LR", description = "Rate of the first update (default 1e-7).")
    double start = DEFAULTS.start();

    @Option(names = "--end", paramLabel = "LR", description = "Rate of the last update (default 10).")
    double end = DEFAULTS.end();

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer updates (global batches; default 100).")
    long steps = DEFAULTS.steps();

    @Option(names = "--mode", paramLabel = "exp|linear", description = "Ramp: exp (default; fastai, Lightning) or "
            + "linear (Smith's original).")
    String mode = "exp";

    @Option(names = "--stop-div", paramLabel = "X", description = "Stop once the smoothed loss exceeds X times the "
            + "best (default 4; 0: never).")
    double stopDiv = DEFAULTS.stopDiv();

    @Option(names = "--smooth", paramLabel = "BETA", description = "Smoothing of the loss, bias-corrected EMA "
            + "(default 0.98; 0: raw).")
    double smooth = DEFAULTS.smooth();

    @Option(names = "--skip-start", paramLabel = "N", description = "Points left out at the start when suggesting "
            + "(default 10).")
    int skipStart = DEFAULTS.skipStart();

    @Option(names = "--skip-end", paramLabel = "N", description = "Points left out at the end when suggesting "
            + "(default 5).")
    int skipEnd = DEFAULTS.skipEnd();

    @Option(names = "--eval-every", paramLabel = "N", description = "Evaluate on a test subset every N updates "
            + "(default 0: never).")
    long evalEvery = DEFAULTS.evalEvery();

    @Option(names = "--eval-samples", paramLabel = "N", description = "The subset: the first N test samples "
            + "(default 1000).")
    int evalSamples = DEFAULTS.evalSamples();

    @Option(names = "--repeats", paramLabel = "R", description = "Run R data orders (train.seed + r) and report "
            + "each suggestion's spread (default 1).")
    int repeats = DEFAULTS.repeats();

    @Option(names = "--suggest", paramLabel = "NAME", description = "The suggestion used as suggested_lr and for "
            + "optimizer.lr: valley (default), steep, minimum, slide.")
    String suggest = "valley";

    @Option(names = "--write-config", paramLabel = "OUT.yaml", description = "Write the config with the rate filled "
            + "in (cyclic: base_lr, max_lr; one_cycle: max_lr; else optimizer.lr).")
    Path writeConfig;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try {
            return find();
        } catch (IOException e) {
            throw new BadInput(IoProblems.describe(e));
        } catch (UncheckedIOException e) {
            throw new BadInput(IoProblems.describe(e.getCause()));
        }
    }

    private int find() throws IOException {
        Ramp ramp = Ramp.parse(mode);
        if (ramp == null) {
            throw new BadInput("--mode must be exp or linear, got '" + mode + "'");
        }
        if (!Arrays.asList(Suggestions.NAMES).contains(suggest)) {
            throw new BadInput("--suggest must be one of " + String.join(", ", Suggestions.NAMES) + ", got '"
                    + suggest + "'");
        }
        AnnealConfig cfg = LoadedConfig.load(config, overrides.assignments()).config();
        RangeTestSpec test = new RangeTestSpec(start, end, steps, ramp, stopDiv, smooth, skipStart, skipEnd,
                evalEvery, evalSamples, repeats, cfg.train().seed());
        OutputPath.check("--json", json);
        OutputPath.check("--write-config", writeConfig);
        OutputDirectory dir = OutputDirectory.claim("--out", out != null ? out : defaultOut());
        boolean done = false;
        try {
            LrFindResult result = run(cfg, test);
            LrFindFiles.writeCsv(dir.staging().resolve("lr_find.csv"), result);
            LrFindPlot.write(dir.staging().resolve("lr_find.png"), result, config.getFileName() + ", "
                    + describe(test));
            dir.commit();
            done = true;
            if (!result.anySuggestion()) {
                throw new BadInput("the range test kept too few points to suggest a rate (" + result.points()
                        + " recorded, --skip-start " + skipStart + ", --skip-end " + skipEnd + "); the curve is in "
                        + dir.target() + "; lower --end or the skips, or raise --steps");
            }
            report(result, dir.target());
            if (json != null) {
                OutputPath.write("--json", json, o -> o.write(LrFindFiles.jsonBytes(result)));
            }
            if (writeConfig != null) {
                RateConfig.Written w = RateConfig.of(cfg, result);
                OutputPath.write("--write-config", writeConfig,
                        o -> o.write(w.yaml().getBytes(StandardCharsets.UTF_8)));
                println("anneal: wrote " + writeConfig + " (" + w.change() + ")");
            }
            return 0;
        } finally {
            if (!done) {
                dir.abandon();
            }
        }
    }

    private LrFindResult run(AnnealConfig cfg, RangeTestSpec test) throws IOException {
        Datasets data = Datasets.load(cfg.data(), cfg.train().seed());
        DeviceChoice.Choices choice = DeviceChoice.openAll(cfg.device(), cfg.devices());
        try {
            println("anneal: device " + choice.note());
            RangeTest rangeTest = new RangeTest(cfg, test, data, choice.backends());
            println(String.format(Locale.ROOT, "anneal: lr-find: %s; %d updates of %d samples (%d per epoch)",
                    describe(test), test.steps(), cfg.globalBatch(), rangeTest.stepsPerEpoch()));
            long t0 = System.nanoTime();
            List<Curve> curves = rangeTest.runAll();
            double seconds = (System.nanoTime() - t0) * 1e-9;
            for (Curve c : curves) {
                println(String.format(Locale.ROOT, "anneal: seed %d: %d updates%s", c.seed(), c.points().size(),
                        c.stoppedEarly() ? ", stopped early: " + c.stopReason() : ""));
            }
            println(String.format(Locale.ROOT, "anneal: range test took %.1f s", seconds));
            return LrFindResult.of(test, suggest, curves, data.validating() ? "val" : "test");
        } finally {
            for (Backend b : choice.backends()) {
                b.close();
            }
        }
    }

    private void report(LrFindResult result, Path dir) {
        boolean spread = result.curves().size() > 1;
        println(String.format(Locale.ROOT, "suggested_lr      %s  (%s%s)", fmt(result.suggestedLr()), suggest,
                spread ? ", median of " + result.curves().size() + " repeats" : ""));
        Map<String, Spread> spreads = result.spreads();
        for (Map.Entry<String, Spread> e : spreads.entrySet()) {
            Spread s = e.getValue();
            String range = spread ? String.format(Locale.ROOT, "  (min %s, max %s)", fmt(s.min()), fmt(s.max())) : "";
            println(String.format(Locale.ROOT, "%-17s %s%s", e.getKey(), fmt(s.median()), range));
        }
        println("clr rule          " + result.perRepeat().get(0).clr().rule());
        println("anneal: wrote " + dir.resolve("lr_find.csv") + " and " + dir.resolve("lr_find.png"));
    }

    private static String describe(RangeTestSpec t) {
        return String.format(Locale.ROOT, "%s ramp %s to %s", t.ramp().label(), fmt(t.start()), fmt(t.end()));
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : "none";
    }

    private void println(String line) {
        PrintWriter w = spec.commandLine().getOut();
        w.println(line);
        w.flush();
    }

    private static Path defaultOut() {
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Path.of("runs", "lr-find-" + time);
    }
}
