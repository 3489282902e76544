package dev.anneal.model;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.PoolGeometry;

/**
 * {@code avg_pool2d} ({@code nn.AvgPool2d}, {@code ceil_mode=False}, {@code count_include_pad=True}) on
 * channels-last images: {@code y = (sum over the window of x, padding as 0) / (kH kW)}. Backward:
 * {@code dx[e] = sum of dy[j] / (kH kW)} over the windows {@code j} that contain {@code e}.
 */
final class AvgPool2dLayer extends Layer {
    private final PoolGeometry g;
    private final FloatArray y;
    private final FloatArray dx;

    AvgPool2dLayer(PlannedLayer plan, ModelBuffers m, boolean inputGradient) {
        super(plan, m);
        this.g = MaxPool2dLayer.geometry(plan);
        this.y = buffer(g.outSize());
        this.dx = inputGradient ? buffer(g.inSize()) : null;
    }

    @Override
    public Mat forward(Mat x, boolean training) {
        int rows = x.rows();
        backend.pool().avgPoolForward(g, rows, x.data(), x.offset(), y, 0);
        return view(y, rows, outSize());
    }

    @Override
    public Mat backward(Mat dy, boolean inputGradient) {
        if (!inputGradient) {
            return null;
        }
        int rows = dy.rows();
        backend.pool().avgPoolBackward(g, rows, dy.data(), dy.offset(), dx, 0);
        return view(dx, rows, inSize());
    }
}
