// SGEMM, row-major: C = alpha * op(A) * op(B) + beta * C with op(A) M x K, op(B) K x N, row strides lda, ldb,
// ldc. Output OVERWRITES C when beta == 0 (its old content, even NaN, is ignored), else accumulates beta * C.
// Host twin: dev.anneal.backend.cpu.CpuGemm.gemm (same argument order); cuBLAS replaces it where
// libcublas.so.12 loads.
//
// Tiles. One template, four tile shapes of C per block of 256 threads, each thread holding a TM x TN register
// block, K advancing BK at a time through shared memory; one kernel per (tile, transpose case):
//   sgemm_128x128_{nn,nt,tn,tt}   8 x 8 per thread, BK 8   (large outputs)
//   sgemm_64x64_*                 4 x 4 per thread, BK 16  (medium outputs)
//   sgemm_128x32_*                4 x 4 per thread, BK 8   (tall outputs with N <= 32: im2col convolutions)
//   sgemm_32x32_*                 2 x 2 per thread, BK 32  (small outputs; the base of split-K)
// Every size works: loads outside the matrices read zeros, stores outside are dropped.
//
// Deterministic split-K. All tile kernels take (slices S, sliceStride) after ldc. The grid is (colTiles * S,
// rowTiles): block x = slice * colTiles + colTile, so slice s multiplies only its K range, consecutive ranges of
// floor(K / S) of which the first K mod S are one longer (none is empty when K >= S), and stores its tile at
// C + s * sliceStride. Unsplit: S = 1, sliceStride = 0, and the store applies alpha and beta to C itself.
// Split: C is the workspace W (S slices of M x N, ldc = N, sliceStride = M * N), alpha 1 and beta 0, so each
// slice writes its raw partial sums (OVERWRITES; a slice with an empty K range writes zeros); then
// sgemm_splitk_reduce adds the S partials of each element in the fixed order slice 0, 1, 2, ... and applies
// alpha and beta to C. No atomics: the same plan gives the same bits on every run.
//
// The plan (tile, S) is chosen on the host by dev.anneal.backend.cuda.GemmPlan.choose(M, N, K, SMs):
//   1. the tiles whose grid has at least SMs blocks fill the device; among them the one that pads C least,
//      ties to the larger tile (128x128, 64x64, 128x32, 32x32 in that order); no split;
//   2. if no tile fills the device: 32x32 tiles (the least padding and the most blocks), split into
//      S = min(ceil(SMs / tiles), floor(K / 64), floor(2^20 / (M * N))) slices when S >= 2 (every slice keeps at
//      least 64 of K, and S * M * N floats fit the backend's 4 MiB workspace), else unsplit.
#include "common.cuh"

template <int BM, int BN, int BK, int TM, int TN, bool TA, bool TB>
__device__ __forceinline__ void sgemm_tile(int M, int N, int K, float alpha, const float* __restrict__ A, int lda,
                                           const float* __restrict__ B, int ldb, float beta, float* __restrict__ C,
                                           int ldc, int slices, long long sliceStride) {
    constexpr int TX = BN / TN;
    constexpr int THREADS = (BM / TM) * TX;
    static_assert(THREADS == 256, "every SGEMM tile runs 256 threads");
    static_assert((BM * BK) % THREADS == 0 && (BK * BN) % THREADS == 0, "tile loads split evenly");
    __shared__ float As[BK][BM];
    __shared__ float Bs[BK][BN];
    const int tid = threadIdx.x;
    const int colTiles = (N + BN - 1) / BN;
    const int slice = blockIdx.x / colTiles;
    const int row0 = blockIdx.y * BM;
    const int col0 = (blockIdx.x - slice * colTiles) * BN;
    const int kBase = K / slices, kLonger = K - kBase * slices;
    const int kBegin = slice * kBase + (slice < kLonger ? slice : kLonger);
    const int kEnd = kBegin + kBase + (slice < kLonger ? 1 : 0);
    const int ty = tid / TX, tx = tid % TX;
    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TN; j++) acc[i][j] = 0.f;

    for (int k0 = kBegin; k0 < kEnd; k0 += BK) {
        // A tile: BM x BK of op(A), stored k-major in As.
#pragma unroll
        for (int e = 0; e < BM * BK / THREADS; e++) {
            int idx = e * THREADS + tid;
            int r, k;
            if (!TA) { r = idx / BK; k = idx % BK; } else { k = idx / BM; r = idx % BM; }
            int gi = row0 + r, gk = k0 + k;
            float v = 0.f;
            if (gi < M && gk < kEnd) v = TA ? A[(long long)gk * lda + gi] : A[(long long)gi * lda + gk];
            As[k][r] = v;
        }
        // B tile: BK x BN of op(B).
#pragma unroll
        for (int e = 0; e < BK * BN / THREADS; e++) {
            int idx = e * THREADS + tid;
            int k, c;
            if (!TB) { k = idx / BN; c = idx % BN; } else { c = idx / BK; k = idx % BK; }
            int gk = k0 + k, gj = col0 + c;
            float v = 0.f;
            if (gk < kEnd && gj < N) v = TB ? B[(long long)gj * ldb + gk] : B[(long long)gk * ldb + gj];
            Bs[k][c] = v;
        }
        __syncthreads();
#pragma unroll
        for (int k = 0; k < BK; k++) {
            float a[TM], b[TN];
#pragma unroll
            for (int i = 0; i < TM; i++) a[i] = As[k][ty * TM + i];
#pragma unroll
            for (int j = 0; j < TN; j++) b[j] = Bs[k][tx * TN + j];
#pragma unroll
            for (int i = 0; i < TM; i++)
#pragma unroll
                for (int j = 0; j < TN; j++) acc[i][j] += a[i] * b[j];
        }
        __syncthreads();
    }
    float* out = C + slice * sliceStride;
#pragma unroll
    for (int i = 0; i < TM; i++) {
        int gi = row0 + ty * TM + i;
        if (gi >= M) continue;
#pragma unroll
        for (int j = 0; j < TN; j++) {
            int gj = col0 + tx * TN + j;
            if (gj >= N) continue;
            float* c = &out[(long long)gi * ldc + gj];
            *c = beta == 0.f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * *c;
        }
    }
}

#define SGEMM_KERNEL(name, BM, BN, BK, TM, TN, TA, TB)                                                         \
    extern "C" __global__ void __launch_bounds__(256)                                                          \
        name(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,     \
             float* C, int ldc, int slices, long long sliceStride) {                                           \
        sgemm_tile<BM, BN, BK, TM, TN, TA, TB>(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, slices,           \
                                               sliceStride);                                                   \
    }

SGEMM_KERNEL(sgemm_128x128_nn, 128, 128, 8, 8, 8, false, false)
SGEMM_KERNEL(sgemm_128x128_nt, 128, 128, 8, 8, 8, false, true)
SGEMM_KERNEL(sgemm_128x128_tn, 128, 128, 8, 8, 8, true, false)
SGEMM_KERNEL(sgemm_128x128_tt, 128, 128, 8, 8, 8, true, true)
SGEMM_KERNEL(sgemm_64x64_nn, 64, 64, 16, 4, 4, false, false)
SGEMM_KERNEL(sgemm_64x64_nt, 64, 64, 16, 4, 4, false, true)
SGEMM_KERNEL(sgemm_64x64_tn, 64, 64, 16, 4, 4, true, false)
SGEMM_KERNEL(sgemm_64x64_tt, 64, 64, 16, 4, 4, true, true)
SGEMM_KERNEL(sgemm_128x32_nn, 128, 32, 8, 4, 4, false, false)
SGEMM_KERNEL(sgemm_128x32_nt, 128, 32, 8, 4, 4, false, true)
SGEMM_KERNEL(sgemm_128x32_tn, 128, 32, 8, 4, 4, true, false)
SGEMM_KERNEL(sgemm_128x32_tt, 128, 32, 8, 4, 4, true, true)
SGEMM_KERNEL(sgemm_32x32_nn, 32, 32, 32, 2, 2, false, false)
SGEMM_KERNEL(sgemm_32x32_nt, 32, 32, 32, 2, 2, false, true)
SGEMM_KERNEL(sgemm_32x32_tn, 32, 32, 32, 2, 2, true, false)
SGEMM_KERNEL(sgemm_32x32_tt, 32, 32, 32, 2, 2, true, true)

// The split-K finish: C[i, j] = alpha * (W[0][i, j] + W[1][i, j] + ... + W[S-1][i, j]) + beta * C[i, j], the
// slices added one after another in slice order, W dense (slice stride M * N, row stride N). OVERWRITES C when
// beta == 0. A grid-stride loop over the M * N elements: the grid changes which thread adds an element, never
// the order of its additions.
extern "C" __global__ void __launch_bounds__(256) sgemm_splitk_reduce(int M, int N, int slices, float alpha,
                                                                      const float* __restrict__ W, float beta,
                                                                      float* __restrict__ C, int ldc) {
    const long long mn = (long long)M * N;
    GRID_STRIDE(e, mn) {
        float s = W[e];
        for (int q = 1; q < slices; q++) s += W[q * mn + e];
        long long i = e / N, j = e - i * N;
        float* c = &C[i * ldc + j];
        *c = beta == 0.f ? alpha * s : alpha * s + beta * *c;
    }
}
