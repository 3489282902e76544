package dev.anneal.backend.cuda;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.NormOps;

/**
 * {@link NormOps} on the device: {@code cuda-kernels/norm.cu} ({@link NormLaunches}). The column sums use the
 * backend's batch-norm scratch, which grows on first use with a larger layer (so a step captured into a graph
 * after an eager warm-up step allocates nothing).
 */
final class CudaNorm implements NormOps {
    private final OpQueue queue;
    private final CudaPlanner.Scratch scratch;

    CudaNorm(OpQueue queue, CudaPlanner.Scratch scratch) {
        this.queue = queue;
        this.scratch = scratch;
    }

    @Override
    public void batchNormTraining(Mat x, Mat gamma, Mat beta, float eps, float momentum, FloatArray running,
                                  long meanOffset, long varOffset, FloatArray saved, long savedOffset, Mat y) {
        queue.submit(p -> p.batchNormTraining(x, gamma, beta, eps, momentum, running, meanOffset, varOffset, saved,
                savedOffset, y, scratch));
    }

    @Override
    public void batchNormInference(Mat x, Mat gamma, Mat beta, float eps, FloatArray running, long meanOffset,
                                   long varOffset, Mat y) {
        queue.submit(p -> p.batchNormInference(x, gamma, beta, eps, running, meanOffset, varOffset, y));
    }

    @Override
    public void batchNormBackward(Mat x, Mat dy, Mat gamma, FloatArray saved, long savedOffset, Mat dx, Mat dGamma,
                                  Mat dBeta) {
        queue.submit(p -> p.batchNormBackward(x, dy, gamma, saved, savedOffset, dx, dGamma, dBeta, scratch));
    }
}
