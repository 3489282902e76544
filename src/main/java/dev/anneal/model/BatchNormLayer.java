package dev.anneal.model;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;
import dev.anneal.spec.BadInput;

/**
 * {@code batch_norm1d} over {@code [N, C]} features and {@code batch_norm2d} over channels-last images
 * {@code [N, H, W, C]} (seen as {@code N H W} rows of {@code C} channels), Ioffe and Szegedy 2015, as PyTorch's
 * {@code nn.BatchNorm1d/2d} with {@code affine} and {@code track_running_stats}. Training: per channel over the
 * {@code R} rows, {@code y = (x - mean) / sqrt(var + eps) * weight + bias} with the batch's mean and biased
 * variance, and {@code running = (1 - momentum) running + momentum stat} (the unbiased variance
 * {@code var R / (R - 1)}); evaluation: the same with {@code running_mean} and {@code running_var}. Backward
 * (training): {@code dbias += sum dy}, {@code dweight += sum dy xhat},
 * {@code dx = weight invstd / R (R dy - sum dy - xhat sum dy xhat)}, written over {@code dy}.
 *
 * <p>The running statistics live in the model's state buffer ({@code running_mean} then {@code running_var});
 * {@code num_batches_tracked} is the model's count of training passes. With several replicas each normalises by
 * its own batch (PyTorch DDP without {@code SyncBatchNorm}) and replica 0's running statistics are the model's.
 */
final class BatchNormLayer extends Layer {
    private final int channels;
    private final int rowsPerSample;
    private final long weight;
    private final long mean;
    private final float eps;
    private final float momentum;
    private final FloatArray y;
    private final FloatArray saved;
    private Mat x;

    BatchNormLayer(PlannedLayer plan, ModelBuffers m, long weightOffset, long stateOffset) {
        super(plan, m);
        this.channels = plan.in()[0];
        this.rowsPerSample = plan.in().length == 3 ? plan.in()[1] * plan.in()[2] : 1;
        this.weight = weightOffset;
        this.mean = stateOffset;
        if (plan.spec() instanceof LayerSpec.BatchNorm2d b) {
            this.eps = b.eps().floatValue();
            this.momentum = b.momentum().floatValue();
        } else {
            LayerSpec.BatchNorm1d b = (LayerSpec.BatchNorm1d) plan.spec();
            this.eps = b.eps().floatValue();
            this.momentum = b.momentum().floatValue();
        }
        this.y = buffer(plan.outSize());
        this.saved = fixed(2L * channels);
    }

    private Mat channelsView(Mat a) {
        return new Mat(a.data(), a.offset(), a.rows() * rowsPerSample, channels);
    }

    @Override
    public Mat forward(Mat input, boolean training) {
        x = input;
        int rows = input.rows();
        Mat gamma = new Mat(m.params(), weight, 1, channels);
        Mat beta = new Mat(m.params(), weight + channels, 1, channels);
        Mat out = view(y, rows, outSize());
        if (training) {
            if ((long) rows * rowsPerSample < 2) {
                throw new BadInput(plan.key() + " (" + plan.type() + ") needs more than one value per channel in "
                        + "training, but a micro-batch has " + rows + " sample; change data.batch_size so that no "
                        + "batch holds a single sample");
            }
            backend.norm().batchNormTraining(channelsView(input), gamma, beta, eps, momentum, m.state(), mean,
                    mean + channels, saved, 0, channelsView(out));
        } else {
            backend.norm().batchNormInference(channelsView(input), gamma, beta, eps, m.state(), mean,
                    mean + channels, channelsView(out));
        }
        return out;
    }

    @Override
    public Mat backward(Mat dy, boolean inputGradient) {
        Mat d = channelsView(dy);
        backend.norm().batchNormBackward(channelsView(x), d, new Mat(m.params(), weight, 1, channels), saved, 0, d,
                new Mat(m.grads(), weight, 1, channels), new Mat(m.grads(), weight + channels, 1, channels));
        return inputGradient ? dy : null;
    }

    @Override
    void initialize(String init, SplitMix64 rng, float[] host) {
        for (int c = 0; c < channels; c++) {
            host[(int) (weight + c)] = 1f;
            host[(int) (weight + channels + c)] = 0f;
        }
    }

    /** Running mean 0 and running variance 1 into {@code state}, PyTorch's start. */
    void resetRunningStatistics(float[] state) {
        for (int c = 0; c < channels; c++) {
            state[(int) (mean + c)] = 0f;
            state[(int) (mean + channels + c)] = 1f;
        }
    }
}
