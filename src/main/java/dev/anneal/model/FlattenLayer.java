package dev.anneal.model;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;

/**
 * {@code flatten} ({@code nn.Flatten}): a {@code [C, H, W]} sample becomes {@code C*H*W} features in PyTorch's
 * order {@code c*H*W + h*W + w}, so a {@code linear} after it has PyTorch's weight. Images are channels last
 * inside the model, so this is the layout change {@code toChannelsFirst} (backward {@code toChannelsLast}); with
 * one channel, or on flat features, both layouts are the same memory and nothing is copied.
 */
final class FlattenLayer extends Layer {
    private final int c;
    private final int h;
    private final int w;
    private final FloatArray y;
    private final FloatArray dx;

    FlattenLayer(PlannedLayer plan, ModelBuffers m, boolean inputGradient) {
        super(plan, m);
        int[] in = plan.in();
        boolean copies = in.length == 3 && in[0] > 1;
        this.c = copies ? in[0] : 1;
        this.h = copies ? in[1] : 1;
        this.w = copies ? in[2] : 1;
        this.y = copies ? buffer(outSize()) : null;
        this.dx = copies && inputGradient ? buffer(outSize()) : null;
    }

    @Override
    public Mat forward(Mat x, boolean training) {
        if (y == null) {
            return x;
        }
        int rows = x.rows();
        backend.conv().toChannelsFirst(rows, c, h, w, x.data(), x.offset(), y, 0);
        return view(y, rows, outSize());
    }

    @Override
    public Mat backward(Mat dy, boolean inputGradient) {
        if (!inputGradient) {
            return null;
        }
        if (y == null) {
            return dy;
        }
        int rows = dy.rows();
        backend.conv().toChannelsLast(rows, c, h, w, dy.data(), dy.offset(), dx, 0);
        return view(dx, rows, inSize());
    }
}
