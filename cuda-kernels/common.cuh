// Shared helpers of Anneal's kernels. The slot numbers of the per-step scalars buffer must equal
// dev.anneal.backend.StepScalars (a contract test compares them).
#pragma once

#define SS_LR 0
#define SS_STEP_SIZE 1
#define SS_BIAS_CORRECTION2_SQRT 2
#define SS_DECAY_FACTOR 3
#define SS_GRAD_SCALE 4
#define SS_SKIP 5
#define SS_MOMENTUM 6
#define SS_FIRST_STEP 7
#define SS_ONE_MINUS_MOMENTUM 8
#define SS_APPLIED 48
#define SS_SPECULATIVE 10
#define SS_LIVE 16
#define SS_IF_SKIPPED 16
#define SS_IF_APPLIED 32

// Grid-stride loop over [0, n) with 64-bit indices.
#define GRID_STRIDE(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long)blockDim.x * gridDim.x)

// Activation codes: dev.anneal.backend.Activation ordinals.
#define ACT_IDENTITY 0
#define ACT_RELU 1
#define ACT_GELU 2
#define ACT_TANH 3

__device__ __forceinline__ float activate(int act, float v) {
    switch (act) {
        case ACT_RELU: return v <= 0.f ? 0.f : v;  // NaN passes, as torch.relu
        case ACT_GELU: return 0.5f * v * (1.f + erff(v * 0.70710678118654752f));
        case ACT_TANH: return tanhf(v);
        default: return v;
    }
}

__device__ __forceinline__ float activation_derivative(int act, float z) {
    switch (act) {
        case ACT_RELU: return z > 0.f ? 1.f : 0.f;
        case ACT_GELU: return 0.5f * (1.f + erff(z * 0.70710678118654752f))
                              + z * 0.39894228040143268f * expf(-0.5f * z * z);
        case ACT_TANH: { float t = tanhf(z); return 1.f - t * t; }
        default: return 1.f;
    }
}
