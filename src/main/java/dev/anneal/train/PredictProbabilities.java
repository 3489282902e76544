package dev.anneal.train;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;
import dev.anneal.config.AnnealConfig;
import dev.anneal.data.Batches;

/**
 * Class probabilities of new inputs ({@code anneal predict}): the model the run's config describes is built on one
 * backend, the checkpoint is checked against it ({@link SavedCheckpoint#checkFits}) and restored, and the inputs
 * (already mapped as training mapped its features) go through the model's forward pass in batches of
 * {@code data.eval_batch_size}, as {@link ModelEvaluation} runs a test set. Each row's logits are turned into
 * probabilities by a softmax in double precision; its predicted class is the first index of its largest (float)
 * logit, the rule {@code anneal eval} and training count a correct prediction by.
 */
public final class PredictProbabilities {
    private PredictProbabilities() {
    }

    /**
     * The result: {@code probabilities[i][c]} for row {@code i} and class {@code c} (each row sums to 1 up to
     * rounding) and {@code predicted[i]}.
     */
    public record Result(double[][] probabilities, int[] predicted) {
    }

    /**
     * @param x row-major {@code n x d} inputs, normalised as the run's training data
     * @param sampleShape the shape of one row ({@code [d]} or the run's {@code [C, H, W]})
     * @param classes the run's class count
     * @throws dev.anneal.spec.BadInput when the checkpoint does not fit the config's model
     */
    public static Result run(AnnealConfig config, float[] x, int[] sampleShape, int classes,
                             SavedCheckpoint checkpoint, Backend backend) {
        int d = 1;
        for (int s : sampleShape) {
            d *= s;
        }
        int n = x.length / d;
        double[][] probabilities = new double[n][];
        int[] predicted = new int[n];
        int evalBatch = config.data().evalBatchSize();
        try (Replica replica = new Replica(backend, config, ModelPlans.of(config, sampleShape, classes), n, 0);
             FloatArray input = backend.allocate((long) Math.max(1, Math.min(evalBatch, n)) * d)) {
            checkpoint.checkFits(replica.model, replica.optimizer);
            checkpoint.restore(replica.model, replica.optimizer, backend);
            for (int e = 0; e < Batches.evalBatches(n, evalBatch); e++) {
                var span = Batches.evalBatch(n, evalBatch, e);
                int rows = span.length();
                backend.upload(x, span.start() * d, input, 0, rows * d);
                Mat logits = replica.model.forward(new Mat(input, 0, rows, d), false);
                int k = logits.cols();
                float[] host = new float[rows * k];
                backend.download(logits.data(), logits.offset(), host, 0, host.length);
                for (int i = 0; i < rows; i++) {
                    probabilities[span.start() + i] = softmax(host, i * k, k);
                    predicted[span.start() + i] = argmax(host, i * k, k);
                }
            }
        }
        return new Result(probabilities, predicted);
    }

    /** The softmax of {@code logits[from .. from + k)} in double, shifted by the largest logit. */
    static double[] softmax(float[] logits, int from, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, logits[from + j]);
        }
        double[] p = new double[k];
        double sum = 0;
        for (int j = 0; j < k; j++) {
            p[j] = Math.exp(logits[from + j] - max);
            sum += p[j];
        }
        for (int j = 0; j < k; j++) {
            p[j] /= sum;
        }
        return p;
    }

    private static int argmax(float[] logits, int from, int k) {
        float max = Float.NEGATIVE_INFINITY;
        int arg = 0;
        for (int j = 0; j < k; j++) {
            if (logits[from + j] > max) {
                max = logits[from + j];
                arg = j;
            }
        }
        return arg;
    }
}
