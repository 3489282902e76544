package dev.anneal.backend.cuda;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.PoolGeometry;
import dev.anneal.backend.PoolOps;

/** {@link PoolOps} on the device: {@code cuda-kernels/pool.cu}, one kernel per op ({@link PoolLaunches}). */
final class CudaPool implements PoolOps {
    private final OpQueue queue;

    CudaPool(OpQueue queue) {
        this.queue = queue;
    }

    @Override
    public void maxPoolForward(PoolGeometry g, int n, FloatArray x, long xOffset, FloatArray y, long yOffset,
                               IntArray argmax, long argmaxOffset) {
        queue.submit(p -> p.maxPoolForward(g, n, x, xOffset, y, yOffset, argmax, argmaxOffset));
    }

    @Override
    public void maxPoolBiasForward(PoolGeometry g, int n, FloatArray x, long xOffset, FloatArray bias,
                                   long biasOffset, FloatArray y, long yOffset, IntArray argmax, long argmaxOffset) {
        queue.submit(p -> p.maxPoolBiasForward(g, n, x, xOffset, bias, biasOffset, y, yOffset, argmax,
                argmaxOffset));
    }

    @Override
    public void maxPoolBackward(PoolGeometry g, int n, FloatArray dy, long dyOffset, IntArray argmax,
                                long argmaxOffset, FloatArray dx, long dxOffset) {
        queue.submit(p -> p.maxPoolBackward(g, n, dy, dyOffset, argmax, argmaxOffset, dx, dxOffset));
    }

    @Override
    public void avgPoolForward(PoolGeometry g, int n, FloatArray x, long xOffset, FloatArray y, long yOffset) {
        queue.submit(p -> p.avgPoolForward(g, n, x, xOffset, y, yOffset));
    }

    @Override
    public void avgPoolBackward(PoolGeometry g, int n, FloatArray dy, long dyOffset, FloatArray dx, long dxOffset) {
        queue.submit(p -> p.avgPoolBackward(g, n, dy, dyOffset, dx, dxOffset));
    }
}
