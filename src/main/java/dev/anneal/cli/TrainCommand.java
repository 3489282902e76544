package dev.anneal.cli;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cuda.DeviceChoice;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.config.ResolvedConfig;
import dev.anneal.data.Datasets;
import dev.anneal.spec.BadInput;
import dev.anneal.train.Checkpoints;
import dev.anneal.train.EvalMetrics;
import dev.anneal.train.RunDirectory;
import dev.anneal.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code anneal train}: trains the model of a config and writes the run directory (resolved config, metrics,
 * plots, checkpoints); {@code --resume DIR} continues a run from its newest checkpoint, bit-identically on the
 * CPU.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train the model of a config (default: configs/fashion-mnist-mlp.yaml).")
final class TrainCommand implements Callable<Integer> {
    static final String DEFAULT_CONFIG = "configs/fashion-mnist-mlp.yaml";

    @Option(names = "--config", paramLabel = "FILE", description = "YAML config (default: " + DEFAULT_CONFIG + ").")
    Path config;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Where the run writes (default: runs/NAME-TIME).")
    Path runDir;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its newest checkpoint.")
    Path resume;

    @Mixin
    ConfigOverrides overrides;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        RunDirectory run;
        LoadedConfig loaded;
        Optional<Path> checkpoint = Optional.empty();
        if (resume != null) {
            if (config != null || runDir != null) {
                throw new BadInput("--resume DIR continues the run in DIR with DIR/config.yaml; drop --config and "
                        + "--run-dir");
            }
            run = new RunDirectory(resume);
            if (!Files.isRegularFile(run.configFile())) {
                throw new BadInput(resume + ": not a run directory (no config.yaml); pass the directory that "
                        + "anneal train wrote");
            }
            loaded = LoadedConfig.load(run.configFile(), overrides.assignments());
            checkpoint = new Checkpoints(resume, 1).latest();
            if (checkpoint.isEmpty()) {
                throw new BadInput(resume + ": has no checkpoint to resume from; start it again without --resume");
            }
        } else {
            Path file = config != null ? config : defaultConfig();
            loaded = LoadedConfig.load(file, overrides.assignments());
            run = new RunDirectory(runDir != null ? runDir : defaultRunDir(file));
            requireEmpty(run.path());
        }
        AnnealConfig cfg = loaded.config();
        Datasets data = Datasets.load(cfg.data(), cfg.train().seed());
        try (Backends backends = backendsFor(cfg, out);
             Trainer trainer = new Trainer(cfg, data, backends.list(), run,
                     new ProgressReporter(out, System.console() != null))) {
            note(cfg, backends.list(), trainer, out);
            Files.createDirectories(run.path());
            run.writeConfig(ResolvedConfig.toYaml(cfg));
            if (checkpoint.isPresent()) {
                trainer.resumeFrom(checkpoint.get());
            } else {
                trainer.initialize();
            }
            EvalMetrics last = trainer.run();
            out.println(String.format(Locale.ROOT, "anneal: done: test accuracy %.2f%%, test loss %.4f after %d "
                    + "updates; run directory %s", last.testAccuracy() * 100, last.testLoss(), last.step(), run.path()));
            out.flush();
        }
        return 0;
    }

    /** The replicas' backends, closed together. */
    private record Backends(List<Backend> list) implements AutoCloseable {
        @Override
        public void close() {
            RuntimeException first = null;
            for (Backend b : list) {
                try {
                    b.close();
                } catch (RuntimeException e) {
                    first = first == null ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    private static Backends backendsFor(AnnealConfig cfg, PrintWriter out) {
        DeviceChoice.Choices choice = DeviceChoice.openAll(cfg.device(), cfg.devices());
        out.println("anneal: device " + choice.note());
        return new Backends(choice.backends());
    }

    /** What runs where, beyond the device line: replicas and their all-reduce, graphs, what is ignored. */
    private static void note(AnnealConfig cfg, List<Backend> backends, Trainer trainer, PrintWriter out) {
        if (backends.size() > 1 || cfg.train().cudaGraph()) {
            out.println("anneal: " + trainer.parallelism());
        }
        for (String line : dev.anneal.config.ParallelSummary.lines(cfg)) {
            out.println("anneal: " + line);
        }
        if (cfg.train().cudaGraph() && !backends.stream().allMatch(Backend::capturesGraphs)) {
            out.println("anneal: train.cuda_graph is ignored on " + backends.get(0).name() + " (CUDA graphs need "
                    + "a CUDA device); steps run op by op");
        }
    }

    private static Path defaultConfig() {
        String home = System.getProperty("anneal.home");
        Path p = home != null ? Path.of(home).resolve(DEFAULT_CONFIG) : Path.of(DEFAULT_CONFIG);
        if (!Files.isRegularFile(p)) {
            throw new BadInput("no --config given and the default " + p + " is missing; pass --config FILE");
        }
        return p;
    }

    private static Path defaultRunDir(Path config) {
        String stem = config.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Path.of("runs", stem + "-" + time);
    }

    private static void requireEmpty(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new BadInput(dir + ": already holds a run; use --resume " + dir + " to continue it or "
                            + "another --run-dir");
                }
            }
        } else if (Files.exists(dir)) {
            throw new BadInput(dir + ": exists and is not a directory; choose another --run-dir");
        }
    }
}
