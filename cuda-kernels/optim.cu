// nvcc-flags: --fmad=false
// Fused optimizer steps: one pass over the flat parameter, gradient and state buffers, each element read once
// and written once (fp32 Adam: 28 bytes per parameter; SGD-momentum and RMSprop: 20; plain SGD: 12). The
// gradient scale (global-norm clip coefficient) is fused in. The rate, bias corrections, decay factor,
// momentum/beta1, first-step and skip flags come from the device-side step scalars buffer (layout in
// common.cuh), so a step needs no host synchronisation and can be captured in a CUDA graph.
// Outputs OVERWRITE p and the state buffers in place. Host twins: dev.anneal.backend.cpu.CpuOptimizers
// (sgdStep, adamStep, rmspropStep), same argument order, same float operations (PyTorch's, see below).
// Where every buffer is 16-byte aligned, elements are moved four at a time with 128-bit loads and stores.
#include "common.cuh"

__device__ __forceinline__ bool aligned16(const void* p) { return ((unsigned long long)p & 15ull) == 0; }

// PyTorch's float arithmetic on an AVX2 CPU, which the CPU twins reproduce bit for bit: add(x, alpha=a) is
// fma(x, a, self); addcmul(x, y, value=c) is fma(c*x, y, self); addcdiv(x, y, value=c) is self + (c*x)/y. The file
// is compiled with --fmad=false, so the fmaf calls below are the only fused operations. A weight decay of exactly
// 0 takes the unfused path (fma(p, 0, -0.0) would turn a -0.0 gradient into +0.0).

extern "C" __global__ void sgd_step(float one_minus_dampening, float weight_decay, int nesterov,
                                    const float* __restrict__ scalars, float* __restrict__ p,
                                    const float* __restrict__ g, float* __restrict__ buf, long long n) {
    if (scalars[SS_SKIP] != 0.f) return;
    const float nlr = -scalars[SS_LR], scale = scalars[SS_GRAD_SCALE], mu = scalars[SS_MOMENTUM];
    const bool first = scalars[SS_FIRST_STEP] != 0.f;
    const bool decay = weight_decay != 0.f;
    GRID_STRIDE(i, n) {
        float pi = p[i];
        float d = decay ? fmaf(pi, weight_decay, g[i] * scale) : g[i] * scale;
        if (mu == 0.f) {
            p[i] = fmaf(d, nlr, pi);
            continue;
        }
        float b = first ? d : fmaf(d, one_minus_dampening, buf[i] * mu);
        buf[i] = b;
        float step = nesterov ? fmaf(b, mu, d) : b;
        p[i] = fmaf(step, nlr, pi);
    }
}

__device__ __forceinline__ void adam_one(float& p, float g, float& m, float& v, float* vmax_i, float b1, float c1,
                                         float b2, float c2, float eps, bool l2, float weight_decay, float decay,
                                         float scale, float nss, float bc2) {
    float d = g * scale;
    if (l2) {
        d = fmaf(p, weight_decay, d);
    } else {
        p = p * decay;
    }
    m = fmaf(d, c1, m * b1);
    v = fmaf(c2 * d, d, v * b2);
    float v_use = v;
    if (vmax_i != nullptr) {
        v_use = fmaxf(*vmax_i, v);
        *vmax_i = v_use;
    }
    p = p + (nss * m) / (sqrtf(v_use) / bc2 + eps);
}

extern "C" __global__ void adam_step(float beta2, float one_minus_beta2, float eps, float weight_decay,
                                     int decoupled, int amsgrad, const float* __restrict__ scalars,
                                     float* __restrict__ p, const float* __restrict__ g, float* __restrict__ m,
                                     float* __restrict__ v, float* __restrict__ vmax, long long n) {
    if (scalars[SS_SKIP] != 0.f) return;
    const float b1 = scalars[SS_MOMENTUM], c1 = scalars[SS_ONE_MINUS_MOMENTUM];
    const float scale = scalars[SS_GRAD_SCALE], nss = -scalars[SS_STEP_SIZE];
    const float bc2 = scalars[SS_BIAS_CORRECTION2_SQRT];
    const bool l2 = !decoupled && weight_decay != 0.f;
    // AdamW multiplies p by 1 - lr*wd; Adam without decay by 1, which changes no bits.
    const float decay = decoupled ? scalars[SS_DECAY_FACTOR] : 1.f;
    const bool vec = !amsgrad && aligned16(p) && aligned16(g) && aligned16(m) && aligned16(v);
    long long start = 0;
    if (vec) {
        const long long n4 = n / 4;
        float4* p4 = reinterpret_cast<float4*>(p);
        const float4* g4 = reinterpret_cast<const float4*>(g);
        float4* m4 = reinterpret_cast<float4*>(m);
        float4* v4 = reinterpret_cast<float4*>(v);
        GRID_STRIDE(i, n4) {
            float4 pp = p4[i], gg = g4[i], mm = m4[i], vv = v4[i];
            adam_one(pp.x, gg.x, mm.x, vv.x, nullptr, b1, c1, beta2, one_minus_beta2, eps, l2, weight_decay, decay, scale, nss, bc2);
            adam_one(pp.y, gg.y, mm.y, vv.y, nullptr, b1, c1, beta2, one_minus_beta2, eps, l2, weight_decay, decay, scale, nss, bc2);
            adam_one(pp.z, gg.z, mm.z, vv.z, nullptr, b1, c1, beta2, one_minus_beta2, eps, l2, weight_decay, decay, scale, nss, bc2);
            adam_one(pp.w, gg.w, mm.w, vv.w, nullptr, b1, c1, beta2, one_minus_beta2, eps, l2, weight_decay, decay, scale, nss, bc2);
            p4[i] = pp; m4[i] = mm; v4[i] = vv;
        }
        start = n4 * 4;
    }
    for (long long i = start + (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long)blockDim.x * gridDim.x) {
        float pi = p[i], mi = m[i], vi = v[i];
        adam_one(pi, g[i], mi, vi, amsgrad ? &vmax[i] : nullptr, b1, c1, beta2, one_minus_beta2, eps, l2,
                 weight_decay, decay, scale, nss, bc2);
        p[i] = pi; m[i] = mi; v[i] = vi;
    }
}

extern "C" __global__ void rmsprop_step(float alpha, float one_minus_alpha, float eps, float weight_decay,
                                        int centered, int with_momentum, const float* __restrict__ scalars,
                                        float* __restrict__ p, const float* __restrict__ g,
                                        float* __restrict__ square_avg, float* __restrict__ grad_avg,
                                        float* __restrict__ buf, long long n) {
    if (scalars[SS_SKIP] != 0.f) return;
    const float nlr = -scalars[SS_LR], scale = scalars[SS_GRAD_SCALE], mu = scalars[SS_MOMENTUM];
    const bool decay = weight_decay != 0.f;
    const bool momentum = with_momentum && mu > 0.f;
    GRID_STRIDE(i, n) {
        float pi = p[i];
        float d = decay ? fmaf(pi, weight_decay, g[i] * scale) : g[i] * scale;
        float v = fmaf(one_minus_alpha * d, d, square_avg[i] * alpha);
        square_avg[i] = v;
        float avg;
        if (centered) {
            float ga = fmaf(d, one_minus_alpha, grad_avg[i] * alpha);
            grad_avg[i] = ga;
            avg = sqrtf(fmaf(-ga, ga, v)) + eps;
        } else {
            avg = sqrtf(v) + eps;
        }
        if (momentum) {
            float b = buf[i] * mu + d / avg;
            buf[i] = b;
            p[i] = fmaf(b, nlr, pi);
        } else {
            p[i] = pi + (nlr * d) / avg;
        }
    }
}

// Turns the squared gradient norm (norm_sq[0], from reduce.cu's squared_norm) into the step's gradient scale and
// skip flag on the device: SKIP = 1 when the norm is not finite; GRAD_SCALE = min(1, max_norm/(norm + 1e-6))
// when max_norm > 0 (PyTorch's clip_grad_norm_), else 1; APPLIED = 1 - SKIP, for the next step. First, when
// SPECULATIVE is set, the host did not yet know whether the previous step was applied and wrote the step's scalars
// for both outcomes (rows IF_SKIPPED and IF_APPLIED): the previous step's APPLIED picks the row that holds, copied
// into the live slots. One thread. Lets a whole training step run without a host synchronisation (CUDA graphs),
// and the host read a step's statistics a step late.
extern "C" __global__ void finalize_step_scalars(const float* __restrict__ norm_sq, float max_norm,
                                                 float* __restrict__ scalars) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    if (scalars[SS_SPECULATIVE] != 0.f) {
        const float* row = scalars + (scalars[SS_APPLIED] != 0.f ? SS_IF_APPLIED : SS_IF_SKIPPED);
        for (int i = 0; i < SS_LIVE; ++i) {
            if (i != SS_GRAD_SCALE && i != SS_SKIP && i != SS_SPECULATIVE) scalars[i] = row[i];
        }
    }
    float sq = norm_sq[0];
    bool finite = isfinite(sq);
    scalars[SS_SKIP] = finite ? 0.f : 1.f;
    scalars[SS_APPLIED] = finite ? 1.f : 0.f;
    float coef = 1.f;
    if (finite && max_norm > 0.f) {
        coef = fminf(1.f, max_norm / (sqrtf(sq) + 1e-6f));
    }
    scalars[SS_GRAD_SCALE] = coef;
}
