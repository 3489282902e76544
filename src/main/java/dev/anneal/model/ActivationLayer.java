package dev.anneal.model;

import dev.anneal.backend.Activation;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;

/**
 * {@code relu}, {@code gelu} or {@code tanh} on its own (after a layer it is not fused into: batch norm, pooling,
 * dropout): {@code y = act(x)} elementwise ({@link Activation} gives the functions and derivatives); backward
 * {@code dx = dy * act'(x)} (over {@code dy}).
 */
final class ActivationLayer extends Layer {
    private final Activation act;
    private final FloatArray y;
    private Mat x;

    ActivationLayer(PlannedLayer plan, ModelBuffers m) {
        super(plan, m);
        this.act = ModelPlan.activationOf(plan.spec());
        this.y = buffer(outSize());
    }

    @Override
    public Mat forward(Mat input, boolean training) {
        x = input;
        Mat out = view(y, input.rows(), outSize());
        backend.activation(act, input, out);
        return out;
    }

    @Override
    public Mat backward(Mat dy, boolean inputGradient) {
        backend.activationBackward(act, x, dy);
        return inputGradient ? dy : null;
    }
}
