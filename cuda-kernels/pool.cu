// Max and average pooling over channels-last images [n, h, w, c], forward and backward, as PyTorch's max_pool2d
// and avg_pool2d (ceil_mode=False, count_include_pad=True). Every output is OVERWRITTEN.
//   max_pool_forward: y = the window's maximum (padding excluded; the first maximum in (ky, kx) order wins, a
//     NaN wins over any number as in PyTorch's `val > max || isnan(val)`), argmax = the chosen element's index
//     within its image, (y * in_w + x) * c + channel.
//   max_pool_bias_forward: FUSED bias add: max_pool_forward of v = x[e] + bias[channel] (the one float addition
//     of bias_activation, so the bits of that pass followed by max_pool_forward); x, a conv output written
//     without its bias, is only read.
//   max_pool_backward: a GATHER, one thread per input element: dx[e] = sum of dy[j] over the windows j that cover
//     e and chose it, in ascending window order, in float from 0.
//   avg_pool_forward: y = (sum over the window in (ky, kx) order, in float, padding counted as 0) / (k_h * k_w).
//   avg_pool_backward: a GATHER: dx[e] = sum over the windows j covering e, ascending, of dy[j] / (k_h * k_w).
// Backward passes need no atomics, so the bits are the same every run. One thread per output element
// (grid-stride, 64-bit indices). Host twin: dev.anneal.backend.cpu.CpuPool, same op names and argument order
// (the geometry of dev.anneal.backend.PoolGeometry as ints, out_h and out_w precomputed), same bits.
#include "common.cuh"

// Output element i of [n, out_h, out_w, c] as (*img, *oy, *ox, *ch).
__device__ __forceinline__ void output_at(long long i, int c, int out_h, int out_w, long long* img, int* oy, int* ox,
                                          int* ch) {
    long long p = i / c;
    *ch = (int)(i - p * c);
    long long t = p / out_w;
    *ox = (int)(p - t * out_w);
    *img = t / out_h;
    *oy = (int)(t - *img * out_h);
}

// Window o along one dimension, o*stride - pad + [0, k), clipped to the image's [0, in): [*lo, *hi).
__device__ __forceinline__ void clipped(int o, int k, int stride, int pad, int in, int* lo, int* hi) {
    int first = o * stride - pad;
    *hi = first + k < in ? first + k : in;
    *lo = first < 0 ? 0 : first;
}

// The windows that cover input row y: [*lo, *hi] (empty when lo > hi). Window o covers o*stride - pad + [0, k).
__device__ __forceinline__ void covering(int y, int k, int stride, int pad, int out, int* lo, int* hi) {
    int first = y + pad - k + 1;
    *lo = first <= 0 ? 0 : (first + stride - 1) / stride;
    int last = (y + pad) / stride;
    *hi = last < out - 1 ? last : out - 1;
}

// One output element i of max_pool_forward (bias null) or max_pool_bias_forward.
__device__ __forceinline__ void max_pool_one(long long i, int c, int in_h, int in_w, int k_h, int k_w, int stride_h,
                                             int stride_w, int pad_h, int pad_w, int out_h, int out_w,
                                             const float* __restrict__ x, const float* __restrict__ bias,
                                             float* __restrict__ y, int* __restrict__ argmax) {
    long long img;
    int oy, ox, ch, y0, y1, x0, x1;
    output_at(i, c, out_h, out_w, &img, &oy, &ox, &ch);
    clipped(oy, k_h, stride_h, pad_h, in_h, &y0, &y1);
    clipped(ox, k_w, stride_w, pad_w, in_w, &x0, &x1);
    const float* image = x + img * in_h * in_w * c;
    float b = bias != nullptr ? bias[ch] : 0.f;
    float best = -INFINITY;
    int at = (y0 * in_w + x0) * c + ch;
    for (int iy = y0; iy < y1; iy++) {
        for (int ix = x0; ix < x1; ix++) {
            int e = (iy * in_w + ix) * c + ch;
            // without a bias x itself: adding 0 would turn -0 into +0
            float v = bias != nullptr ? image[e] + b : image[e];
            if (v > best || isnan(v)) {
                best = v;
                at = e;
            }
        }
    }
    y[i] = best;
    argmax[i] = at;
}

extern "C" __global__ void max_pool_forward(int c, int in_h, int in_w, int k_h, int k_w, int stride_h, int stride_w,
                                            int pad_h, int pad_w, int out_h, int out_w, int n,
                                            const float* __restrict__ x, float* __restrict__ y,
                                            int* __restrict__ argmax) {
    long long total = (long long)n * out_h * out_w * c;
    GRID_STRIDE(i, total) {
        max_pool_one(i, c, in_h, in_w, k_h, k_w, stride_h, stride_w, pad_h, pad_w, out_h, out_w, x, nullptr, y,
                     argmax);
    }
}

extern "C" __global__ void max_pool_bias_forward(int c, int in_h, int in_w, int k_h, int k_w, int stride_h,
                                                 int stride_w, int pad_h, int pad_w, int out_h, int out_w, int n,
                                                 const float* __restrict__ x, const float* __restrict__ bias,
                                                 float* __restrict__ y, int* __restrict__ argmax) {
    long long total = (long long)n * out_h * out_w * c;
    GRID_STRIDE(i, total) {
        max_pool_one(i, c, in_h, in_w, k_h, k_w, stride_h, stride_w, pad_h, pad_w, out_h, out_w, x, bias, y,
                     argmax);
    }
}

extern "C" __global__ void max_pool_backward(int c, int in_h, int in_w, int k_h, int k_w, int stride_h, int stride_w,
                                             int pad_h, int pad_w, int out_h, int out_w, int n,
                                             const float* __restrict__ dy, const int* __restrict__ argmax,
                                             float* __restrict__ dx) {
    long long total = (long long)n * in_h * in_w * c;
    long long image_size = (long long)in_h * in_w * c;
    GRID_STRIDE(i, total) {
        long long img = i / image_size;
        int e = (int)(i - img * image_size);
        int pix = e / c;
        int ch = e - pix * c;
        int yy = pix / in_w;
        int xx = pix - yy * in_w;
        int oy0, oy1, ox0, ox1;
        covering(yy, k_h, stride_h, pad_h, out_h, &oy0, &oy1);
        covering(xx, k_w, stride_w, pad_w, out_w, &ox0, &ox1);
        float s = 0.f;
        for (int oy = oy0; oy <= oy1; oy++) {
            for (int ox = ox0; ox <= ox1; ox++) {
                long long j = ((img * out_h + oy) * out_w + ox) * c + ch;
                if (argmax[j] == e) s += dy[j];
            }
        }
        dx[i] = s;
    }
}

extern "C" __global__ void avg_pool_forward(int c, int in_h, int in_w, int k_h, int k_w, int stride_h, int stride_w,
                                            int pad_h, int pad_w, int out_h, int out_w, int n,
                                            const float* __restrict__ x, float* __restrict__ y) {
    long long total = (long long)n * out_h * out_w * c;
    float divisor = (float)(k_h * k_w);
    GRID_STRIDE(i, total) {
        long long img;
        int oy, ox, ch, y0, y1, x0, x1;
        output_at(i, c, out_h, out_w, &img, &oy, &ox, &ch);
        clipped(oy, k_h, stride_h, pad_h, in_h, &y0, &y1);
        clipped(ox, k_w, stride_w, pad_w, in_w, &x0, &x1);
        const float* image = x + img * in_h * in_w * c;
        float s = 0.f;
        for (int iy = y0; iy < y1; iy++) {
            for (int ix = x0; ix < x1; ix++) s += image[(iy * in_w + ix) * c + ch];
        }
        y[i] = s / divisor;
    }
}

extern "C" __global__ void avg_pool_backward(int c, int in_h, int in_w, int k_h, int k_w, int stride_h, int stride_w,
                                             int pad_h, int pad_w, int out_h, int out_w, int n,
                                             const float* __restrict__ dy, float* __restrict__ dx) {
    long long total = (long long)n * in_h * in_w * c;
    float divisor = (float)(k_h * k_w);
    GRID_STRIDE(i, total) {
        long long p = i / c;
        int ch = (int)(i - p * c);
        long long t = p / in_w;
        int xx = (int)(p - t * in_w);
        long long img = t / in_h;
        int yy = (int)(t - img * in_h);
        int oy0, oy1, ox0, ox1;
        covering(yy, k_h, stride_h, pad_h, out_h, &oy0, &oy1);
        covering(xx, k_w, stride_w, pad_w, out_w, &ox0, &ox1);
        float s = 0.f;
        for (int oy = oy0; oy <= oy1; oy++) {
            for (int ox = ox0; ox <= ox1; ox++) s += dy[((img * out_h + oy) * out_w + ox) * c + ch] / divisor;
        }
        dx[i] = s;
    }
}
