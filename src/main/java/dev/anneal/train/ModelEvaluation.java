package dev.anneal.train;

import dev.anneal.backend.Backend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.data.Batches;
import dev.anneal.data.Dataset;
import dev.anneal.spec.BadInput;
import java.util.Arrays;

/**
 * Evaluates a checkpoint's weights on a labelled set ({@code anneal eval}): the model the run's config describes
 * is built on one backend, the checkpoint is checked against it ({@link SavedCheckpoint#checkFits}) and restored,
 * and the set is run in batches of {@code data.eval_batch_size} exactly as {@link Trainer#evaluate} runs the test
 * set, so the loss and accuracy are the bits training reported for the same checkpoint and data.
 */
public final class ModelEvaluation {
    private ModelEvaluation() {
    }

    /**
     * The {@link ClassificationReport} of {@code checkpoint} on {@code test}.
     *
     * @throws BadInput when {@code test} has another number of features or classes than the checkpoint's model,
     *     or the checkpoint does not fit the config's model
     */
    public static ClassificationReport run(AnnealConfig config, Dataset test, SavedCheckpoint checkpoint,
                                           Backend backend) {
        checkShape(checkpoint, test);
        try (Replica replica = new Replica(backend, config, ModelPlans.of(config, test.shape(), test.classes()),
                test.n(), 0)) {
            checkpoint.checkFits(replica.model, replica.optimizer);
            checkpoint.restore(replica.model, replica.optimizer, backend);
            int evalBatch = config.data().evalBatchSize();
            long[][] confusion = new long[test.classes()][test.classes()];
            int[] predicted = new int[Math.min(evalBatch, test.n())];
            double lossSum = 0;
            double correct = 0;
            for (int e = 0; e < Batches.evalBatches(test.n(), evalBatch); e++) {
                var span = Batches.evalBatch(test.n(), evalBatch, e);
                float[] st = replica.evaluate(test, span, predicted);
                lossSum += st[0];
                correct += st[1];
                for (int i = 0; i < span.length(); i++) {
                    confusion[test.label(span.start() + i)][predicted[i]]++;
                }
            }
            return new ClassificationReport(lossSum / test.n(), correct / test.n(), confusion);
        }
    }

    /**
     * The checkpoint's input width and class count (its first and last linear weights) against the data's; a model
     * that starts with a convolution is checked by its tensor shapes alone ({@link SavedCheckpoint#checkFits}).
     */
    private static void checkShape(SavedCheckpoint checkpoint, Dataset test) {
        int[] first = null;
        int[] last = null;
        int lo = Integer.MAX_VALUE;
        int hi = -1;
        for (var e : checkpoint.model().entrySet()) {
            String name = e.getKey();
            if (name.matches("\\d{1,9}\\.weight") && e.getValue().shape().length == 2) {
                int layer = Integer.parseInt(name.substring(0, name.indexOf('.')));
                if (layer < lo) {
                    lo = layer;
                    first = e.getValue().shape();
                }
                if (layer > hi) {
                    hi = layer;
                    last = e.getValue().shape();
                }
            }
        }
        if (first == null) {
            throw new BadInput(checkpoint.dir().resolve(SavedCheckpoint.MODEL) + ": holds no layer weight (N.weight); "
                    + "not a checkpoint of an anneal model");
        }
        boolean linearFirst = checkpoint.model().keySet().stream().filter(n -> n.matches("\\d{1,9}\\.weight"))
                .noneMatch(n -> checkpoint.model().get(n).shape().length == 4);
        if (linearFirst && first[1] != test.d() || last[0] != test.classes()) {
            throw new BadInput("the data has " + test.d() + " features and " + test.classes() + " classes, but the "
                    + "checkpoint's model takes " + first[1] + " features and predicts " + last[0] + " classes "
                    + "(weights " + Arrays.toString(first) + " ... " + Arrays.toString(last) + "); evaluate on data of "
                    + "the shape the run was trained on");
        }
    }
}
