// nvcc-flags: --fmad=false
// Batch normalisation (Ioffe and Szegedy 2015, PyTorch's BatchNorm1d/2d) over a rows x cols matrix: [N, C]
// features or channels-last images seen as N*H*W rows of C channels. Column sums are deterministic and equal to
// the host twin's bit for bit: the rows are cut into blocks of BN_BLOCK_ROWS, one thread per (block, channel)
// sums its block down the rows in double from 0 into a partial (a scratch array of blocks * cols doubles), then
// one thread per channel adds the partials in block order from 0. No atomics; the order never depends on the
// grid or the device. Built with --fmad=false so that no multiply-add is contracted: every float and double
// operation rounds as the host twin's does.
//   training forward: batch_norm_sum_partials, batch_norm_mean (OVERWRITES mean[c] = sum x / R, double),
//     batch_norm_square_partials (sum (x - mean)^2), batch_norm_stats (OVERWRITES saved[c] = (float) mean,
//     saved[C + c] = (float) (1 / sqrt(var + eps)); UPDATES running_mean and running_var in place,
//     running = (1 - momentum) * running + momentum * stat in double, the variance unbiased var * R / (R - 1)),
//     batch_norm_normalize (OVERWRITES y = ((x - mean) * invstd) * gamma + beta in float from saved).
//   inference: batch_norm_inference OVERWRITES y (y may be x) from the running statistics, invstd =
//     (float) (1 / sqrt(running_var + eps)).
//   backward: batch_norm_backward_partials (sums of dy and dy * xhat, xhat = (x - mean) * invstd in double from
//     saved), batch_norm_backward_sums (OVERWRITES sums[c], sums[C + c]; ACCUMULATES dbeta += sum dy,
//     dgamma += sum dy * xhat), batch_norm_backward_dx (OVERWRITES dx = gamma * invstd / R * (R dy - sum dy -
//     xhat * sum dy xhat) in double, rounded once; dx may be dy).
// Host twin: dev.anneal.backend.cpu.CpuNorm (batchNormTraining, batchNormInference, batchNormBackward), same bits.
#include "common.cuh"

// Rows per block of the fixed summation order: dev.anneal.backend.cpu.CpuNorm.BLOCK.
#define BN_BLOCK_ROWS 256

__device__ __forceinline__ int bn_blocks(int rows) { return (rows + BN_BLOCK_ROWS - 1) / BN_BLOCK_ROWS; }

// partials[b * cols + c] = sum of x[r, c] over the rows r of block b, in order, in double.
extern "C" __global__ void batch_norm_sum_partials(const float* __restrict__ x, int rows, int cols,
                                                   double* __restrict__ partials) {
    long long units = (long long)bn_blocks(rows) * cols;
    GRID_STRIDE(t, units) {
        int b = (int)(t / cols);
        int c = (int)(t - (long long)b * cols);
        int r1 = (b + 1) * BN_BLOCK_ROWS < rows ? (b + 1) * BN_BLOCK_ROWS : rows;
        double s = 0.0;
        for (int r = b * BN_BLOCK_ROWS; r < r1; r++) s += (double)x[(long long)r * cols + c];
        partials[t] = s;
    }
}

// mean[c] = (sum over blocks of partials[b * cols + c], in block order) / rows.
extern "C" __global__ void batch_norm_mean(const double* __restrict__ partials, int rows, int cols,
                                           double* __restrict__ mean) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    int blocks = bn_blocks(rows);
    double s = 0.0;
    for (int b = 0; b < blocks; b++) s += partials[(long long)b * cols + c];
    mean[c] = s / rows;
}

// partials[b * cols + c] = sum of (x[r, c] - mean[c])^2 over the rows of block b, in order, in double.
extern "C" __global__ void batch_norm_square_partials(const float* __restrict__ x, int rows, int cols,
                                                      const double* __restrict__ mean,
                                                      double* __restrict__ partials) {
    long long units = (long long)bn_blocks(rows) * cols;
    GRID_STRIDE(t, units) {
        int b = (int)(t / cols);
        int c = (int)(t - (long long)b * cols);
        int r1 = (b + 1) * BN_BLOCK_ROWS < rows ? (b + 1) * BN_BLOCK_ROWS : rows;
        double m = mean[c];
        double s = 0.0;
        for (int r = b * BN_BLOCK_ROWS; r < r1; r++) {
            double d = (double)x[(long long)r * cols + c] - m;
            s += d * d;
        }
        partials[t] = s;
    }
}

// One thread per channel: the biased variance from the square partials, the saved statistics and the running
// update.
extern "C" __global__ void batch_norm_stats(const double* __restrict__ partials, const double* __restrict__ mean,
                                            int rows, int cols, float eps, float momentum,
                                            float* __restrict__ running_mean, float* __restrict__ running_var,
                                            float* __restrict__ saved) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    int blocks = bn_blocks(rows);
    double s = 0.0;
    for (int b = 0; b < blocks; b++) s += partials[(long long)b * cols + c];
    double var = s / rows;
    double mu = mean[c];
    saved[c] = (float)mu;
    saved[cols + c] = (float)(1.0 / sqrt(var + (double)eps));
    double m = momentum;
    running_mean[c] = (float)((1.0 - m) * running_mean[c] + m * mu);
    running_var[c] = (float)((1.0 - m) * running_var[c] + m * (var * rows / (rows - 1)));
}

// y = ((x - mean) * invstd) * gamma + beta in float, mean and invstd from saved; y does not overlap x.
extern "C" __global__ void batch_norm_normalize(const float* __restrict__ x, int rows, int cols,
                                                const float* __restrict__ saved, const float* __restrict__ gamma,
                                                const float* __restrict__ beta, float* __restrict__ y) {
    long long n = (long long)rows * cols;
    GRID_STRIDE(i, n) {
        int c = (int)(i % cols);
        y[i] = (x[i] - saved[c]) * saved[cols + c] * gamma[c] + beta[c];
    }
}

// Evaluation: y = ((x - running_mean) * invstd) * gamma + beta, invstd = (float) (1 / sqrt(running_var + eps));
// y may be x.
extern "C" __global__ void batch_norm_inference(const float* x, int rows, int cols, float eps,
                                                const float* __restrict__ running_mean,
                                                const float* __restrict__ running_var,
                                                const float* __restrict__ gamma, const float* __restrict__ beta,
                                                float* y) {
    long long n = (long long)rows * cols;
    GRID_STRIDE(i, n) {
        int c = (int)(i % cols);
        float invstd = (float)(1.0 / sqrt((double)running_var[c] + (double)eps));
        y[i] = (x[i] - running_mean[c]) * invstd * gamma[c] + beta[c];
    }
}

// partials[b * cols + c] = sum dy, partials[blocks * cols + b * cols + c] = sum dy * xhat over the rows of block
// b, in order, in double; xhat = ((double) x - mean) * invstd from saved.
extern "C" __global__ void batch_norm_backward_partials(const float* __restrict__ x, const float* __restrict__ dy,
                                                        int rows, int cols, const float* __restrict__ saved,
                                                        double* __restrict__ partials) {
    long long units = (long long)bn_blocks(rows) * cols;
    GRID_STRIDE(t, units) {
        int b = (int)(t / cols);
        int c = (int)(t - (long long)b * cols);
        int r1 = (b + 1) * BN_BLOCK_ROWS < rows ? (b + 1) * BN_BLOCK_ROWS : rows;
        double mu = saved[c];
        double invstd = saved[cols + c];
        double s_dy = 0.0;
        double s_dy_xhat = 0.0;
        for (int r = b * BN_BLOCK_ROWS; r < r1; r++) {
            long long i = (long long)r * cols + c;
            double g = dy[i];
            double xhat = ((double)x[i] - mu) * invstd;
            s_dy += g;
            s_dy_xhat += g * xhat;
        }
        partials[t] = s_dy;
        partials[units + t] = s_dy_xhat;
    }
}

// One thread per channel: the two sums in block order into sums[c] and sums[cols + c]; dbeta and dgamma += them.
extern "C" __global__ void batch_norm_backward_sums(const double* __restrict__ partials, int rows, int cols,
                                                    double* __restrict__ sums, float* __restrict__ dgamma,
                                                    float* __restrict__ dbeta) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    int blocks = bn_blocks(rows);
    long long units = (long long)blocks * cols;
    double s_dy = 0.0;
    double s_dy_xhat = 0.0;
    for (int b = 0; b < blocks; b++) {
        s_dy += partials[(long long)b * cols + c];
        s_dy_xhat += partials[units + (long long)b * cols + c];
    }
    sums[c] = s_dy;
    sums[cols + c] = s_dy_xhat;
    dgamma[c] += (float)s_dy_xhat;
    dbeta[c] += (float)s_dy;
}

// dx = gamma * invstd / R * (R dy - sum dy - xhat * sum dy xhat), in double, rounded once; dx may be dy.
extern "C" __global__ void batch_norm_backward_dx(const float* __restrict__ x, const float* dy, int rows, int cols,
                                                  const float* __restrict__ gamma, const float* __restrict__ saved,
                                                  const double* __restrict__ sums, float* dx) {
    long long n = (long long)rows * cols;
    GRID_STRIDE(i, n) {
        int c = (int)(i % cols);
        double invstd = saved[cols + c];
        double k = (double)gamma[c] * invstd / rows;
        double xhat = ((double)x[i] - saved[c]) * invstd;
        dx[i] = (float)(k * ((double)rows * dy[i] - sums[c] - xhat * sums[cols + c]));
    }
}
