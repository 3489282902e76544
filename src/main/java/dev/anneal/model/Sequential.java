package dev.anneal.model;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import java.util.ArrayList;
import java.util.List;

/**
 * A model as PyTorch's {@code nn.Sequential}: {@link Layer}s run in order over one flat parameter buffer, with the
 * gradients in another of the same layout, so one fused optimizer pass updates the whole model, and a state buffer
 * for batch norm's running statistics. Built from a {@link ModelPlan} (shapes from the data); tensor names are the
 * {@code nn.Sequential}'s ({@code 0.weight}, {@code 3.running_mean}), so a checkpoint loads into the equivalent
 * PyTorch model.
 *
 * <p>Samples arrive as PyTorch lays them out, {@code [C, H, W]} flattened; images are converted to channels last
 * at the start (nothing to do with one channel) and back by {@code flatten}. A {@code linear} or {@code conv2d}
 * followed by an activation runs it fused ({@code gemm} then {@code biasActivation}; backward
 * {@code activationBackward}), which makes an MLP exactly the ops, draws and names it always had.
 *
 * <p>Modes: {@link #forward}'s {@code training} flag selects dropout masks and batch statistics (training) or the
 * identity and running statistics (evaluation). Each training pass then advances the model's device counter of
 * training passes ({@link dev.anneal.backend.DropoutOps#advance}), the dropout draw number, which
 * {@link #restoreForwards} sets on resume.
 *
 * <p>Capacity: every buffer holds {@code chunk} rows: the training micro-batch when the model has image layers
 * (whose im2col columns grow with the rows), else the larger of it and the evaluation batch. An evaluation batch
 * larger than {@code chunk} runs in chunks of {@code chunk} rows into a logits buffer of its size; in evaluation
 * every sample's result is independent of the others, so chunking changes no bit.
 *
 * <p>Gradients accumulate ({@code +=}) so that several micro-batches add up before one update;
 * {@link #zeroGradients} clears them. Forward and backward only queue backend ops (no host reads, allocations or
 * waits), so a training step can be captured as a CUDA graph.
 */
public final class Sequential implements AutoCloseable {
    private final Backend backend;
    private final ModelPlan plan;
    private final int trainRows;
    private final int evalRows;
    private final int chunk;
    private final FloatArray params;
    private final FloatArray grads;
    private final FloatArray state;
    private final IntArray counter;
    private final FloatArray nhwc;
    private final FloatArray logits;
    private final FloatArray dLogits;
    private final List<Layer> layers = new ArrayList<>();
    private final List<BatchNormLayer> norms = new ArrayList<>();

    /**
     * @param trainRows the most rows a training pass takes (the micro-batch)
     * @param evalRows the most rows an evaluation pass takes
     * @param dropoutSeed the seed of the dropout masks (the run's seed split for dropout)
     * @param replica the replica index (separates the replicas' dropout streams)
     */
    public Sequential(Backend backend, ModelPlan plan, int trainRows, int evalRows, long dropoutSeed, int replica) {
        this.backend = backend;
        this.plan = plan;
        this.trainRows = Math.max(1, trainRows);
        this.evalRows = Math.max(this.trainRows, evalRows);
        this.chunk = plan.spatial() ? this.trainRows : this.evalRows;
        List<AutoCloseable> made = new ArrayList<>();
        try {
            params = track(made, backend.allocate(Math.max(1, plan.parameters())));
            grads = track(made, backend.allocate(Math.max(1, plan.parameters())));
            state = plan.stateSize() > 0 ? track(made, backend.allocate(plan.stateSize())) : null;
            counter = plan.countsForwards() ? track(made, backend.allocateInts(1)) : null;
            int[] in = plan.input();
            nhwc = in.length == 3 && in[0] > 1 ? track(made, backend.allocate((long) chunk * ModelPlan.size(in)))
                    : null;
            ModelBuffers m = new ModelBuffers(backend, params, grads, state, counter, dropoutSeed, replica, chunk);
            boolean first = true;
            Layer previous = null;
            for (PlannedLayer p : plan.layers()) {
                if (p.absorbed()) {
                    continue;
                }
                Layer l = layer(p, m, plan.parameterOffset(p), !first, previous);
                previous = l;
                layers.add(l);
                made.add(l);
                first = false;
            }
            logits = chunk < this.evalRows ? track(made, backend.allocate((long) this.evalRows * plan.classes()))
                    : null;
            dLogits = track(made, backend.allocate((long) this.trainRows * plan.classes()));
        } catch (RuntimeException | Error e) {
            for (AutoCloseable c : made) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * The model of {@code spec} for samples of {@code sampleShape} and {@code classes} classes.
     *
     * @throws dev.anneal.spec.SpecException when the layers do not fit the data ({@link ModelPlan#of})
     */
    public static Sequential create(Backend backend, ModelSpec spec, int[] sampleShape, int classes, int trainRows,
                                    int evalRows, long dropoutSeed, int replica) {
        return new Sequential(backend, ModelPlan.of(spec, sampleShape, classes), trainRows, evalRows, dropoutSeed,
                replica);
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> made, T t) {
        made.add(t);
        return t;
    }

    private Layer layer(PlannedLayer p, ModelBuffers m, long weight, boolean inputGradient, Layer previous) {
        LayerSpec s = p.spec();
        if (s instanceof LayerSpec.Linear) {
            return new LinearLayer(p, m, weight, inputGradient);
        }
        if (s instanceof LayerSpec.Conv2d) {
            return new Conv2dLayer(p, m, weight, inputGradient);
        }
        if (s instanceof LayerSpec.MaxPool2d) {
            // planned so, the previous layer is the conv (its relu, if any, is absorbed) whose bias the pool adds
            long bias = p.biasInPool() ? ((Conv2dLayer) previous).biasOffset() : -1;
            return new MaxPool2dLayer(p, m, inputGradient, bias);
        }
        if (s instanceof LayerSpec.AvgPool2d) {
            return new AvgPool2dLayer(p, m, inputGradient);
        }
        if (s instanceof LayerSpec.BatchNorm1d || s instanceof LayerSpec.BatchNorm2d) {
            BatchNormLayer b = new BatchNormLayer(p, m, weight, plan.stateOffset(p));
            norms.add(b);
            return b;
        }
        if (s instanceof LayerSpec.Dropout) {
            return new DropoutLayer(p, m);
        }
        if (s instanceof LayerSpec.Flatten) {
            return new FlattenLayer(p, m, inputGradient);
        }
        return new ActivationLayer(p, m);
    }

    public ModelPlan plan() {
        return plan;
    }

    /** The flat parameter buffer. */
    public FloatArray parameters() {
        return params;
    }

    /** The flat gradient buffer (the parameters' layout). */
    public FloatArray gradients() {
        return grads;
    }

    /** Batch norm's running statistics, or null when the model has no batch norm. */
    public FloatArray state() {
        return state;
    }

    /** Trainable parameters: the length of {@link #parameters()} in use. */
    public long size() {
        return plan.parameters();
    }

    /** Every named tensor ({@link ModelPlan#tensors}). */
    public List<NamedTensor> tensors() {
        return plan.tensors();
    }

    /** The most rows a training pass takes. */
    public int trainRows() {
        return trainRows;
    }

    /** The most rows an evaluation pass takes. */
    public int evalRows() {
        return evalRows;
    }

    /** The rows every layer buffer holds; larger evaluation batches run in chunks of it. */
    public int chunk() {
        return chunk;
    }

    /**
     * Fills the parameters from {@code seed} by {@code init} (see {@link ModelSpec}): one {@link SplitMix64} drawn
     * layer after layer, each {@code linear} and {@code conv2d} all its weights then its biases; batch norm starts at
     * weight 1, bias 0, running mean 0, running variance 1, no training pass counted. The same seed, the same bits.
     */
    public void initialize(String init, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        float[] host = new float[Math.toIntExact(plan.parameters())];
        for (Layer l : layers) {
            l.initialize(init, rng, host);
        }
        backend.upload(host, 0, params, 0, host.length);
        if (state != null) {
            float[] s = new float[Math.toIntExact(plan.stateSize())];
            for (BatchNormLayer b : norms) {
                b.resetRunningStatistics(s);
            }
            backend.upload(s, 0, state, 0, s.length);
        }
        restoreForwards(0);
    }

    /** Sets the device counter of training passes (the next dropout draw number) to {@code forwards}. */
    public void restoreForwards(long forwards) {
        if (counter != null) {
            backend.upload(new int[] {Math.toIntExact(forwards)}, 0, counter, 0, 1);
        }
    }

    /**
     * Counts a training pass that this replica has no rows for (its shard of a micro-batch is empty), so that every
     * replica's counter stays the number of training micro-batches.
     */
    public void skipForward() {
        if (counter != null) {
            backend.dropout().advance(counter, 0);
        }
    }

    public void zeroGradients() {
        backend.fill(grads, 0, Math.max(1, plan.parameters()), 0f);
    }

    /**
     * Forward pass over {@code x} ({@code rows x C*H*W}, PyTorch's sample layout); returns the logits view
     * ({@code rows x classes}). A training pass takes at most {@link #trainRows()} rows, an evaluation pass at most
     * {@link #evalRows()}.
     */
    public Mat forward(Mat x, boolean training) {
        int rows = x.rows();
        long in = ModelPlan.size(plan.input());
        if (rows > (training ? trainRows : evalRows) || x.cols() != in) {
            throw new IllegalArgumentException("input " + rows + "x" + x.cols() + " for a model of capacity "
                    + (training ? trainRows : evalRows) + " and " + in + " inputs");
        }
        if (rows <= chunk) {
            return run(x, training);
        }
        for (int from = 0; from < rows; from += chunk) {
            int count = Math.min(chunk, rows - from);
            Mat out = run(x.rows(from, count), false);
            backend.copy(out.data(), out.offset(), logits, (long) from * plan.classes(), out.size());
        }
        return new Mat(logits, 0, rows, plan.classes());
    }

    private Mat run(Mat x, boolean training) {
        Mat h = x;
        int[] in = plan.input();
        if (nhwc != null) {
            backend.conv().toChannelsLast(x.rows(), in[0], in[1], in[2], x.data(), x.offset(), nhwc, 0);
            h = new Mat(nhwc, 0, x.rows(), x.cols());
        }
        for (Layer l : layers) {
            h = l.forward(h, training);
        }
        if (training && counter != null) {
            backend.dropout().advance(counter, 0);
        }
        return h;
    }

    /**
     * Forward (training), loss and backward for one (micro-)batch: accumulates the gradient of
     * {@code gradScale * sum of per-sample losses} into {@link #gradients()} and writes
     * {@code stats[statsOffset] = loss sum}, {@code stats[statsOffset+1] = correct predictions}.
     */
    public void accumulateGradients(Mat x, IntArray labels, long labelOffset, float gradScale, FloatArray stats,
                                    long statsOffset) {
        Mat out = forward(x, true);
        Mat gl = new Mat(dLogits, 0, x.rows(), plan.classes());
        backend.softmaxCrossEntropy(out, labels, labelOffset, gradScale, gl, stats, statsOffset);
        backward(gl);
    }

    /** Loss sum and correct count of a batch in evaluation mode, without touching the gradients. */
    public void evaluate(Mat x, IntArray labels, long labelOffset, FloatArray stats, long statsOffset) {
        Mat out = forward(x, false);
        backend.softmaxCrossEntropy(out, labels, labelOffset, 0f, null, stats, statsOffset);
    }

    /**
     * Backpropagates {@code dL/dlogits} of the last training {@link #forward} (overwriting the layers' gradient
     * buffers, and {@code gradLogits} itself) into the parameter gradients.
     */
    public void backward(Mat gradLogits) {
        Mat g = gradLogits;
        for (int j = layers.size() - 1; j >= 0; j--) {
            g = layers.get(j).backward(g, j > 0);
        }
    }

    /** The tensor called {@code name} ({@code 0.weight}), as {@code kind}. */
    private NamedTensor tensor(String name) {
        for (NamedTensor t : plan.tensors()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("the model has no tensor " + name + "; it has " + plan.tensors().stream()
                .map(NamedTensor::name).toList());
    }

    private FloatArray home(NamedTensor t, boolean gradient) {
        return switch (t.kind()) {
            case PARAMETER -> gradient ? grads : params;
            case BUFFER -> {
                if (gradient) {
                    throw new IllegalArgumentException(t.name() + " is a buffer, it has no gradient");
                }
                yield state;
            }
            case COUNTER -> throw new IllegalArgumentException(t.name() + " is the count of training passes, "
                    + "held by the trainer");
        };
    }

    /** A host copy of the parameter or running statistic {@code name} (row-major in its PyTorch shape). */
    public float[] read(String name) {
        NamedTensor t = tensor(name);
        float[] v = new float[(int) t.size()];
        backend.download(home(t, false), t.offset(), v, 0, v.length);
        return v;
    }

    /** A host copy of the gradient of parameter {@code name}. */
    public float[] readGradient(String name) {
        NamedTensor t = tensor(name);
        float[] v = new float[(int) t.size()];
        backend.download(home(t, true), t.offset(), v, 0, v.length);
        return v;
    }

    /** Uploads {@code values} (row-major in its PyTorch shape) into the parameter or running statistic {@code name}. */
    public void write(String name, float[] values) {
        NamedTensor t = tensor(name);
        if (values.length != t.size()) {
            throw new IllegalArgumentException(name + " holds " + t.size() + " values, got " + values.length);
        }
        backend.upload(values, 0, home(t, false), t.offset(), values.length);
    }

    @Override
    public void close() {
        for (Layer l : layers) {
            l.close();
        }
        for (AutoCloseable a : new AutoCloseable[] {params, grads, state, counter, nhwc, logits, dLogits}) {
            if (a != null) {
                try {
                    a.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
