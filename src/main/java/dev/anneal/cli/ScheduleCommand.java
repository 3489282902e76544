package dev.anneal.cli;

import dev.anneal.spec.BadInput;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.ConfigDocument;
import dev.anneal.config.LoadedConfig;
import dev.anneal.config.ParallelSummary;
import dev.anneal.io.IoProblems;
import dev.anneal.plot.LinePlot;
import dev.anneal.schedule.LrDriver;
import dev.anneal.schedule.ScheduleConfig;
import dev.anneal.schedule.ScheduleTypes;
import dev.anneal.spec.SpecException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code anneal schedule}: the learning rate of every update as CSV (and optionally a PNG), computed by the same
 * driver that training uses. Row {@code k} is {@code lr(k)}, the rate of update {@code k+1}; for a plateau
 * schedule, the rate after the schedule observed metric value {@code k}. The rates start from the config's
 * effective base rate ({@code optimizer.lr} times the {@code lr_scaling} factor) on its {@code devices}, which
 * {@code --devices} overrides; stderr says what the device count changed ({@link ParallelSummary}).
 */
@Command(name = "schedule", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the learning rate of each update as CSV: header step,lr then one row per step "
                + "k = 0..N-1 (full double precision); plateau schedules print step,metric,lr."})
final class ScheduleCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML config with optimizer and schedule sections.")
    Path config;

    @Option(names = "--steps", required = true, paramLabel = "N", description = "Number of rows: updates k = 0..N-1.")
    long steps;

    @Option(names = "--devices", paramLabel = "D",
            description = "Devices (replicas) the run uses, overriding the config's devices: the global batch, "
                    + "optimizer.lr_scaling and, with schedule.scale_with_devices, the durations follow D.")
    Integer devices;

    @Option(names = "--steps-per-epoch", paramLabel = "S", description = "Updates per epoch; needed for schedule.unit: epoch.")
    Long stepsPerEpoch;

    @Option(names = "--metrics", paramLabel = "FILE", description = "Plateau schedules: one metric value per line, observed one per step.")
    Path metrics;

    @Option(names = "--plot", paramLabel = "OUT.png", description = "Also write a PNG chart of the curve.")
    Path plot;

    @Option(names = "--log-y", description = "Logarithmic rate axis in the plot.")
    boolean logY;

    @Option(names = "--with-momentum", description = "Add a momentum column (cyclic and one_cycle schedules that cycle momentum).")
    boolean withMomentum;

    @Mixin
    ConfigOverrides overrides;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (steps <= 0) {
            throw new BadInput("--steps must be > 0, got " + steps);
        }
        if (steps > 100_000_000L) {
            throw new BadInput("--steps " + steps + " is more rows than a CSV should hold; use at most 100000000");
        }
        if (devices != null && devices < 1) {
            throw new BadInput("--devices must be >= 1, got " + devices);
        }
        if (stepsPerEpoch != null && stepsPerEpoch <= 0) {
            throw new BadInput("--steps-per-epoch must be > 0, got " + stepsPerEpoch);
        }
        OutputPath.check("--plot", plot);
        if (plot != null && withMomentum) {
            OutputPath.check("--plot", momentumPlot());
        }
        // A plateau schedule here observes the --metrics values, never train.plateau_metric.
        LoadedConfig loaded = LoadedConfig.loadWithGivenMetrics(config, overrides.assignments());
        ConfigDocument doc = loaded.document();
        AnnealConfig cfg = loaded.config();
        if (devices != null) {
            try {
                cfg = cfg.withDevices(devices);
            } catch (SpecException e) {
                throw doc.error(e.key(), e.problem());
            }
        }
        ScheduleConfig schedule = cfg.schedule();
        if (schedule.epochUnit() && stepsPerEpoch == null) {
            throw doc.error("schedule.unit", "epoch needs --steps-per-epoch S (optimizer updates per epoch)");
        }
        for (String line : ParallelSummary.lines(cfg)) {
            spec.commandLine().getErr().println("anneal: " + line);
        }
        spec.commandLine().getErr().flush();
        int replicas = cfg.devices();
        LrDriver driver = LrDriver.create(schedule, cfg.effectiveLr(), replicas,
                stepsPerEpoch == null ? 0 : stepsPerEpoch);
        if (withMomentum && !driver.cyclesMomentum()) {
            throw doc.error("schedule.type", ScheduleTypes.nameOf(schedule.spec())
                    + " cycles no momentum, so --with-momentum has nothing to print");
        }
        double[] metricValues = readMetrics(driver, doc);
        int n = (int) steps;
        double[] lr = new double[n];
        double[] momentum = withMomentum ? new double[n] : null;
        try {
            for (int k = 0; k < n; k++) {
                if (metricValues != null) {
                    driver.observe(k, metricValues[k]);
                }
                lr[k] = driver.lr(k);
                if (momentum != null) {
                    momentum[k] = driver.momentum(k).orElseThrow();
                }
            }
        } catch (IllegalArgumentException e) {
            throw new BadInput(config + ": " + e.getMessage() + "; lower --steps");
        }
        writeCsv(spec.commandLine().getOut(), lr, momentum, metricValues);
        if (plot != null) {
            writePlot(schedule, replicas, lr, momentum);
        }
        return 0;
    }

    private double[] readMetrics(LrDriver driver, ConfigDocument doc) throws IOException {
        if (!driver.metricDriven()) {
            if (metrics != null) {
                throw doc.error("schedule.type", "is not plateau, so --metrics has no effect; remove it");
            }
            return null;
        }
        if (metrics == null) {
            throw doc.error("schedule.type", "plateau follows a metric: pass --metrics FILE with one value per line");
        }
        double[] values = MetricsFile.read(metrics);
        if (values.length < steps) {
            throw new BadInput(metrics + ": has " + values.length + " values but --steps " + steps
                    + " needs one per step; add values or lower --steps");
        }
        return values;
    }

    private void writeCsv(PrintWriter out, double[] lr, double[] momentum, double[] metricValues) {
        StringBuilder sb = new StringBuilder(1 << 16);
        sb.append(metricValues != null ? "step,metric,lr" : "step,lr");
        sb.append(momentum != null ? ",momentum\n" : "\n");
        for (int k = 0; k < lr.length; k++) {
            sb.append(k).append(',');
            if (metricValues != null) {
                sb.append(metricValues[k]).append(',');
            }
            sb.append(lr[k]);
            if (momentum != null) {
                sb.append(',').append(momentum[k]);
            }
            sb.append('\n');
            if (sb.length() > (1 << 16) - 128) {
                out.write(sb.toString());
                sb.setLength(0);
            }
        }
        out.write(sb.toString());
        out.flush();
    }

    private void writePlot(ScheduleConfig schedule, int replicas, double[] lr, double[] momentum) {
        double[] x = new double[lr.length];
        for (int k = 0; k < x.length; k++) {
            x[k] = k;
        }
        String type = ScheduleTypes.nameOf(schedule.spec());
        String title = schedule.warmup() == null ? type : schedule.warmup().type() + " warmup + " + type;
        LinePlot chart = new LinePlot(title, "step k (updates applied)", "learning rate")
                .subtitle(config.getFileName() + (replicas > 1 ? ", " + replicas + " devices" : ""))
                .logY(logY)
                .add("lr", x, lr);
        if (logY) {
            for (double v : lr) {
                if (!(v > 0)) {
                    throw new BadInput("--log-y needs positive rates, but the schedule reaches " + v
                            + "; drop --log-y");
                }
            }
        }
        writePng(chart, plot);
        if (momentum != null) {
            writePng(new LinePlot(title + ": momentum", "step k (updates applied)", "momentum")
                    .add("momentum", x, momentum), momentumPlot());
        }
    }

    /** The momentum chart beside the rate chart: {@code OUT-momentum.png}. */
    private Path momentumPlot() {
        return plot.resolveSibling(plot.getFileName().toString().replaceFirst("(\\.png)?$", "-momentum.png"));
    }

    private static void writePng(LinePlot chart, Path file) {
        try {
            chart.writePng(file, 900, 500);
        } catch (IOException e) {
            throw new BadInput("--plot " + file + ": cannot be written (" + IoProblems.describe(e) + "); give a "
                    + "path in a writable directory");
        }
    }
}
