package dev.anneal.cli;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cuda.DeviceChoice;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.config.ResolvedConfig;
import dev.anneal.config.SizeLimits;
import dev.anneal.data.DataTransform;
import dev.anneal.data.Datasets;
import dev.anneal.distributed.ProcessGroup;
import dev.anneal.io.AtomicFiles;
import dev.anneal.io.IoProblems;
import dev.anneal.spec.BadInput;
import dev.anneal.train.Checkpoints;
import dev.anneal.train.EvalMetrics;
import dev.anneal.train.NewRunDirectory;
import dev.anneal.train.ResumeOverrides;
import dev.anneal.train.RunDirectory;
import dev.anneal.train.SavedCheckpoint;
import dev.anneal.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
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
    public Integer call() throws Exception {
        try {
            return resume != null ? resumeRun() : newRun();
        } catch (IOException e) {
            throw new BadInput(IoProblems.describe(e));
        } catch (UncheckedIOException e) {
            throw new BadInput(IoProblems.describe(e.getCause()));
        }
    }

    /**
     * A new run: the config is validated and the run directory claimed before anything else; a run that fails
     * before its first checkpoint leaves no directory behind ({@link NewRunDirectory#abandon}).
     */
    private int newRun() throws Exception {
        Path file = config != null ? config : defaultConfig();
        LoadedConfig loaded = LoadedConfig.load(file, overrides.assignments());
        AnnealConfig cfg = loaded.config();
        try (RunProcesses processes = RunProcesses.join(cfg)) {
            return processes.run(() -> {
                Path dir = runDir != null ? runDir : defaultRunDir(file);
                boolean writes = processes.group().writes();
                NewRunDirectory claimed = writes ? NewRunDirectory.claim(dir) : null;
                boolean done = false;
                try {
                    RunDirectory run = new RunDirectory(processes.agree(writes ? claimed.path() : dir));
                    train(cfg, run, processes, trainer -> {
                        if (writes) {
                            run.writeConfig(ResolvedConfig.toYaml(cfg));
                        }
                        trainer.initialize();
                    });
                    done = true;
                } finally {
                    if (!done && claimed != null) {
                        claimed.abandon();
                    }
                }
                return 0;
            }, spec.commandLine().getErr());
        }
    }

    /**
     * A resumed run: the run's config, the overrides ({@link ResumeOverrides}) and the newest checkpoint (read
     * whole and checked against the model, optimizer and data position) are all validated before anything is
     * written; {@code config.yaml} is rewritten only when an override changed it.
     */
    private int resumeRun() throws Exception {
        if (config != null || runDir != null) {
            throw new BadInput("--resume DIR continues the run in DIR with DIR/config.yaml; drop --config and "
                    + "--run-dir");
        }
        if (!Files.isDirectory(resume)) {
            throw new BadInput(resume + ": " + (Files.exists(resume) ? "not a directory" : "no such directory")
                    + "; pass the run directory that anneal train wrote");
        }
        RunDirectory run = new RunDirectory(resume);
        if (!Files.isRegularFile(run.configFile())) {
            throw new BadInput(resume + ": not a run directory (no config.yaml); pass the directory that "
                    + "anneal train wrote");
        }
        AnnealConfig saved = LoadedConfig.load(run.configFile(), List.of()).config();
        AnnealConfig cfg;
        try {
            cfg = overrides.assignments().isEmpty() ? saved
                    : LoadedConfig.load(run.configFile(), overrides.assignments()).config();
        } catch (RuntimeException e) {
            ResumeOverrides.checkKeys(resume, saved, overrides.assignments());
            throw e;
        }
        ResumeOverrides.check(resume, saved, cfg, overrides.assignments());
        SavedCheckpoint checkpoint = new Checkpoints(resume, 1).readNewest().orElseThrow(() -> new BadInput(resume
                + ": has no checkpoint to resume from (the run stopped before its first); start it anew with "
                + "--config " + run.configFile() + " and another --run-dir"));
        String yaml = ResolvedConfig.toYaml(cfg);
        boolean changed = !yaml.equals(ResolvedConfig.toYaml(saved));
        try (RunProcesses processes = RunProcesses.join(cfg)) {
            return processes.run(() -> {
                train(cfg, run, processes, trainer -> {
                    trainer.resumeFrom(checkpoint);
                    if (changed && processes.group().writes()) {
                        run.writeConfig(yaml);
                    }
                });
                return 0;
            }, spec.commandLine().getErr());
        }
    }

    /** What happens between building the trainer and running it: initialise or restore, write the config. */
    @FunctionalInterface
    private interface Start {
        void prepare(Trainer trainer) throws IOException;
    }

    private void train(AnnealConfig cfg, RunDirectory run, RunProcesses processes, Start start) throws IOException {
        PrintWriter out = processes.output(spec.commandLine().getOut());
        ProcessGroup group = processes.group();
        DataTransform.Loaded loaded = DataTransform.load(cfg.data(), cfg.train().seed());
        Datasets data = loaded.data();
        // The config's sizes were checked against an assumed shape; now the data's real one is known.
        SizeLimits.check(cfg, data.train().shape(), data.train().classes(), data.train().n(), data.heldOutSamples(),
                data.train().mapped())
                .ifPresent(e -> {
                    throw new BadInput(e.key() + " " + e.problem() + " (with " + data.description() + ")");
                });
        if (resume == null) {
            if (group.writes()) {
                AtomicFiles.write(run.dataFile(), loaded.transform().toJson());
            }
        } else if (Files.isRegularFile(run.dataFile())) {
            // A resumed run keeps its data.json (a run from an earlier anneal goes on without one), and trains on
            // data that maps as the run's did: new data with other statistics or classes would change the model's
            // inputs under it.
            DataTransform.read(run.dataFile()).difference(loaded.transform()).ifPresent(d -> {
                throw new BadInput(run.dataFile() + ": the data now loads with " + d + "; resume on the data the run"
                        + " was trained on (data.path, data.test_path), or train a new run on this data");
            });
        }
        try (Backends backends = backendsFor(cfg, processes.localRank(), out);
             Trainer trainer = new Trainer(cfg, data, backends.list(), run,
                     new ProgressReporter(out, System.console() != null && group.writes()), group)) {
            if (group.size() > 1) {
                out.println("anneal: " + group.describe());
            }
            if (!processes.note().isEmpty()) {
                out.println("anneal: " + processes.note());
            }
            note(cfg.acrossProcesses(group.size()), backends.list(), trainer, out);
            out.println("anneal: model for samples " + java.util.Arrays.toString(data.train().shape()) + ":");
            trainer.model().plan().summary().lines().forEach(l -> out.println("  " + l));
            start.prepare(trainer);
            long from = trainer.state().updates();
            EvalMetrics last = trainer.run();
            processes.gradientSums(trainer.state().updates() - from).ifPresent(l -> out.println("anneal: " + l));
            trainer.stoppedEarly().ifPresent(why -> out.println("anneal: " + why));
            out.println(String.format(Locale.ROOT, "anneal: done: %s after %d updates; run directory %s",
                    finalScores(last), last.step(), run.path()));
            out.flush();
        }
    }

    /**
     * The last evaluation in words: the test set's accuracy and loss, after the validation set's when the run held
     * one out ({@code val accuracy 88.10%, val loss 0.3301; test accuracy ...}); a validated run without a test set
     * says so.
     */
    static String finalScores(EvalMetrics last) {
        String test = last.tested() ? String.format(Locale.ROOT, "test accuracy %.2f%%, test loss %.4f",
                last.testAccuracy() * 100, last.testLoss()) : "no test set";
        if (!last.validated()) {
            return test;
        }
        return String.format(Locale.ROOT, "val accuracy %.2f%%, val loss %.4f; %s", last.valAccuracy() * 100,
                last.valLoss(), test);
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

    private static Backends backendsFor(AnnealConfig cfg, int localRank, PrintWriter out) {
        DeviceChoice.Choices choice = DeviceChoice.openAll(cfg.device(), cfg.devices(), localRank);
        out.println("anneal: device " + choice.note());
        return new Backends(choice.backends());
    }

    /** What runs where, beyond the device line: replicas and their all-reduce, graphs, what is ignored. */
    private static void note(AnnealConfig cfg, List<Backend> backends, Trainer trainer, PrintWriter out) {
        boolean capture = backends.stream().allMatch(Backend::capturesGraphs);
        if (cfg.devices() > 1 || cfg.train().graphs(capture)) {
            out.println("anneal: " + trainer.parallelism());
        }
        for (String line : dev.anneal.config.ParallelSummary.lines(cfg)) {
            out.println("anneal: " + line);
        }
        if (cfg.train().graphsRequired() && !capture) {
            out.println("anneal: train.cuda_graph is ignored on " + backends.get(0).name() + " (CUDA graphs need "
                    + "a CUDA device); steps run op by op");
        }
    }

    private static Path defaultConfig() {
        return defaultConfig("--config", "pass --config FILE");
    }

    /**
     * {@value #DEFAULT_CONFIG} under {@code anneal.home} (set by {@code bin/anneal}), else in the working
     * directory; a {@link BadInput} when it is missing, saying that no {@code option} was given and {@code fix}.
     */
    static Path defaultConfig(String option, String fix) {
        String home = System.getProperty("anneal.home");
        Path p = home != null ? Path.of(home).resolve(DEFAULT_CONFIG) : Path.of(DEFAULT_CONFIG);
        if (!Files.isRegularFile(p)) {
            throw new BadInput("no " + option + " given and the default " + p + " is missing; " + fix);
        }
        return p;
    }

    private static Path defaultRunDir(Path config) {
        String stem = config.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Path.of("runs", stem + "-" + time);
    }
}
