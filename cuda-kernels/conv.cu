// Convolution by unrolling (im2col, Chellapilla et al. 2006) over channels-last images: the data movement around
// the backend's GEMM, nothing fused. im2col OVERWRITES col[n*outH*outW, patch] (row (i, oy, ox), column
// (c, ky, kx), PyTorch's weight order; 0 where a patch reads padding). col2im, its adjoint, OVERWRITES dx as a
// GATHER: each input element sums, in float from 0 and in ascending (ky, kx) order, the col entries that im2col
// filled from it, so no two threads write one element, no atomics, same bits every run. to_channels_last and
// to_channels_first OVERWRITE y with the NCHW <-> NHWC transpose of each image. One thread per output element
// (grid-stride, 64-bit indices). Host twin: dev.anneal.backend.cpu.CpuConv, same op names and argument order
// (the geometry of dev.anneal.backend.ConvGeometry as ints, outH and outW precomputed), same bits.
#include "common.cuh"

extern "C" __global__ void im2col(int in_c, int in_h, int in_w, int k_h, int k_w, int stride_h, int stride_w,
                                  int pad_h, int pad_w, int out_h, int out_w, int n,
                                  const float* __restrict__ x, float* __restrict__ col) {
    int kk = k_h * k_w;
    int patch = in_c * kk;
    long long total = (long long)n * out_h * out_w * patch;
    GRID_STRIDE(i, total) {
        long long r = i / patch;
        int k = (int)(i - r * patch);
        int c = k / kk;
        int kyx = k - c * kk;
        int ky = kyx / k_w;
        int kx = kyx - ky * k_w;
        long long t = r / out_w;
        int ox = (int)(r - t * out_w);
        long long img = t / out_h;
        int oy = (int)(t - img * out_h);
        int iy = oy * stride_h - pad_h + ky;
        int ix = ox * stride_w - pad_w + kx;
        bool inside = iy >= 0 && iy < in_h && ix >= 0 && ix < in_w;
        col[i] = inside ? x[((img * in_h + iy) * in_w + ix) * in_c + c] : 0.f;
    }
}

extern "C" __global__ void col2im(int in_c, int in_h, int in_w, int k_h, int k_w, int stride_h, int stride_w,
                                  int pad_h, int pad_w, int out_h, int out_w, int n,
                                  const float* __restrict__ col, float* __restrict__ dx) {
    int kk = k_h * k_w;
    int patch = in_c * kk;
    long long total = (long long)n * in_h * in_w * in_c;
    GRID_STRIDE(i, total) {
        long long p = i / in_c;
        int c = (int)(i - p * in_c);
        long long t = p / in_w;
        int xx = (int)(p - t * in_w);
        long long img = t / in_h;
        int y = (int)(t - img * in_h);
        float s = 0.f;
        for (int ky = 0; ky < k_h; ky++) {
            int ty = y + pad_h - ky;
            if (ty < 0 || ty % stride_h != 0 || ty / stride_h >= out_h) continue;
            int oy = ty / stride_h;
            for (int kx = 0; kx < k_w; kx++) {
                int tx = xx + pad_w - kx;
                if (tx < 0 || tx % stride_w != 0 || tx / stride_w >= out_w) continue;
                int ox = tx / stride_w;
                s += col[((img * out_h + oy) * out_w + ox) * patch + c * kk + ky * k_w + kx];
            }
        }
        dx[i] = s;
    }
}

// y[i, h, w, c] = x[i, c, h, w]; one thread per element of y.
extern "C" __global__ void to_channels_last(int n, int c, int h, int w, const float* __restrict__ x,
                                            float* __restrict__ y) {
    long long hw = (long long)h * w;
    long long total = (long long)n * c * hw;
    GRID_STRIDE(i, total) {
        long long p = i / c;
        int ch = (int)(i - p * c);
        long long img = p / hw;
        long long pix = p - img * hw;
        y[i] = x[(img * c + ch) * hw + pix];
    }
}

// y[i, c, h, w] = x[i, h, w, c]; one thread per element of y.
extern "C" __global__ void to_channels_first(int n, int c, int h, int w, const float* __restrict__ x,
                                             float* __restrict__ y) {
    long long hw = (long long)h * w;
    long long total = (long long)n * c * hw;
    GRID_STRIDE(i, total) {
        long long t = i / hw;
        long long pix = i - t * hw;
        long long img = t / c;
        int ch = (int)(t - img * c);
        y[i] = x[(img * hw + pix) * c + ch];
    }
}
