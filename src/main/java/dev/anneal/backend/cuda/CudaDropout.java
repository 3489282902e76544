package dev.anneal.backend.cuda;

import dev.anneal.backend.DropoutOps;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;

/**
 * {@link DropoutOps} on the device: {@code cuda-kernels/dropout.cu} ({@link DropoutLaunches}). The draw counter
 * stays in device memory: the mask kernel reads it and {@link #advance} increments it on the stream, so a
 * captured step replays with the current draw.
 */
final class CudaDropout implements DropoutOps {
    private final OpQueue queue;

    CudaDropout(OpQueue queue) {
        this.queue = queue;
    }

    @Override
    public void dropoutForward(FloatArray x, long xOffset, long n, float p, long seed, int stream, IntArray draws,
                               long drawsOffset, FloatArray mask, long maskOffset, FloatArray y, long yOffset) {
        queue.submit(pl -> pl.dropoutForward(x, xOffset, n, p, seed, stream, draws, drawsOffset, mask, maskOffset, y,
                yOffset));
    }

    @Override
    public void multiply(FloatArray a, long aOffset, FloatArray b, long bOffset, long n) {
        queue.submit(p -> p.multiply(a, aOffset, b, bOffset, n));
    }

    @Override
    public void advance(IntArray counter, long offset) {
        queue.submit(p -> p.advance(counter, offset));
    }
}
