// MLP layer ops. bias_activation fuses the bias add with the activation: z += bias (in place, so z keeps the
// pre-activation for the backward pass) and out = act(z) (OVERWRITTEN; out may alias z). activation_forward is
// the activation alone, out = act(z) (OVERWRITTEN; out may alias z), for layers without a bias (after a
// convolution or a batch norm). activation_backward multiplies the incoming gradient in place by act'(z); for ReLU
// it selects instead, grad = z <= 0 ? 0 : grad, as PyTorch's threshold_backward (a NaN z passes the gradient, a
// NaN or infinite gradient where z <= 0 becomes 0, and a dropped element is +0).
// column_sums writes (or, with accumulate, ADDS) the sum over rows of each column: the bias gradient; one thread
// per column in a fixed row order, so the result is the same bits every run. Host twins in
// dev.anneal.backend.cpu.CpuOps, same argument order. Activation codes are dev.anneal.backend.Activation ordinals
// (common.cuh).
#include "common.cuh"

extern "C" __global__ void bias_activation(float* __restrict__ z, const float* __restrict__ bias,
                                           float* out, int rows, int cols, int act) {
    long long n = (long long)rows * cols;
    GRID_STRIDE(i, n) {
        float v = z[i] + bias[i % cols];
        z[i] = v;
        out[i] = activate(act, v);
    }
}

extern "C" __global__ void activation_forward(int act, const float* z, float* out, long long n) {
    GRID_STRIDE(i, n) {
        out[i] = activate(act, z[i]);
    }
}

extern "C" __global__ void activation_backward(int act, const float* __restrict__ z, float* __restrict__ grad,
                                               long long n) {
    if (act == ACT_RELU) {
        GRID_STRIDE(i, n) {
            grad[i] = z[i] <= 0.f ? 0.f : grad[i];
        }
        return;
    }
    GRID_STRIDE(i, n) {
        grad[i] *= activation_derivative(act, z[i]);
    }
}

extern "C" __global__ void column_sums(const float* __restrict__ m, int rows, int cols, float* __restrict__ out,
                                       int accumulate) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= cols) return;
    double s = 0.0;
    for (int i = 0; i < rows; i++) s += m[(long long)i * cols + j];
    out[j] = accumulate ? out[j] + (float)s : (float)s;
}
