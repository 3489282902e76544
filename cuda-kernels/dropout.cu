// Inverted dropout with counter-based masks (Srivastava et al. 2014; Philox4x32-10 of Salmon et al. 2011, as
// Random123's philox4x32_10 and cuRAND's curand_Philox4x32_10 compute it).
//   dropout_forward: one thread per Philox block of 4 elements (grid-stride): element e takes word e % 4 of the
//     block at counter (e/4 low 32 bits, e/4 high 32 bits, draw, stream) under key (seed low, seed high), where
//     draw = draws[0] is READ FROM DEVICE MEMORY so that a captured CUDA graph replays with the current value;
//     u = (word >> 8) * 2^-24, kept when u >= p; OVERWRITES mask[e] = kept ? 1 / (1 - p) : 0 and
//     y[e] = x[e] * mask[e] (y may be x).
//   multiply: a[i] *= b[i] in place (the backward dx = dy * mask).
//   advance: counter[0] += 1, one thread, so the per-update draw counter moves on the device's queue.
// Nothing is fused beyond the mask and its product. Host twins dev.anneal.backend.cpu.CpuDropout and Philox,
// same op names and argument order, same bits (the float ops are one division and one product each).
#include "common.cuh"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

// The four words of Philox4x32-10 at counter c under key (k0, k1), into c.
__device__ __forceinline__ void philox4x32_10(unsigned c[4], unsigned k0, unsigned k1) {
    for (int r = 0; r < 10; r++) {
        unsigned long long p0 = (unsigned long long)PHILOX_M0 * c[0];
        unsigned long long p1 = (unsigned long long)PHILOX_M1 * c[2];
        unsigned n0 = (unsigned)(p1 >> 32) ^ c[1] ^ k0;
        unsigned n1 = (unsigned)p1;
        unsigned n2 = (unsigned)(p0 >> 32) ^ c[3] ^ k1;
        unsigned n3 = (unsigned)p0;
        c[0] = n0;
        c[1] = n1;
        c[2] = n2;
        c[3] = n3;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
}

extern "C" __global__ void dropout_forward(const float* x, long long n, float p, long long seed, int stream,
                                           const int* __restrict__ draws, float* __restrict__ mask, float* y) {
    unsigned draw = (unsigned)draws[0];
    unsigned k0 = (unsigned)(unsigned long long)seed;
    unsigned k1 = (unsigned)((unsigned long long)seed >> 32);
    float keep = 1.f / (1.f - p);
    long long groups = (n + 3) / 4;
    GRID_STRIDE(g, groups) {
        unsigned w[4] = {(unsigned)(unsigned long long)g, (unsigned)((unsigned long long)g >> 32), draw,
                         (unsigned)stream};
        philox4x32_10(w, k0, k1);
        long long e0 = 4 * g;
        int len = n - e0 < 4 ? (int)(n - e0) : 4;
        for (int k = 0; k < len; k++) {
            float u = (float)(w[k] >> 8) * 0x1p-24f;
            float m = u >= p ? keep : 0.f;
            mask[e0 + k] = m;
            y[e0 + k] = x[e0 + k] * m;
        }
    }
}

extern "C" __global__ void multiply(float* a, const float* b, long long n) {
    GRID_STRIDE(i, n) { a[i] *= b[i]; }
}

extern "C" __global__ void advance(int* __restrict__ counter) {
    if (blockIdx.x == 0 && threadIdx.x == 0) counter[0] += 1;
}
