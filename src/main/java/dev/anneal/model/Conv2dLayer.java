package dev.anneal.model;

import dev.anneal.backend.Activation;
import dev.anneal.backend.ConvGeometry;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;

/**
 * {@code conv2d} ({@code nn.Conv2d}, dilation 1, groups 1) on channels-last images by im2col (Chellapilla et al.
 * 2006), optionally with the next layer's activation fused in. With {@code P = im2col(x)} ({@code [n oH oW,
 * inC kH kW]}) and PyTorch's weight {@code [outC, inC, kH, kW]} seen as {@code W [outC, inC kH kW]}:
 * {@code z = P W^T + b} (channels-last output directly), {@code y = act(z)}. Backward from {@code dy}:
 * {@code g = dy * act'(z)}, {@code dW += g^T P}, {@code db += colsum(g)}, {@code dx = col2im(g W)} (the columns
 * buffer, no longer needed once dW is formed, holds {@code g W}). A 1x1 kernel with stride 1 and no padding needs no
 * unrolling: {@code P = x}. Before a max pooling ({@link PlannedLayer#biasInPool}) the output is {@code P W^T}
 * alone and the pooling adds {@code b} as it reads; the backward is the same.
 */
final class Conv2dLayer extends Layer {
    private final ConvGeometry g;
    private final long weight;
    private final long bias;
    private final boolean biasInPool;
    private final Activation act;
    private final boolean unrolled;
    private final FloatArray col;
    private final FloatArray z;
    private final FloatArray a;
    private final FloatArray dx;
    private Mat x;

    Conv2dLayer(PlannedLayer plan, ModelBuffers m, long weightOffset, boolean inputGradient) {
        super(plan, m);
        LayerSpec.Conv2d s = (LayerSpec.Conv2d) plan.spec();
        int[] in = plan.in();
        this.g = new ConvGeometry(in[0], in[1], in[2], plan.out()[0], s.kernelSize().h(), s.kernelSize().w(),
                s.stride().h(), s.stride().w(), s.padding().h(), s.padding().w());
        this.weight = weightOffset;
        this.bias = s.bias() ? weightOffset + (long) g.outC() * g.patch() : -1;
        this.biasInPool = plan.biasInPool();
        this.act = plan.fused() == null ? Activation.IDENTITY : plan.fused();
        if (biasInPool && (bias < 0 || act != Activation.IDENTITY)) {
            throw new IllegalStateException(plan.key() + ": a conv whose pooling adds its bias has a bias and no "
                    + "fused activation");
        }
        this.unrolled = !(g.kH() == 1 && g.kW() == 1 && g.strideH() == 1 && g.strideW() == 1 && g.padH() == 0
                && g.padW() == 0);
        long pixels = (long) g.outH() * g.outW();
        this.col = unrolled ? buffer(pixels * g.patch()) : null;
        this.z = buffer(g.outSize());
        this.a = act == Activation.IDENTITY ? null : buffer(g.outSize());
        this.dx = inputGradient ? buffer(g.inSize()) : null;
    }

    /** Where the bias starts in the parameter buffer ({@code outC} floats), or -1 without one. */
    long biasOffset() {
        return bias;
    }

    private int pixels(int rows) {
        return rows * g.outH() * g.outW();
    }

    /** The unrolled patches of the last input: {@code [n oH oW, patch]}. */
    private Mat patches(int rows) {
        return unrolled ? new Mat(col, 0, pixels(rows), g.patch())
                : new Mat(x.data(), x.offset(), pixels(rows), g.patch());
    }

    private Mat w(dev.anneal.backend.FloatArray buf) {
        return new Mat(buf, weight, g.outC(), g.patch());
    }

    @Override
    public Mat forward(Mat input, boolean training) {
        x = input;
        int rows = input.rows();
        if (unrolled) {
            backend.conv().im2col(g, rows, input.data(), input.offset(), col, 0);
        }
        Mat zm = new Mat(z, 0, pixels(rows), g.outC());
        backend.gemm(false, true, 1f, patches(rows), w(m.params()), 0f, zm);
        Mat y = a == null ? zm : new Mat(a, 0, pixels(rows), g.outC());
        if (bias >= 0 && !biasInPool) {
            backend.biasActivation(zm, new Mat(m.params(), bias, 1, g.outC()), act, y);
        } else if (a != null) {
            backend.activation(act, zm, y);
        }
        return y.reshape(rows, outSize());
    }

    @Override
    public Mat backward(Mat dy, boolean inputGradient) {
        int rows = dy.rows();
        Mat gm = dy.reshape(pixels(rows), g.outC());
        if (a != null) {
            backend.activationBackward(act, new Mat(z, 0, pixels(rows), g.outC()), gm);
        }
        backend.gemm(true, false, 1f, gm, patches(rows), 1f, w(m.grads()));
        if (bias >= 0) {
            backend.columnSums(gm, new Mat(m.grads(), bias, 1, g.outC()), true);
        }
        if (!inputGradient) {
            return null;
        }
        if (!unrolled) {
            Mat d = new Mat(dx, 0, pixels(rows), g.patch());
            backend.gemm(false, false, 1f, gm, w(m.params()), 0f, d);
            return d.reshape(rows, inSize());
        }
        Mat dcol = new Mat(col, 0, pixels(rows), g.patch());
        backend.gemm(false, false, 1f, gm, w(m.params()), 0f, dcol);
        backend.conv().col2im(g, rows, col, 0, dx, 0);
        return new Mat(dx, 0, rows, inSize());
    }

    @Override
    void initialize(String init, SplitMix64 rng, float[] host) {
        int receptive = g.kH() * g.kW();
        WeightInit.fill(init, rng, host, weight, (long) g.outC() * g.patch(), bias, g.outC(), g.patch(),
                g.outC() * receptive);
    }
}
