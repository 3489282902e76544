package dev.anneal.cli;

import dev.anneal.io.IoProblems;
import dev.anneal.spec.BadInput;
import dev.anneal.tune.sweep.SweepRequest;
import dev.anneal.tune.sweep.Sweeps;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code anneal sweep}: grid or random search over config keys, each trial an ordinary run directory; with
 * {@code --resume DIR}, finishes an interrupted sweep. Only translates options into a {@link SweepRequest}.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Grid or random search over config keys; each trial is an anneal train run in DIR/trial-NNN.")
final class SweepCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "The training config (may hold a sweep: section).")
    Path config;

    @Option(names = "--grid", paramLabel = "KEY=VALUES",
            description = "A grid axis: [v1,v2,...], logspace(a,b,n) (10^a..10^b) or linspace(a,b,n); repeatable.")
    List<String> grid = new ArrayList<>();

    @Option(names = "--random", paramLabel = "N", description = "Random search of N trials over the --space ranges.")
    Integer random;

    @Option(names = "--space", paramLabel = "KEY=SPACE",
            description = "A random-search range: uniform(a,b), loguniform(a,b), int_uniform(a,b), choice(v,...); "
                    + "repeatable.")
    List<String> space = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the random search (default 0).")
    Long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "The sweep directory (default runs/sweep-TIME).")
    Path out;

    @Option(names = "--metric", paramLabel = "NAME", description = "test_accuracy (default) or test_loss; val_accuracy (then the "
            + "default) or val_loss when the config sets data.validation_split.")
    String metric;

    @Option(names = "--goal", paramLabel = "max|min", description = "Default: max for accuracy, min for loss.")
    String goal;

    @Option(names = "--parallel", paramLabel = "N", description = "Trials at once (default 1, or one per --device).")
    Integer parallel;

    @Option(names = "--trial-threads", paramLabel = "T",
            description = "CPU threads per trial (default: the CPU threads divided by --parallel).")
    Integer trialThreads;

    @Option(names = "--device", paramLabel = "D", description = "Devices for the trials, e.g. cuda:0,1,2,3.")
    String device;

    @Option(names = "--early-stop", paramLabel = "asha", description = "Stop poor trials early with ASHA.")
    String earlyStop;

    @Option(names = "--min-epochs", paramLabel = "R", description = "ASHA's first rung in epochs (default 1).")
    Long minEpochs;

    @Option(names = "--eta", paramLabel = "ETA", description = "ASHA's reduction factor (default 3).")
    Integer eta;

    @Option(names = "--yes", description = "Run a sweep of more than " + Sweeps.CONFIRM_ABOVE + " trials.")
    boolean yes;

    @Option(names = "--dry-run", description = "Check every trial's config and list the trials; run none.")
    boolean dryRun;

    @Option(names = "--resume", paramLabel = "DIR", description = "Finish the sweep in DIR (only --parallel and "
            + "--device may change).")
    Path resume;

    @Mixin
    ConfigOverrides overrides;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        try {
            if (resume != null) {
                refuseWithResume();
                return Sweeps.resume(resume, parallel, device, stdout);
            }
            if (config == null) {
                throw new BadInput("anneal sweep needs --config FILE (or --resume DIR)");
            }
            return Sweeps.start(new SweepRequest(config, grid, random, space, seed, out, metric, goal, parallel,
                    trialThreads, device, earlyStop, minEpochs, eta, yes, overrides.assignments(), dryRun), stdout);
        } catch (IOException e) {
            throw new BadInput(IoProblems.describe(e));
        } catch (UncheckedIOException e) {
            throw new BadInput(IoProblems.describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private void refuseWithResume() {
        boolean other = config != null || !grid.isEmpty() || random != null || !space.isEmpty() || seed != null
                || out != null || metric != null || goal != null || trialThreads != null || earlyStop != null
                || minEpochs != null || eta != null || yes || dryRun || !overrides.assignments().isEmpty();
        if (other) {
            throw new BadInput("--resume DIR continues the sweep that DIR/sweep.yaml describes; only --parallel and "
                    + "--device may be given with it");
        }
    }
}
