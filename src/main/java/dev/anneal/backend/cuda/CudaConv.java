package dev.anneal.backend.cuda;

import dev.anneal.backend.ConvGeometry;
import dev.anneal.backend.ConvOps;
import dev.anneal.backend.FloatArray;

/** {@link ConvOps} on the device: {@code cuda-kernels/conv.cu}, one kernel per op ({@link ConvLaunches}). */
final class CudaConv implements ConvOps {
    private final OpQueue queue;

    CudaConv(OpQueue queue) {
        this.queue = queue;
    }

    @Override
    public void im2col(ConvGeometry g, int n, FloatArray x, long xOffset, FloatArray col, long colOffset) {
        queue.submit(p -> p.im2col(g, n, x, xOffset, col, colOffset));
    }

    @Override
    public void col2im(ConvGeometry g, int n, FloatArray col, long colOffset, FloatArray dx, long dxOffset) {
        queue.submit(p -> p.col2im(g, n, col, colOffset, dx, dxOffset));
    }

    @Override
    public void toChannelsLast(int n, int c, int h, int w, FloatArray x, long xOffset, FloatArray y, long yOffset) {
        queue.submit(p -> p.transpose(true, n, c, h, w, x, xOffset, y, yOffset));
    }

    @Override
    public void toChannelsFirst(int n, int c, int h, int w, FloatArray x, long xOffset, FloatArray y,
                                long yOffset) {
        queue.submit(p -> p.transpose(false, n, c, h, w, x, xOffset, y, yOffset));
    }
}
