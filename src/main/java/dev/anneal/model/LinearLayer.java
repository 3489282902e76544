package dev.anneal.model;

import dev.anneal.backend.Activation;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;

/**
 * {@code linear} ({@code nn.Linear}), optionally with the next layer's activation fused in:
 * {@code z = x W^T + b} (a GEMM with W transposed, then the bias pass), {@code y = act(z)}. W is PyTorch's
 * {@code [out, in]} row-major. Backward from {@code dy}: {@code g = dy * act'(z)} (in place), {@code dW += g^T x},
 * {@code db += colsum(g)}, {@code dx = g W}.
 */
final class LinearLayer extends Layer {
    private final int in;
    private final int out;
    private final long weight;
    private final long bias;
    private final Activation act;
    private final FloatArray z;
    private final FloatArray a;
    private final FloatArray dx;
    private Mat x;

    LinearLayer(PlannedLayer plan, ModelBuffers m, long weightOffset, boolean inputGradient) {
        super(plan, m);
        this.in = plan.inFeatures();
        this.out = plan.out()[0];
        this.weight = weightOffset;
        this.bias = ((LayerSpec.Linear) plan.spec()).bias() ? weightOffset + (long) in * out : -1;
        this.act = plan.fused() == null ? Activation.IDENTITY : plan.fused();
        this.z = buffer(out);
        this.a = act == Activation.IDENTITY ? null : buffer(out);
        this.dx = inputGradient ? buffer(in) : null;
    }

    @Override
    public Mat forward(Mat input, boolean training) {
        x = input;
        int rows = input.rows();
        Mat zm = view(z, rows, out);
        backend.gemm(false, true, 1f, input, new Mat(m.params(), weight, out, in), 0f, zm);
        Mat y = a == null ? zm : view(a, rows, out);
        if (bias >= 0) {
            backend.biasActivation(zm, new Mat(m.params(), bias, 1, out), act, y);
        } else if (a != null) {
            backend.activation(act, zm, y);
        }
        return y;
    }

    @Override
    public Mat backward(Mat dy, boolean inputGradient) {
        int rows = dy.rows();
        if (a != null) {
            backend.activationBackward(act, view(z, rows, out), dy);
        }
        backend.gemm(true, false, 1f, dy, x, 1f, new Mat(m.grads(), weight, out, in));
        if (bias >= 0) {
            backend.columnSums(dy, new Mat(m.grads(), bias, 1, out), true);
        }
        if (!inputGradient) {
            return null;
        }
        Mat d = view(dx, rows, in);
        backend.gemm(false, false, 1f, dy, new Mat(m.params(), weight, out, in), 0f, d);
        return d;
    }

    @Override
    void initialize(String init, SplitMix64 rng, float[] host) {
        WeightInit.fill(init, rng, host, weight, (long) out * in, bias, out, in, out);
    }
}
