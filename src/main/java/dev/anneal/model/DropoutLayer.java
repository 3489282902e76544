package dev.anneal.model;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;

/**
 * {@code dropout} ({@code nn.Dropout}, inverted dropout, Srivastava et al. 2014): in training each element is kept
 * with probability {@code 1 - p} and scaled by {@code 1 / (1 - p)}, else zeroed, {@code y = x * mask}; in
 * evaluation {@code y = x}. Backward: {@code dx = dy * mask} (over {@code dy}). The mask is a pure function of the
 * run's dropout seed, the stream {@code layer index + 65536 * replica index} and the draw number, which is the
 * model's device counter of training passes ({@link dev.anneal.backend.DropoutOps}), so the same run draws the same
 * masks on every backend and a resumed run draws what the uninterrupted one drew.
 */
final class DropoutLayer extends Layer {
    /** Streams of one replica: one per layer index below this; replica {@code r} adds {@code r * STREAMS}. */
    static final int STREAMS = 65536;

    private final float p;
    private final int stream;
    private final FloatArray y;
    private final FloatArray mask;

    DropoutLayer(PlannedLayer plan, ModelBuffers m) {
        super(plan, m);
        this.p = ((LayerSpec.Dropout) plan.spec()).p().floatValue();
        this.stream = plan.index() + STREAMS * m.replica();
        this.y = p > 0 ? buffer(outSize()) : null;
        this.mask = p > 0 ? buffer(outSize()) : null;
    }

    @Override
    public Mat forward(Mat x, boolean training) {
        if (!training || p == 0) {
            return x;
        }
        int rows = x.rows();
        long n = (long) rows * outSize();
        backend.dropout().dropoutForward(x.data(), x.offset(), n, p, m.dropoutSeed(), stream, m.counter(), 0, mask, 0,
                y, 0);
        return view(y, rows, outSize());
    }

    @Override
    public Mat backward(Mat dy, boolean inputGradient) {
        if (p > 0) {
            backend.dropout().multiply(dy.data(), dy.offset(), mask, 0, dy.size());
        }
        return inputGradient ? dy : null;
    }
}
