package dev.anneal.cli;

import dev.anneal.bench.LoaderBench;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.data.Datasets;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code anneal bench loader [CONFIG ...]}: for each config, reads its training set as {@code anneal train} would,
 * then times the data loader alone and the training step on that data in the same run ({@link LoaderBench}), and
 * prints one row per config: samples/s of each, their ratio and the share of a step spent gathering. The last line
 * says whether the loader is ever the bottleneck (a ratio below 1).
 */
@Command(name = "loader", mixinStandardHelpOptions = true,
        description = "The data loader alone (samples/s of the batch gathering over each epoch's shuffled order) "
                + "against the training step on the same data, for each config.")
final class BenchLoaderCommand implements Callable<Integer> {
    /** Timed loader epochs last at least this long together (a small set's epoch takes microseconds). */
    static final double MIN_SECONDS = 0.5;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "CONFIG", arity = "0..*",
            description = "YAML configs (default: " + TrainCommand.DEFAULT_CONFIG + ").")
    List<Path> configs = new ArrayList<>();

    @Mixin
    ConfigOverrides overrides;

    @Option(names = "--device", paramLabel = "DEVICE",
            description = "auto | cpu | cuda | cuda:N for the step (default: each config's device).")
    String device;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "50",
            description = "Timed training steps; the median is reported (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "5",
            description = "Untimed training steps and loader epochs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "5",
            description = "Timed loader epochs, at least (more until they last 0.5 s); the median is reported "
                    + "(default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    Path json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        BenchCommand.checkRuns(steps, warmup);
        if (epochs < 1) {
            throw new BadInput("--epochs must be >= 1, got " + epochs);
        }
        OutputPath.check("--json", json);
        List<Path> files = configs.isEmpty()
                ? List.of(TrainCommand.defaultConfig("CONFIG", "name a config file")) : configs;
        List<AnnealConfig> loaded = new ArrayList<>();
        for (Path f : files) {
            loaded.add(LoadedConfig.load(f, overrides.assignments()).config());
        }
        LoaderBench.Settings settings = new LoaderBench.Settings(warmup, epochs, MIN_SECONDS, warmup, steps);
        out.println(String.format(Locale.ROOT, "loader: the trainer's order for each epoch and Batches.gather of "
                + "every step's micro-batches into reused buffers, on one thread; median epoch of >= %d (>= %.1f s) "
                + "after %d", epochs, MIN_SECONDS, warmup));
        out.println(String.format(Locale.ROOT, "step: the trainer's whole data step (gather, upload, forward + "
                + "backward, optimizer step) on the same data, one replica; median of %d after %d", steps, warmup));
        out.println("ratio: loader samples/s / step samples/s; share: the part of a step spent gathering (1 / ratio)");
        List<Map<String, Object>> rows = new ArrayList<>();
        String lastDevice = null;
        double least = Double.POSITIVE_INFINITY;
        String leastConfig = null;
        for (int i = 0; i < files.size(); i++) {
            AnnealConfig cfg = loaded.get(i);
            long t0 = System.nanoTime();
            Datasets data = Datasets.load(cfg.data(), cfg.train().seed());
            double readSeconds = (System.nanoTime() - t0) / 1e9;
            try (BenchCommand.Opened o = BenchCommand.Opened.open(device != null ? device : cfg.device())) {
                if (!o.line().equals(lastDevice)) {
                    out.println(o.line());
                    out.println(header());
                    lastDevice = o.line();
                }
                LoaderBench.Result r = LoaderBench.run(o.backend(), cfg, data.train(), settings);
                out.println(row(files.get(i).toString(), cfg.data().dataset(), readSeconds, r));
                out.flush();
                if (r.ratio() < least) {
                    least = r.ratio();
                    leastConfig = files.get(i).toString();
                }
                rows.add(toMap(files.get(i), cfg, data, readSeconds, r, o.line()));
            }
        }
        out.println(verdict(least, leastConfig));
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("command", "bench loader");
            doc.put("min_loader_seconds", MIN_SECONDS);
            doc.put("results", rows);
            BenchCommand.writeJson(json, doc);
            out.println("wrote " + json);
        }
        out.flush();
        return 0;
    }

    static String header() {
        return String.format(Locale.ROOT, "%-40s %-13s %7s %8s %5s %8s %14s %12s %9s %7s", "config", "dataset", "train",
                "features", "batch", "read s", "loader samp/s", "step samp/s", "ratio", "share");
    }

    static String row(String config, String dataset, double readSeconds, LoaderBench.Result r) {
        return String.format(Locale.ROOT, "%-40s %-13s %7d %8d %5d %8.2f %14.0f %12.0f %8.1fx %6.2f%%", config,
                dataset, r.n(), r.d(), r.batch() * r.accumulation(), readSeconds, r.loader().samplesPerSecond(),
                r.step().samplesPerSecond(), r.ratio(), 100 * r.loaderShare());
    }

    /** One line: whether the loader is ever slower than the step, and the closest case. */
    static String verdict(double least, String config) {
        if (least < 1) {
            return String.format(Locale.ROOT, "the loader is the bottleneck for %s: it delivers %.2fx the samples "
                    + "the step consumes", config, least);
        }
        return String.format(Locale.ROOT, "the loader is never the bottleneck here: it delivers at least %.1fx the "
                + "samples the step consumes (%s), so gathering takes at most %.2f%% of a step", least, config,
                100 / least);
    }

    private static Map<String, Object> toMap(Path file, AnnealConfig cfg, Datasets data, double readSeconds,
                                             LoaderBench.Result r, String device) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("config", file.toString());
        m.put("device", device);
        m.put("dataset", cfg.data().dataset());
        m.put("description", data.description());
        m.put("train_samples", r.n());
        m.put("features", r.d());
        m.put("classes", r.classes());
        m.put("batch", r.batch());
        m.put("accumulation", r.accumulation());
        m.put("read_seconds", readSeconds);
        m.put("loader_epochs", r.loader().epochs());
        m.put("loader_seconds_per_epoch", r.loader().secondsPerEpoch());
        m.put("loader_samples_per_second", r.loader().samplesPerSecond());
        m.put("step_steps", r.step().steps());
        m.put("step_samples", r.step().samplesPerStep());
        m.put("step_seconds", r.step().secondsPerStep());
        m.put("step_samples_per_second", r.step().samplesPerSecond());
        m.put("parameters", r.step().parameters());
        m.put("ratio", r.ratio());
        m.put("loader_share", r.loaderShare());
        return m;
    }
}
