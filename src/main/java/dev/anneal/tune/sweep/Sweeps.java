package dev.anneal.tune.sweep;

import dev.anneal.backend.cpu.CpuParallel;
import dev.anneal.config.ConfigError;
import dev.anneal.io.AtomicFiles;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code anneal sweep}, start and resume. Everything that can be wrong with a sweep is found before its first
 * trial: the spec ({@link SweepPlan}), its size ({@value #CONFIRM_ABOVE} trials at most without {@code --yes},
 * {@value #MAX_TRIALS} at most), every trial's config ({@link TrialConfigs}); then {@code base.yaml} and
 * {@code sweep.yaml} are written (atomically) and the trials run ({@link SweepRunner}).
 */
public final class Sweeps {
    /** A sweep of more trials than this runs only with {@code --yes}. */
    public static final int CONFIRM_ABOVE = 1000;
    /** No sweep has more trials than this. */
    public static final long MAX_TRIALS = 100_000;

    private Sweeps() {
    }

    /** Runs a new sweep; returns the exit status (1 when no trial produced a metric). */
    public static int start(SweepRequest r, PrintWriter out) throws IOException, InterruptedException {
        BaseConfig base = BaseConfig.read(r.config());
        SweepSpec spec = SweepPlan.of(r, base);
        long size = spec.size();
        if (size > MAX_TRIALS) {
            throw new BadInput("the sweep has " + (size == Long.MAX_VALUE ? "more than 2^63" : size) + " trials, more "
                    + "than the " + MAX_TRIALS + " a sweep may have; use fewer values or --random N");
        }
        if (size > CONFIRM_ABOVE && !r.yes()) {
            throw new BadInput("the sweep has " + size + " trials; add --yes to run more than " + CONFIRM_ABOVE
                    + ", or use fewer values or --random N");
        }
        List<Trial> trials = spec.trials();
        Map<Integer, Long> epochs = TrialConfigs.check(base, spec, trials);
        SweepSettings settings = settings(r.parallel(), r.trialThreads(), devices(r.device()));
        checkDevices(base, spec, trials.get(0), settings);
        if (r.dryRun()) {
            out.println("anneal: sweep of " + trials.size() + " trials (" + spec.method() + " over "
                    + String.join(", ", spec.keyNames()) + "): every trial's config is valid; --dry-run: none run");
            for (Trial t : trials) {
                out.println(String.format(Locale.ROOT, "trial-%03d ", t.index()) + String.join(" ", t.assignments(spec.keyNames())));
            }
            out.flush();
            return 0;
        }
        Path root = r.out() != null ? r.out() : Path.of("runs", "sweep-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        SweepDirectory.requireNew(root);
        try (SweepDirectory dir = new SweepDirectory(root, trials.size()).lock()) {
            AtomicFiles.write(dir.baseConfig(), base.text().getBytes(StandardCharsets.UTF_8));
            TrialConfigs.checkSaved(base, BaseConfig.read(dir.baseConfig()), spec, trials.get(0));
            SweepFile.write(dir.specFile(), new SweepFile.Saved(spec, settings, trials,
                    r.config().toAbsolutePath().toString()));
            out.println("anneal: sweep " + root + ": " + trials.size() + " trials (" + spec.method() + " over "
                    + String.join(", ", spec.keyNames()) + (spec.asha() == null ? "" : "; ASHA from "
                    + spec.asha().minEpochs() + " epochs, eta " + spec.asha().eta()) + "), " + describe(settings));
            out.flush();
            return run(dir, spec, settings, trials, epochs, Map.of(), out);
        }
    }

    /** Finishes the sweep in {@code root}: runs the trials that {@code sweep.csv} does not hold yet. */
    public static int resume(Path root, Integer parallel, String device, PrintWriter out)
            throws IOException, InterruptedException {
        SweepFile.Saved saved = SweepFile.read(root.resolve("sweep.yaml"));
        SweepSpec spec = saved.spec();
        SweepSettings settings = new SweepSettings(parallel != null ? parallel : saved.settings().parallel(),
                saved.settings().trialThreads(), device != null ? devices(device) : saved.settings().devices());
        if (settings.parallel() < 1) {
            throw new BadInput("--parallel must be >= 1, got " + settings.parallel());
        }
        try (SweepDirectory dir = new SweepDirectory(root, saved.trials().size()).lock()) {
            BaseConfig base = BaseConfig.read(dir.baseConfig());
            Map<Integer, Long> epochs = TrialConfigs.check(base, spec, saved.trials());
            checkDevices(base, spec, saved.trials().get(0), settings);
            Map<Integer, TrialRow> finished = SweepCsv.read(dir.csv(), spec.keyNames(), spec.metric());
            out.println("anneal: resuming sweep " + root + ": " + finished.size() + " of " + saved.trials().size()
                    + " trials finished, " + describe(settings));
            out.flush();
            return run(dir, spec, settings, saved.trials(), epochs, finished, out);
        }
    }

    private static int run(SweepDirectory dir, SweepSpec spec, SweepSettings settings, List<Trial> trials,
                           Map<Integer, Long> epochs, Map<Integer, TrialRow> finished, PrintWriter out)
            throws IOException, InterruptedException {
        Map<Integer, TrialRow> rows = new SweepRunner(dir, spec, settings, finished, out).run(trials, epochs);
        SweepReport.write(dir, spec, rows.values(), out);
        return SweepReport.best(rows.values(), spec.metric()).isPresent() ? 0 : 1;
    }

    private static SweepSettings settings(Integer parallel, Integer trialThreads, List<String> devices) {
        int p = parallel != null ? parallel : Math.max(1, devices.size());
        if (p < 1) {
            throw new BadInput("--parallel must be >= 1, got " + p);
        }
        if (trialThreads != null && trialThreads < 1) {
            throw new BadInput("--trial-threads must be >= 1, got " + trialThreads);
        }
        int t = trialThreads != null ? trialThreads : Math.max(1, CpuParallel.threads() / p);
        return new SweepSettings(p, t, devices);
    }

    private static String describe(SweepSettings s) {
        return s.parallel() + " at a time, " + s.trialThreads() + " CPU thread" + (s.trialThreads() == 1 ? "" : "s")
                + " each" + (s.devices().isEmpty() ? "" : ", on " + String.join(", ", s.devices()));
    }

    /** {@code cuda:0,1,2} or {@code cuda:0,cuda:1}: one device per entry; null: none given. */
    static List<String> devices(String option) {
        List<String> out = new ArrayList<>();
        if (option == null) {
            return out;
        }
        String kind = null;
        for (String part : option.split(",")) {
            String p = part.strip();
            if (p.matches("\\d+") && kind != null) {
                p = kind + ":" + p;
            } else if (p.contains(":")) {
                kind = p.substring(0, p.indexOf(':'));
            }
            out.add(p);
        }
        return out;
    }

    /** Each device must make a valid config of the first trial ({@code device} is checked like any key). */
    private static void checkDevices(BaseConfig base, SweepSpec spec, Trial first, SweepSettings settings) {
        for (String d : settings.devices()) {
            List<String> sets = new ArrayList<>(TrialConfigs.overrides(spec, first));
            sets.add("device=" + d);
            try {
                base.bind(sets);
            } catch (ConfigError e) {
                throw new ConfigError("--device " + d + ": " + e.getMessage());
            }
        }
    }
}
