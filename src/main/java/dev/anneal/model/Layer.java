package dev.anneal.model;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;
import java.util.ArrayList;
import java.util.List;

/**
 * One layer of a {@link Sequential} at run time: it maps a batch of {@code rows} samples ({@code rows x inSize},
 * images channels last) to {@code rows x outSize}, and back-propagates. Its output shape, its parameter count and
 * the names of its tensors come from its {@link PlannedLayer}; its weights and gradients are views into the
 * model's flat buffers ({@link ModelBuffers}); the buffers it needs for a pass (output, input gradient, im2col
 * columns, masks) are allocated once, for {@link ModelBuffers#rows} rows, when it is built.
 *
 * <p>Contract: {@link #forward} keeps what {@link #backward} needs (its input, pre-activations, masks) until the
 * next forward; {@link #backward} accumulates ({@code +=}) the parameter gradients and returns {@code dL/dx}
 * (possibly in the memory of {@code dy}, which it may overwrite), or null when not asked for it. Every call only
 * queues backend ops (no host reads, allocations or waits), so a training step can be captured as a CUDA graph.
 */
public abstract class Layer implements AutoCloseable {
    protected final PlannedLayer plan;
    protected final ModelBuffers m;
    protected final Backend backend;
    private final List<AutoCloseable> owned = new ArrayList<>();

    protected Layer(PlannedLayer plan, ModelBuffers m) {
        this.plan = plan;
        this.m = m;
        this.backend = m.backend();
    }

    public PlannedLayer plan() {
        return plan;
    }

    /** Floats of one input sample. */
    protected int inSize() {
        return (int) plan.inSize();
    }

    /** Floats of one output sample. */
    protected int outSize() {
        return (int) plan.outSize();
    }

    /** A zero-filled buffer of {@code perRow} floats for each of the model's rows, closed with the layer. */
    protected FloatArray buffer(long perRow) {
        FloatArray a = backend.allocate(Math.max(1, perRow * m.rows()));
        owned.add(a);
        return a;
    }

    /** A zero-filled buffer of {@code n} floats whatever the rows, closed with the layer. */
    protected FloatArray fixed(long n) {
        FloatArray a = backend.allocate(n);
        owned.add(a);
        return a;
    }

    /** An int buffer of {@code perRow} ints per row, closed with the layer. */
    protected dev.anneal.backend.IntArray ints(long perRow) {
        dev.anneal.backend.IntArray a = backend.allocateInts(Math.max(1, perRow * m.rows()));
        owned.add(a);
        return a;
    }

    /** {@code rows x cols} at the start of {@code a}. */
    protected static Mat view(FloatArray a, int rows, int cols) {
        return new Mat(a, 0, rows, cols);
    }

    /**
     * Forward pass over {@code x} ({@code rows x inSize}); {@code training} selects training behaviour (dropout
     * masks, batch statistics). Returns the output, {@code rows x outSize}.
     */
    public abstract Mat forward(Mat x, boolean training);

    /**
     * Backward pass from {@code dy = dL/dy} of the last {@link #forward} (a training pass): accumulates the
     * parameter gradients and returns {@code dL/dx} when {@code inputGradient}, else null.
     */
    public abstract Mat backward(Mat dy, boolean inputGradient);

    /**
     * Writes this layer's initial parameters into {@code host} (the whole flat parameter buffer) by {@code init},
     * drawing from {@code rng} in a fixed order: all weights, then all biases.
     */
    void initialize(String init, SplitMix64 rng, float[] host) {
    }

    @Override
    public void close() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        owned.clear();
    }
}
