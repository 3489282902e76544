package dev.anneal.train;

import dev.anneal.schedule.torch.PlateauController;

/**
 * Everything beyond tensors that a checkpoint must hold for a resumed run to continue bit-identically.
 *
 * @param updates optimizer updates applied: the schedule's counter {@code k}
 * @param epoch the epoch in progress (0-based); the sample order of an epoch is a function of the seed and this
 * @param stepInEpoch data steps of this epoch already consumed (applied or skipped)
 * @param momentumStarted whether SGD's momentum buffer holds a value
 * @param skippedInARow consecutive updates skipped for non-finite gradients
 * @param skippedTotal all skipped updates
 * @param plateau the plateau controller's state, or null
 * @param epochLossSum the summed training loss of this epoch so far (for its metrics line)
 * @param epochSamples training samples of this epoch so far
 * @param epochSeconds training time of this epoch so far
 * @param earlyStopping {@code train.early_stopping}'s state, or null (none configured, or no evaluation yet)
 * @param bestKept the metric value of the checkpoint in {@code checkpoints/best/} ({@code train.keep_best}), or
 *     null when none is kept yet
 * @param modelForwards the model's training passes so far (micro-batches of every data step): the dropout draw
 *     number of the next pass and batch norm's {@code num_batches_tracked}; 0 in a checkpoint written before it
 * @param replicas the data-parallel replicas of the run, over every process ({@code devices x processes}): a
 *     resumed run must have as many (the global batch and the shards depend on it); 0 when not recorded (a
 *     checkpoint written before it)
 */
public record TrainerState(long updates, long epoch, long stepInEpoch, boolean momentumStarted, long skippedInARow,
                           long skippedTotal, PlateauController.State plateau, double epochLossSum, long epochSamples,
                           double epochSeconds, EarlyStoppingState earlyStopping, Double bestKept,
                           long modelForwards, long replicas) {
    /** A state whose replica count is not recorded. */
    public TrainerState(long updates, long epoch, long stepInEpoch, boolean momentumStarted, long skippedInARow,
                        long skippedTotal, PlateauController.State plateau, double epochLossSum, long epochSamples,
                        double epochSeconds, EarlyStoppingState earlyStopping, Double bestKept, long modelForwards) {
        this(updates, epoch, stepInEpoch, momentumStarted, skippedInARow, skippedTotal, plateau, epochLossSum,
                epochSamples, epochSeconds, earlyStopping, bestKept, modelForwards, 0);
    }

    /** A state without a count of training passes (a model without dropout or batch norm does not need one). */
    public TrainerState(long updates, long epoch, long stepInEpoch, boolean momentumStarted, long skippedInARow,
                        long skippedTotal, PlateauController.State plateau, double epochLossSum, long epochSamples,
                        double epochSeconds, EarlyStoppingState earlyStopping, Double bestKept) {
        this(updates, epoch, stepInEpoch, momentumStarted, skippedInARow, skippedTotal, plateau, epochLossSum,
                epochSamples, epochSeconds, earlyStopping, bestKept, 0);
    }

    public static TrainerState start() {
        return new TrainerState(0, 0, 0, false, 0, 0, null, 0, 0, 0, null, null, 0, 0);
    }

    /** This state with {@code replicas} recorded. */
    public TrainerState withReplicas(long replicas) {
        return new TrainerState(updates, epoch, stepInEpoch, momentumStarted, skippedInARow, skippedTotal, plateau,
                epochLossSum, epochSamples, epochSeconds, earlyStopping, bestKept, modelForwards, replicas);
    }
}

