package dev.anneal.cli;

import dev.anneal.config.AnnealConfig;
import dev.anneal.spec.BadInput;
import dev.anneal.train.Checkpoints;
import dev.anneal.train.SavedCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code anneal eval} and {@code anneal predict} are pointed at: a run directory (its newest checkpoint) or
 * one of its checkpoints ({@code RUN/checkpoints/step-N}, {@code RUN/checkpoints/best}), with the run's
 * {@code config.yaml}.
 *
 * @param dir the run directory
 * @param configFile {@code dir/config.yaml}
 * @param checkpointDir the checkpoint named, or null for the run's newest
 */
record TrainedRun(Path dir, Path configFile, Path checkpointDir) {
    /** Resolves {@code target}; anything but a run directory or a checkpoint of one is a {@link BadInput}. */
    static TrainedRun of(Path target) {
        if (!Files.isDirectory(target)) {
            throw new BadInput(target + ": " + (Files.exists(target) ? "not a directory" : "no such directory")
                    + "; pass a run directory or one of its checkpoints");
        }
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        boolean inCheckpoints = parent != null && parent.getFileName() != null
                && parent.getFileName().toString().equals("checkpoints") && parent.getParent() != null;
        Path checkpointDir = inCheckpoints && !Files.isRegularFile(target.resolve("config.yaml")) ? abs : null;
        Path run = checkpointDir == null ? target : checkpointDir.getParent().getParent();
        Path configFile = run.resolve("config.yaml");
        if (!Files.isRegularFile(configFile)) {
            throw new BadInput(target + ": not a run directory or a checkpoint of one (no " + configFile + "); pass "
                    + "the directory that anneal train wrote");
        }
        return new TrainedRun(run, configFile, checkpointDir);
    }

    /**
     * The checkpoint named, or the run's newest (read whole and checked).
     *
     * @param use what it is for, in the message when the run has none ({@code "evaluate"})
     */
    SavedCheckpoint checkpoint(String use) throws IOException {
        return checkpointDir != null ? SavedCheckpoint.read(checkpointDir)
                : new Checkpoints(dir, 1).readNewest().orElseThrow(() -> new BadInput(dir + ": has no checkpoint to "
                        + use + " (the run stopped before its first)"));
    }

    /** The {@code --device} given, else the run's device when it names one, else {@code auto}. */
    static String device(String option, AnnealConfig cfg) {
        if (option != null) {
            return option;
        }
        return cfg.device().contains(",") ? "auto" : cfg.device();
    }
}
