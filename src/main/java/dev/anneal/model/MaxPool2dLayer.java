package dev.anneal.model;

import dev.anneal.backend.Activation;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.PoolGeometry;

/**
 * {@code max_pool2d} ({@code nn.MaxPool2d}, {@code ceil_mode=False}) on channels-last images:
 * {@code y[oy, ox, c] = max} over the window {@code x[oy*sH - pH + ky, ox*sW - pW + kx, c]} (padding excluded,
 * the first maximum wins, NaN propagates). Backward: {@code dx[e] = sum of dy[j]} over the outputs whose maximum
 * was element {@code e} (the argmax kept by the forward pass). After a {@code relu} (following a conv, a batch norm
 * or any other layer) the ReLU runs here, on the pooled values ({@code y = relu(max z)}, backward {@code dy *= (y > 0)}), which gives the same values and gradients
 * on a quarter of the elements ({@link PlannedLayer#fused}). After a {@code conv2d} (and that ReLU) the conv's bias is
 * added here, as each element is read ({@code max (z + b)}, {@link PlannedLayer#biasInPool}), instead of in a pass
 * of its own.
 */
final class MaxPool2dLayer extends Layer {
    private final PoolGeometry g;
    private final FloatArray y;
    private final IntArray argmax;
    private final FloatArray dx;
    private final Activation after;
    private final long bias;

    /** @param bias where the previous conv's bias starts in the parameters, when this pooling adds it; else -1 */
    MaxPool2dLayer(PlannedLayer plan, ModelBuffers m, boolean inputGradient, long bias) {
        super(plan, m);
        this.g = geometry(plan);
        this.y = buffer(g.outSize());
        this.argmax = ints(g.outSize());
        this.dx = inputGradient ? buffer(g.inSize()) : null;
        this.after = plan.fused();
        if (plan.biasInPool() != bias >= 0) {
            throw new IllegalStateException(plan.key() + ": the pooling adds a conv's bias exactly when planned so");
        }
        this.bias = bias;
    }

    /** The pooling geometry of a {@code max_pool2d} or {@code avg_pool2d} layer. */
    static PoolGeometry geometry(PlannedLayer plan) {
        Size2d k;
        Size2d s;
        Size2d p;
        if (plan.spec() instanceof LayerSpec.MaxPool2d mp) {
            k = mp.kernelSize();
            s = mp.stride();
            p = mp.padding();
        } else {
            LayerSpec.AvgPool2d ap = (LayerSpec.AvgPool2d) plan.spec();
            k = ap.kernelSize();
            s = ap.stride();
            p = ap.padding();
        }
        int[] in = plan.in();
        return new PoolGeometry(in[0], in[1], in[2], k.h(), k.w(), s.h(), s.w(), p.h(), p.w());
    }

    @Override
    public Mat forward(Mat x, boolean training) {
        int rows = x.rows();
        if (bias >= 0) {
            backend.pool().maxPoolBiasForward(g, rows, x.data(), x.offset(), m.params(), bias, y, 0, argmax, 0);
        } else {
            backend.pool().maxPoolForward(g, rows, x.data(), x.offset(), y, 0, argmax, 0);
        }
        Mat out = view(y, rows, outSize());
        if (after != null) {
            backend.activation(after, out, out);
        }
        return out;
    }

    @Override
    public Mat backward(Mat dy, boolean inputGradient) {
        if (!inputGradient) {
            return null;
        }
        int rows = dy.rows();
        if (after != null) {
            // relu'(z) = (z > 0) = (relu(z) > 0): the pooled output stands in for the pre-activation
            backend.activationBackward(after, view(y, rows, outSize()), dy);
        }
        backend.pool().maxPoolBackward(g, rows, dy.data(), dy.offset(), argmax, 0, dx, 0);
        return view(dx, rows, inSize());
    }
}
