package dev.anneal.train;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.anneal.spec.Require;
import dev.anneal.spec.WordOrBoolean;

/**
 * The config section {@code train}.
 *
 * @param epochs {@code epochs}: passes over the training set, default 3
 * @param accumulationSteps {@code accumulation_steps}: micro-batches of {@code data.batch_size} per optimizer
 *     update, default 1. Their gradients are summed, each sample weighted by 1/(samples in the update), so a short
 *     last micro-batch counts by its sample count; then one update, one schedule advance, gradients zeroed.
 * @param clipGradNorm {@code clip_grad_norm}: clip the global L2 norm of the gradients to this value before each
 *     update (PyTorch's {@code clip_grad_norm_}: coefficient {@code min(1, max/(norm + 1e-6))}); null for no clipping
 * @param maxSkippedSteps {@code max_skipped_steps}: updates with non-finite gradients are skipped (the schedule
 *     does not advance); after this many in a row the run stops, default 20
 * @param plateauMetric {@code plateau_metric}: test_loss | test_accuracy | val_loss | val_accuracy, what a plateau
 *     schedule observes at each evaluation, default test_loss (val_loss with {@code data.validation_split}, see
 *     {@link #forRun})
 * @param checkpointEvery {@code checkpoint_every}: write a checkpoint every this many updates (0: only at the end
 *     of each epoch), default 0
 * @param keepCheckpoints {@code keep_checkpoints}: how many recent checkpoints to keep, default 2
 * @param seed {@code seed}: seeds initialisation and shuffling, default 0
 * @param cudaGraph {@code cuda_graph}: {@code auto} (default) | {@code true} | {@code false}: on a CUDA device,
 *     capture the training step once in a CUDA graph and replay it (one launch instead of one per kernel); the step
 *     scalars live in device memory, so the schedule still drives every replay, and the results are the same bits
 *     as op by op. {@code auto} and {@code true} use graphs wherever every device can capture them (CUDA), op by op
 *     elsewhere (the CPU; a short last step of an epoch always runs op by op); {@code true} on the CPU adds a note
 *     that it is ignored; {@code false} runs op by op
 * @param checkReplicasEvery {@code check_replicas_every}: with several devices, verify every this many updates
 *     that every replica's parameters are bit-identical to replica 0's (they are checked at the end of each epoch
 *     in any case; 0: only then), default 0
 * @param keepBest {@code keep_best}: besides the recent checkpoints, keep the checkpoint of the best evaluation so
 *     far by {@code best_metric} in {@code checkpoints/best/} (Keras' {@code ModelCheckpoint(save_best_only=True)}:
 *     replaced only when the metric is strictly better than the best kept), default false
 * @param bestMetric {@code best_metric}: test_accuracy | test_loss | val_accuracy | val_loss, what
 *     {@code keep_best} ranks by (higher accuracy, lower loss is better), default test_accuracy (val_accuracy with
 *     {@code data.validation_split})
 * @param earlyStopping {@code early_stopping}: stop when the metric no longer improves ({@link EarlyStoppingSpec});
 *     null (default) for never
 * @param collectiveTimeout {@code collective_timeout}: in a run over several processes ({@code mpirun}), seconds a
 *     collective (the gradient sum, a broadcast) may take before the job is aborted with a line naming it, instead
 *     of waiting forever for a rank that is gone or cut off; default 300
 */
public record TrainSpec(Long epochs, Long accumulationSteps, Double clipGradNorm, Long maxSkippedSteps,
                        String plateauMetric, Long checkpointEvery, Long keepCheckpoints, Long seed,
                        @JsonDeserialize(using = WordOrBoolean.class)
                        @JsonSerialize(using = WordOrBoolean.Writer.class) String cudaGraph,
                        Long checkReplicasEvery, Boolean keepBest, String bestMetric,
                        EarlyStoppingSpec earlyStopping, Double collectiveTimeout) {
    public TrainSpec {
        epochs = epochs == null ? 3L : epochs;
        accumulationSteps = accumulationSteps == null ? 1L : accumulationSteps;
        maxSkippedSteps = maxSkippedSteps == null ? 20L : maxSkippedSteps;
        plateauMetric = plateauMetric == null ? "test_loss" : plateauMetric;
        checkpointEvery = checkpointEvery == null ? 0L : checkpointEvery;
        keepCheckpoints = keepCheckpoints == null ? 2L : keepCheckpoints;
        seed = seed == null ? 0L : seed;
        cudaGraph = cudaGraph == null ? GRAPH_AUTO : cudaGraph;
        checkReplicasEvery = checkReplicasEvery == null ? 0L : checkReplicasEvery;
        keepBest = keepBest == null ? Boolean.FALSE : keepBest;
        bestMetric = bestMetric == null ? "test_accuracy" : bestMetric;
        earlyStopping = earlyStopping == null ? null : earlyStopping.withDefaultMetric(plateauMetric);
        collectiveTimeout = collectiveTimeout == null ? 300.0 : collectiveTimeout;
        Require.positive("epochs", epochs);
        Require.positive("accumulation_steps", accumulationSteps);
        if (clipGradNorm != null) {
            Require.positive("clip_grad_norm", clipGradNorm);
        }
        Require.positive("max_skipped_steps", maxSkippedSteps);
        Require.oneOf("plateau_metric", plateauMetric, MonitoredMetric.NAMES);
        Require.nonNegative("checkpoint_every", checkpointEvery);
        Require.positive("keep_checkpoints", keepCheckpoints);
        Require.oneOf("cuda_graph", cudaGraph, GRAPH_AUTO, "true", "false");
        Require.nonNegative("check_replicas_every", checkReplicasEvery);
        Require.oneOf("best_metric", bestMetric, MonitoredMetric.NAMES);
        Require.positive("collective_timeout", collectiveTimeout);
    }

    /**
     * This spec for a run with ({@code validating}: {@code data.validation_split}) or without a validation set:
     * the watched metrics {@code test_*} become {@code val_*} with one ({@link MonitoredMetric#forRun}); {@code val_*}
     * without one is a {@link dev.anneal.spec.SpecException} at its key.
     */
    public TrainSpec forRun(boolean validating) {
        String plateau = MonitoredMetric.forRun("plateau_metric", plateauMetric, validating);
        String best = MonitoredMetric.forRun("best_metric", bestMetric, validating);
        EarlyStoppingSpec stopping = earlyStopping == null ? null : earlyStopping.forRun(validating);
        if (plateau.equals(plateauMetric) && best.equals(bestMetric) && stopping == earlyStopping) {
            return this;
        }
        return new TrainSpec(epochs, accumulationSteps, clipGradNorm, maxSkippedSteps, plateau, checkpointEvery,
                keepCheckpoints, seed, cudaGraph, checkReplicasEvery, keepBest, best, stopping, collectiveTimeout);
    }

    /** {@code cuda_graph: auto}: graphs wherever the devices capture them. */
    public static final String GRAPH_AUTO = "auto";

    /** Whether steps are captured and replayed as CUDA graphs on devices that {@code capture} them. */
    public boolean graphs(boolean capture) {
        return capture && !cudaGraph.equals("false");
    }

    /** Whether the user asked for graphs explicitly ({@code cuda_graph: true}). */
    public boolean graphsRequired() {
        return cudaGraph.equals("true");
    }

    public static TrainSpec defaults() {
        return new TrainSpec(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
