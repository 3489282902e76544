package dev.anneal.tune.sweep;

import java.nio.file.Path;
import java.util.List;

/**
 * A new sweep as the command line asks for it; null means "not given" (the config's {@code sweep:} section or
 * the default then applies).
 *
 * @param config the training config, which may hold a {@code sweep:} section
 * @param grid {@code KEY=VALUES} of a grid search
 * @param random the number of random trials, with {@code space}
 * @param space {@code KEY=SPACE} of a random search
 * @param seed the random search's seed (default 0)
 * @param out the sweep directory (default {@code runs/sweep-TIME})
 * @param metric {@code test_accuracy} (default) or {@code test_loss}
 * @param goal {@code max} or {@code min} (default: the metric's)
 * @param parallel trials at once (default 1, or the number of {@code --device} entries)
 * @param trialThreads CPU threads per trial (default: the CPU threads over {@code parallel})
 * @param device devices trials run on, {@code cuda:0,1} or {@code cuda:0,cuda:1}
 * @param earlyStop {@code asha} or null
 * @param minEpochs ASHA's first rung (default 1)
 * @param eta ASHA's reduction factor (default 3)
 * @param yes whether a grid of more than {@link Sweeps#CONFIRM_ABOVE} trials may run
 * @param fixed {@code --set} overrides for every trial
 * @param dryRun check every trial's config and list the trials, but run none and write nothing
 */
public record SweepRequest(Path config, List<String> grid, Integer random, List<String> space, Long seed, Path out,
                           String metric, String goal, Integer parallel, Integer trialThreads, String device,
                           String earlyStop, Long minEpochs, Integer eta, boolean yes, List<String> fixed,
                           boolean dryRun) {
    public SweepRequest {
        grid = grid == null ? List.of() : List.copyOf(grid);
        space = space == null ? List.of() : List.copyOf(space);
        fixed = fixed == null ? List.of() : List.copyOf(fixed);
    }
}
