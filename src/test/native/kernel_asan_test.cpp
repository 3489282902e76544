// Native driver of the emulated CUDA driver, built with -fsanitize=address by scripts/test-cuda-emulated.sh: runs
// every kernel of cuda-kernels/ through cuModuleLoadData / cuLaunchKernel on small awkward sizes and checks the
// results against plain loops, then the driver's validation paths. Under ASan, device allocations are exact host
// allocations, so any out-of-bounds access of a kernel is reported. With --planted-oob it launches `fill` over
// one element more than its buffer holds: ASan must stop the process (the script checks that it does).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
extern "C" {
CUresult cuInit(unsigned);
CUresult cuDevicePrimaryCtxRetain(void**, int);
CUresult cuDevicePrimaryCtxRelease_v2(int);
CUresult cuCtxSetCurrent(void*);
CUresult cuModuleLoadData(void**, const void*);
CUresult cuModuleGetFunction(void**, void*, const char*);
CUresult cuLaunchKernel(void*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void*, void**,
                        void**);
CUresult cuMemAlloc_v2(CUdeviceptr*, size_t);
CUresult cuMemFree_v2(CUdeviceptr);
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr, const void*, size_t, void*);
CUresult cuMemcpyDtoHAsync_v2(void*, CUdeviceptr, size_t, void*);
CUresult cuMemsetD32Async(CUdeviceptr, unsigned, size_t, void*);
}

static int failures = 0;
#define CHECK(cond, ...)                              \
    do {                                              \
        if (!(cond)) {                                \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);             \
            fprintf(stderr, "\n");                    \
            failures++;                               \
        }                                             \
    } while (0)
#define OK(call) CHECK((call) == 0, "%s", #call)

// PTX text with one entry of the given parameter types (what cuModuleLoadData checks against the kernel).
static std::string ptx(const char* name, const char* types, const char* directives = "") {
    std::string s = ".version 7.8\n.target sm_75\n.address_size 64\n.visible .entry " + std::string(name) + "(\n";
    for (const char* t = types; *t; t++) {
        s += std::string("\t.param ") + (*t == 'p' || *t == 'l' ? ".u64" : *t == 'f' ? ".f32" : ".u32") + " " + name +
             "_param_" + std::to_string(t - types) + (t[1] ? ",\n" : "\n");
    }
    return s + ")\n" + directives + "\n{\n\tret;\n}\n";
}

static void* function(const char* name, const char* types, const char* directives = "") {
    void* m = nullptr;
    void* f = nullptr;
    std::string p = ptx(name, types, directives);
    OK(cuModuleLoadData(&m, p.c_str()));
    OK(cuModuleGetFunction(&f, m, name));
    return f;
}

template <typename T>
static CUdeviceptr put(const std::vector<T>& h) {
    CUdeviceptr d = 0;
    OK(cuMemAlloc_v2(&d, h.size() * sizeof(T)));
    OK(cuMemcpyHtoDAsync_v2(d, h.data(), h.size() * sizeof(T), nullptr));
    return d;
}

template <typename T>
static std::vector<T> get(CUdeviceptr d, size_t n) {
    std::vector<T> h(n);
    OK(cuMemcpyDtoHAsync_v2(h.data(), d, n * sizeof(T), nullptr));
    return h;
}

static std::vector<float> random(size_t n, unsigned seed) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        v[i] = ((seed >> 8) % 20001) / 10000.f - 1.f;
    }
    return v;
}

static CUresult launch(void* f, unsigned gx, unsigned gy, unsigned bx, std::vector<void*> args) {
    return cuLaunchKernel(f, gx, gy, 1, bx, 1, 1, 0, nullptr, args.data(), nullptr);
}

static bool close(double a, double b, double tol) { return std::fabs(a - b) <= tol * (1 + std::fabs(b)); }

int main(int argc, char** argv) {
    void* ctx = nullptr;
    OK(cuInit(0));
    OK(cuDevicePrimaryCtxRetain(&ctx, 0));
    OK(cuCtxSetCurrent(ctx));

    void* fill = function("fill", "plf");
    if (argc > 1 && std::string(argv[1]) == "--planted-oob") {
        long long n = 1000;
        CUdeviceptr x = 0;
        OK(cuMemAlloc_v2(&x, n * sizeof(float)));
        long long past = n + 1;  // the planted bug: one element too many
        float v = 1.f;
        launch(fill, 4, 1, 256, {&x, &past, &v});
        fprintf(stderr, "planted out-of-bounds write was NOT caught\n");
        return 0;
    }

    // elementwise: fill, scale, axpy over an awkward size with a grid smaller than n (grid-stride loops)
    long long n = 1237;
    std::vector<float> hx = random(n, 1), hy = random(n, 2);
    CUdeviceptr x = put(hx), y = put(hy);
    float alpha = 0.75f;
    OK(launch(function("axpy", "fppl"), 3, 1, 128, {&alpha, &x, &y, &n}));
    std::vector<float> ry = get<float>(y, n);
    for (long long i = 0; i < n; i++) CHECK(ry[i] == hy[i] + alpha * hx[i], "axpy[%lld]", i);
    OK(launch(function("scale", "plf"), 2, 1, 64, {&x, &n, &alpha}));
    std::vector<float> rx = get<float>(x, n);
    for (long long i = 0; i < n; i++) CHECK(rx[i] == hx[i] * alpha, "scale[%lld]", i);
    float seven = 7.f;
    OK(launch(fill, 5, 1, 96, {&x, &n, &seven}));
    rx = get<float>(x, n);
    for (long long i = 0; i < n; i++) CHECK(rx[i] == 7.f, "fill[%lld]", i);

    // matmul: every tile kernel in every transpose case on sizes that are not multiples of any tile, unsplit
    // (alpha and beta applied to C), split into 3 K slices, and into 23 slices of K = 19 (4 slices with no K write
    // zero partials): the partials go to an exact workspace of slices * M * N floats, then sgemm_splitk_reduce.
    {
        const char* tiles[] = {"128x128", "64x64", "128x32", "32x32"};
        const int tileRows[] = {128, 64, 128, 32}, tileCols[] = {128, 64, 32, 32};
        const char* cases[] = {"nn", "nt", "tn", "tt"};
        void* reduce = function("sgemm_splitk_reduce", "iiifpfpi", ".maxntid 256, 1, 1");
        for (int t = 0; t < 4; t++)
            for (int c = 0; c < 4; c++) {
                bool ta = c >= 2, tb = c % 2 == 1;
                int M = 130, N = 37, K = 19;
                int lda = ta ? M : K, ldb = tb ? K : N, ldc = N;
                std::vector<float> A = random((size_t)M * K, 3 + c), B = random((size_t)K * N, 7 + c);
                std::vector<float> C = random((size_t)M * N, 9);
                CUdeviceptr dA = put(A), dB = put(B);
                std::string name = std::string("sgemm_") + tiles[t] + "_" + cases[c];
                void* f = function(name.c_str(), "iiifpipifpiil", ".maxntid 256, 1, 1");
                unsigned gx = (N + tileCols[t] - 1) / tileCols[t], gy = (M + tileRows[t] - 1) / tileRows[t];
                for (int slices : {1, 3, 23}) {
                    CUdeviceptr dC = put(C);
                    float al = 1.5f, be = 0.5f, one = 1.f, zero = 0.f;
                    if (slices == 1) {
                        long long none = 0;
                        OK(launch(f, gx, gy, 256,
                                  {&M, &N, &K, &al, &dA, &lda, &dB, &ldb, &be, &dC, &ldc, &slices, &none}));
                    } else {
                        long long mn = (long long)M * N;
                        CUdeviceptr dW = 0;
                        OK(cuMemAlloc_v2(&dW, (size_t)slices * mn * sizeof(float)));
                        OK(launch(f, gx * slices, gy, 256,
                                  {&M, &N, &K, &one, &dA, &lda, &dB, &ldb, &zero, &dW, &ldc, &slices, &mn}));
                        OK(launch(reduce, 3, 1, 256, {&M, &N, &slices, &al, &dW, &be, &dC, &ldc}));
                        OK(cuMemFree_v2(dW));
                    }
                    std::vector<float> rc = get<float>(dC, (size_t)M * N);
                    for (int i = 0; i < M; i++)
                        for (int j = 0; j < N; j++) {
                            double s = 0;
                            for (int k = 0; k < K; k++)
                                s += (double)(ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k]) *
                                     (tb ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j]);
                            double want = al * s + be * C[(size_t)i * N + j];
                            CHECK(close(rc[(size_t)i * N + j], want, 1e-4), "%s in %d slices [%d,%d] %f vs %f",
                                  name.c_str(), slices, i, j, rc[(size_t)i * N + j], want);
                        }
                    OK(cuMemFree_v2(dC));
                }
                OK(cuMemFree_v2(dA));
                OK(cuMemFree_v2(dB));
                // a block larger than the kernel's __launch_bounds__ is refused
                long long none = 0;
                float al = 1.f;
                int one = 1;
                CHECK(launch(f, 1, 1, 512, {&M, &N, &K, &al, &dA, &lda, &dB, &ldb, &al, &dA, &ldc, &one, &none}) != 0,
                      "%s block 512", name.c_str());
            }
    }

    // reduce: two-stage squared norm
    {
        long long m = 5000;
        std::vector<float> v = random(m, 11);
        CUdeviceptr dv = put(v), part = 0, out = 0;
        OK(cuMemAlloc_v2(&part, 1024 * sizeof(double)));
        OK(cuMemAlloc_v2(&out, sizeof(float)));
        int blocks = 1024;
        OK(launch(function("squared_norm_partial", "plp", ".maxntid 256, 1, 1"), 1024, 1, 256, {&dv, &m, &part}));
        OK(launch(function("squared_norm_final", "pip", ".maxntid 256, 1, 1"), 1, 1, 256, {&part, &blocks, &out}));
        double want = 0;
        for (float f : v) want += (double)f * f;
        float got = get<float>(out, 1)[0];
        CHECK(close(got, want, 1e-6), "squared norm %f vs %f", got, want);
    }

    // loss: softmax cross-entropy rows (one warp per row, shuffles) and the one-block row-stats reduction
    {
        int rows = 37, cols = 45;
        std::vector<float> logits = random((size_t)rows * cols, 13);
        std::vector<int> labels(rows);
        for (int r = 0; r < rows; r++) labels[r] = (r * 7) % cols;
        CUdeviceptr dl = put(logits), dy = put(labels), dg = 0, rs = 0, st = 0;
        OK(cuMemAlloc_v2(&dg, (size_t)rows * cols * 4));
        OK(cuMemAlloc_v2(&rs, (size_t)rows * 2 * 4));
        OK(cuMemAlloc_v2(&st, 2 * 4));
        float gs = 0.5f;
        int warps = 4;
        OK(launch(function("softmax_xent_rows", "piipfpp"), (rows + warps - 1) / warps, 1, 32 * warps,
                  {&dl, &rows, &cols, &dy, &gs, &dg, &rs}));
        OK(launch(function("reduce_row_stats", "pip", ".maxntid 256, 1, 1"), 1, 1, 256, {&rs, &rows, &st}));
        std::vector<float> g = get<float>(dg, (size_t)rows * cols), s = get<float>(st, 2);
        double loss = 0;
        int correct = 0;
        for (int r = 0; r < rows; r++) {
            const float* l = &logits[(size_t)r * cols];
            double mx = l[0];
            int arg = 0;
            for (int j = 1; j < cols; j++)
                if (l[j] > mx) { mx = l[j]; arg = j; }
            double sum = 0;
            for (int j = 0; j < cols; j++) sum += std::exp(l[j] - mx);
            loss += std::log(sum) - (l[labels[r]] - mx);
            correct += arg == labels[r];
            for (int j = 0; j < cols; j++) {
                double want = (std::exp(l[j] - mx) / sum - (j == labels[r])) * gs;
                CHECK(close(g[(size_t)r * cols + j], want, 1e-5), "softmax grad [%d,%d]", r, j);
            }
        }
        CHECK(close(s[0], loss, 1e-5), "loss %f vs %f", s[0], loss);
        CHECK(s[1] == correct, "correct %f vs %d", s[1], correct);
    }

    // layers: bias + activation (GELU), its backward, column sums
    {
        int rows = 9, cols = 13, act = 2, acc = 0;
        long long nn = (long long)rows * cols;
        std::vector<float> z = random(nn, 17), b = random(cols, 19), gr = random(nn, 23);
        CUdeviceptr dz = put(z), db = put(b), dout = 0, dgr = put(gr), dsum = 0;
        OK(cuMemAlloc_v2(&dout, nn * 4));
        OK(cuMemAlloc_v2(&dsum, cols * 4));
        OK(launch(function("bias_activation", "pppiii"), 1, 1, 64, {&dz, &db, &dout, &rows, &cols, &act}));
        OK(launch(function("activation_backward", "ippl"), 2, 1, 32, {&act, &dz, &dgr, &nn}));
        OK(launch(function("column_sums", "piipi"), 1, 1, 32, {&dz, &rows, &cols, &dsum, &acc}));
        std::vector<float> rz = get<float>(dz, nn), ro = get<float>(dout, nn), rsum = get<float>(dsum, cols);
        for (long long i = 0; i < nn; i++) {
            float v = z[i] + b[i % cols];
            CHECK(rz[i] == v, "bias z[%lld]", i);
            CHECK(close(ro[i], 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))), 1e-5), "gelu[%lld]", i);
        }
        for (int j = 0; j < cols; j++) {
            double s = 0;
            for (int i = 0; i < rows; i++) s += rz[(size_t)i * cols + j];
            CHECK(close(rsum[j], s, 1e-6), "column sum %d", j);
        }
    }

    // optim: Adam with amsgrad over an awkward size (vector and scalar paths), then finalize_step_scalars
    {
        long long m = 1001;
        std::vector<float> scalars = {1e-3f, 1e-3f, 1.f, 1.f, 1.f, 0.f, 0.9f, 1.f, 0.1f, 0, 0, 0, 0, 0, 0, 0};
        scalars.resize(49, 0.f);  // the live slots, the two rows a speculative step writes, and SS_APPLIED (48)
        CUdeviceptr ds = put(scalars), p = put(random(m, 29)), g = put(random(m, 31)), mm = put(std::vector<float>(m)),
                    v = put(std::vector<float>(m)), vmax = put(std::vector<float>(m));
        float b2 = 0.999f, omb2 = 0.001f, eps = 1e-8f, wd = 0.01f;
        int decoupled = 1, ams = 1;
        OK(launch(function("adam_step", "ffffiippppppl"), 3, 1, 128,
                  {&b2, &omb2, &eps, &wd, &decoupled, &ams, &ds, &p, &g, &mm, &v, &vmax, &m}));
        float omd = 1.f, wd0 = 0.f;
        int nesterov = 0;
        OK(launch(function("sgd_step", "ffippppl"), 2, 1, 64, {&omd, &wd0, &nesterov, &ds, &p, &g, &mm, &m}));
        float alpha = 0.99f, oma = 0.01f;
        int centered = 1, mom = 1;
        OK(launch(function("rmsprop_step", "ffffiippppppl"), 2, 1, 64,
                  {&alpha, &oma, &eps, &wd, &centered, &mom, &ds, &p, &g, &mm, &v, &vmax, &m}));
        CUdeviceptr norm = put(std::vector<float>{4.f});
        float maxn = 1.f;
        OK(launch(function("finalize_step_scalars", "pfp"), 1, 1, 32, {&norm, &maxn, &ds}));
        std::vector<float> s = get<float>(ds, 49);
        CHECK(s[5] == 0.f && close(s[4], 1.0 / (2.0 + 1e-6), 1e-6) && s[48] == 1.f, "finalize %f %f %f", s[4], s[5],
              s[48]);
    }

    // layers: the activation alone (ReLU), in place
    {
        long long m = 1237;
        int relu = 1;
        std::vector<float> z = random(m, 37);
        CUdeviceptr dz = put(z);
        OK(launch(function("activation_forward", "ippl"), 3, 1, 128, {&relu, &dz, &dz, &m}));
        std::vector<float> r = get<float>(dz, m);
        for (long long i = 0; i < m; i++) CHECK(r[i] == (z[i] > 0.f ? z[i] : 0.f), "activation_forward[%lld]", i);
        OK(cuMemFree_v2(dz));
    }

    // conv: im2col against its formula, col2im as its adjoint (<im2col(x), c> = <x, col2im(c)>), both transposes
    // and their round trip; 2 images of 3 x 5 x 4, kernel 3 x 2, stride 2 x 1, padding 1 x 1 (out 3 x 5)
    {
        int n = 2, C = 3, H = 5, W = 4, kh = 3, kw = 2, sh = 2, sw = 1, ph = 1, pw = 1;
        int oh = (H + 2 * ph - kh) / sh + 1, ow = (W + 2 * pw - kw) / sw + 1, patch = C * kh * kw;
        size_t xs = (size_t)n * H * W * C, cs = (size_t)n * oh * ow * patch;
        std::vector<float> hx = random(xs, 41), hc = random(cs, 43);
        CUdeviceptr dxi = put(hx), dcol = 0, dci = put(hc), ddx = 0;
        OK(cuMemAlloc_v2(&dcol, cs * 4));
        OK(cuMemAlloc_v2(&ddx, xs * 4));
        OK(launch(function("im2col", "iiiiiiiiiiiipp"), 2, 1, 64,
                  {&C, &H, &W, &kh, &kw, &sh, &sw, &ph, &pw, &oh, &ow, &n, &dxi, &dcol}));
        OK(launch(function("col2im", "iiiiiiiiiiiipp"), 2, 1, 64,
                  {&C, &H, &W, &kh, &kw, &sh, &sw, &ph, &pw, &oh, &ow, &n, &dci, &ddx}));
        std::vector<float> col = get<float>(dcol, cs), dxr = get<float>(ddx, xs);
        double lhs = 0, rhs = 0;
        for (int i = 0; i < n; i++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int c = 0; c < C; c++)
                        for (int ky = 0; ky < kh; ky++)
                            for (int kx = 0; kx < kw; kx++) {
                                size_t at = (((size_t)i * oh + oy) * ow + ox) * patch + (c * kh + ky) * kw + kx;
                                int y = oy * sh - ph + ky, xx = ox * sw - pw + kx;
                                bool in = y >= 0 && y < H && xx >= 0 && xx < W;
                                float want = in ? hx[(((size_t)i * H + y) * W + xx) * C + c] : 0.f;
                                CHECK(col[at] == want, "im2col [%zu] %f vs %f", at, col[at], want);
                                lhs += (double)col[at] * hc[at];
                            }
        for (size_t i = 0; i < xs; i++) rhs += (double)hx[i] * dxr[i];
        CHECK(close(lhs, rhs, 1e-5), "col2im is not im2col's adjoint: %f vs %f", lhs, rhs);
        CUdeviceptr dlast = 0, dfirst = 0;
        OK(cuMemAlloc_v2(&dlast, xs * 4));
        OK(cuMemAlloc_v2(&dfirst, xs * 4));
        OK(launch(function("to_channels_last", "iiiipp"), 1, 1, 32, {&n, &C, &H, &W, &dxi, &dlast}));
        OK(launch(function("to_channels_first", "iiiipp"), 1, 1, 32, {&n, &C, &H, &W, &dlast, &dfirst}));
        std::vector<float> last = get<float>(dlast, xs), first = get<float>(dfirst, xs);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < C; c++)
                for (int p = 0; p < H * W; p++) {
                    size_t nchw = ((size_t)i * C + c) * H * W + p, nhwc = ((size_t)i * H * W + p) * C + c;
                    CHECK(last[nhwc] == hx[nchw], "to_channels_last [%zu]", nhwc);
                }
        for (size_t i = 0; i < xs; i++) CHECK(first[i] == hx[i], "channels round trip [%zu]", i);
        for (CUdeviceptr d : {dxi, dcol, dci, ddx, dlast, dfirst}) OK(cuMemFree_v2(d));
    }

    // pool: max and average, forward and backward, against scatter loops in ascending output order (the same
    // float sums as the kernels' gathers); 2 images of 6 x 5 x 3, kernel 3 x 2, stride 2 x 2, padding 1 x 1, a NaN
    {
        int n = 2, C = 3, H = 5, W = 6, kh = 3, kw = 2, sh = 2, sw = 2, ph = 1, pw = 1;
        int oh = (H + 2 * ph - kh) / sh + 1, ow = (W + 2 * pw - kw) / sw + 1;
        size_t xs = (size_t)n * H * W * C, ys = (size_t)n * oh * ow * C;
        std::vector<float> hx = random(xs, 47), hdy = random(ys, 53);
        hx[17] = NAN;
        CUdeviceptr dxi = put(hx), ddy = put(hdy), dy = 0, darg = 0, ddx = 0, day = 0, dadx = 0;
        OK(cuMemAlloc_v2(&dy, ys * 4));
        OK(cuMemAlloc_v2(&darg, ys * 4));
        OK(cuMemAlloc_v2(&ddx, xs * 4));
        OK(cuMemAlloc_v2(&day, ys * 4));
        OK(cuMemAlloc_v2(&dadx, xs * 4));
        OK(launch(function("max_pool_forward", "iiiiiiiiiiiippp"), 1, 1, 32,
                  {&C, &H, &W, &kh, &kw, &sh, &sw, &ph, &pw, &oh, &ow, &n, &dxi, &dy, &darg}));
        // max_pool_bias_forward: x + bias[c] read by the pool, against max_pool_forward of x with the bias added
        std::vector<float> hb = random(C, 59), hxb = hx;
        for (size_t e = 0; e < xs; e++) hxb[e] = hx[e] + hb[e % C];
        CUdeviceptr dbias = put(hb), dxb = put(hxb), dyb = 0, dargb = 0, dyr = 0, dargr = 0;
        OK(cuMemAlloc_v2(&dyb, ys * 4));
        OK(cuMemAlloc_v2(&dargb, ys * 4));
        OK(cuMemAlloc_v2(&dyr, ys * 4));
        OK(cuMemAlloc_v2(&dargr, ys * 4));
        OK(launch(function("max_pool_bias_forward", "iiiiiiiiiiiipppp"), 1, 1, 32,
                  {&C, &H, &W, &kh, &kw, &sh, &sw, &ph, &pw, &oh, &ow, &n, &dxi, &dbias, &dyb, &dargb}));
        OK(launch(function("max_pool_forward", "iiiiiiiiiiiippp"), 2, 1, 32,
                  {&C, &H, &W, &kh, &kw, &sh, &sw, &ph, &pw, &oh, &ow, &n, &dxb, &dyr, &dargr}));
        {
            std::vector<float> fy = get<float>(dyb, ys), ry2 = get<float>(dyr, ys);
            std::vector<int> fa = get<int>(dargb, ys), ra2 = get<int>(dargr, ys);
            for (size_t j = 0; j < ys; j++) {
                CHECK(fa[j] == ra2[j], "max_pool_bias_forward argmax [%zu] %d vs %d", j, fa[j], ra2[j]);
                CHECK(memcmp(&fy[j], &ry2[j], 4) == 0, "max_pool_bias_forward [%zu] %f vs %f", j, fy[j], ry2[j]);
            }
        }
        for (CUdeviceptr d : {dbias, dxb, dyb, dargb, dyr, dargr}) OK(cuMemFree_v2(d));
        OK(launch(function("max_pool_backward", "iiiiiiiiiiiippp"), 3, 1, 32,
                  {&C, &H, &W, &kh, &kw, &sh, &sw, &ph, &pw, &oh, &ow, &n, &ddy, &darg, &ddx}));
        OK(launch(function("avg_pool_forward", "iiiiiiiiiiiipp"), 1, 1, 32,
                  {&C, &H, &W, &kh, &kw, &sh, &sw, &ph, &pw, &oh, &ow, &n, &dxi, &day}));
        OK(launch(function("avg_pool_backward", "iiiiiiiiiiiipp"), 2, 1, 32,
                  {&C, &H, &W, &kh, &kw, &sh, &sw, &ph, &pw, &oh, &ow, &n, &ddy, &dadx}));
        std::vector<float> ry = get<float>(dy, ys), rdx = get<float>(ddx, xs), ray = get<float>(day, ys),
                           radx = get<float>(dadx, xs);
        std::vector<int> rarg = get<int>(darg, ys);
        std::vector<float> wdx(xs, 0.f), wadx(xs, 0.f);
        int image = H * W * C, nans = 0;
        for (int i = 0; i < n; i++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int c = 0; c < C; c++) {
                        size_t j = (((size_t)i * oh + oy) * ow + ox) * C + c;
                        float best = -INFINITY, sum = 0.f;
                        int arg = -1;
                        for (int y = oy * sh - ph; y < oy * sh - ph + kh; y++)
                            for (int xx = ox * sw - pw; xx < ox * sw - pw + kw; xx++) {
                                if (y < 0 || y >= H || xx < 0 || xx >= W) continue;
                                int e = (y * W + xx) * C + c;
                                float v = hx[(size_t)i * image + e];
                                if (arg < 0) arg = e;  // the first element inside the image, as PyTorch
                                if (v > best || std::isnan(v)) {
                                    best = v;
                                    arg = e;
                                }
                                sum += v;
                                wadx[(size_t)i * image + e] += hdy[j] / (float)(kh * kw);
                            }
                        nans += std::isnan(best);
                        CHECK(rarg[j] == arg, "max_pool argmax [%zu] %d vs %d", j, rarg[j], arg);
                        CHECK(ry[j] == best || (std::isnan(ry[j]) && std::isnan(best)), "max_pool [%zu]", j);
                        CHECK(ray[j] == sum / (float)(kh * kw) || (std::isnan(ray[j]) && std::isnan(sum)),
                              "avg_pool [%zu] %f vs %f", j, ray[j], sum / (kh * kw));
                        wdx[(size_t)i * image + arg] += hdy[j];
                    }
        CHECK(nans > 0, "the planted NaN reached no window");
        for (size_t e = 0; e < xs; e++) {
            CHECK(rdx[e] == wdx[e], "max_pool_backward [%zu] %f vs %f", e, rdx[e], wdx[e]);
            CHECK(radx[e] == wadx[e], "avg_pool_backward [%zu] %f vs %f", e, radx[e], wadx[e]);
        }
        for (CUdeviceptr d : {dxi, ddy, dy, darg, ddx, day, dadx}) OK(cuMemFree_v2(d));
    }

    // norm: batch norm training forward, inference and backward over 300 rows (a full block of 256 and a partial
    // one) x 5 channels, against double loops
    {
        int rows = 300, cols = 5;
        size_t nn = (size_t)rows * cols;
        long long blocks = (rows + 255) / 256, parts = blocks * cols;
        std::vector<float> hx = random(nn, 59), hdy = random(nn, 61), gamma = random(cols, 67), beta = random(cols, 71);
        for (size_t i = 0; i < nn; i++) hx[i] = hx[i] * 3.f + (float)(i % cols);
        std::vector<float> rm(cols, 0.5f), rv(cols, 2.f), dgb(2 * cols, 0.25f);
        CUdeviceptr dxi = put(hx), ddy = put(hdy), dg = put(gamma), db = put(beta), drm = put(rm), drv = put(rv),
                    dgam = put(dgb), dy = 0, dsaved = 0, dscratch = 0, dyi = 0, ddx = 0;
        CUdeviceptr dbet = dgam + cols * 4;
        OK(cuMemAlloc_v2(&dy, nn * 4));
        OK(cuMemAlloc_v2(&dyi, nn * 4));
        OK(cuMemAlloc_v2(&ddx, nn * 4));
        OK(cuMemAlloc_v2(&dsaved, 2 * cols * 4));
        OK(cuMemAlloc_v2(&dscratch, (2 * parts + 2 * cols) * 8));
        CUdeviceptr dmean = dscratch + 2 * parts * 8, dsums = dmean;
        float eps = 1e-5f, momentum = 0.1f;
        OK(launch(function("batch_norm_sum_partials", "piip"), 1, 1, 4, {&dxi, &rows, &cols, &dscratch}));
        OK(launch(function("batch_norm_mean", "piip"), 1, 1, 32, {&dscratch, &rows, &cols, &dmean}));
        OK(launch(function("batch_norm_square_partials", "piipp"), 2, 1, 4, {&dxi, &rows, &cols, &dmean, &dscratch}));
        OK(launch(function("batch_norm_stats", "ppiiffppp"), 1, 1, 32,
                  {&dscratch, &dmean, &rows, &cols, &eps, &momentum, &drm, &drv, &dsaved}));
        OK(launch(function("batch_norm_normalize", "piipppp"), 3, 1, 64, {&dxi, &rows, &cols, &dsaved, &dg, &db, &dy}));
        OK(launch(function("batch_norm_inference", "piifppppp"), 3, 1, 64,
                  {&dxi, &rows, &cols, &eps, &drm, &drv, &dg, &db, &dyi}));
        OK(launch(function("batch_norm_backward_partials", "ppiipp"), 1, 1, 8,
                  {&dxi, &ddy, &rows, &cols, &dsaved, &dscratch}));
        OK(launch(function("batch_norm_backward_sums", "piippp"), 1, 1, 32,
                  {&dscratch, &rows, &cols, &dsums, &dgam, &dbet}));
        OK(launch(function("batch_norm_backward_dx", "ppiipppp"), 3, 1, 64,
                  {&dxi, &ddy, &rows, &cols, &dg, &dsaved, &dsums, &ddx}));
        std::vector<float> ry = get<float>(dy, nn), ryi = get<float>(dyi, nn), rdx = get<float>(ddx, nn),
                           rrm = get<float>(drm, cols), rrv = get<float>(drv, cols), rdgb = get<float>(dgam, 2 * cols);
        for (int c = 0; c < cols; c++) {
            double mean = 0, var = 0, sdy = 0, sdyx = 0;
            for (int r = 0; r < rows; r++) mean += hx[(size_t)r * cols + c];
            mean /= rows;
            for (int r = 0; r < rows; r++) var += (hx[(size_t)r * cols + c] - mean) * (hx[(size_t)r * cols + c] - mean);
            var /= rows;
            double invstd = 1 / std::sqrt(var + eps);
            double runMean = 0.9 * 0.5 + 0.1 * mean, runVar = 0.9 * 2 + 0.1 * var * rows / (rows - 1);
            CHECK(close(rrm[c], runMean, 1e-6), "running mean %d: %f vs %f", c, rrm[c], runMean);
            CHECK(close(rrv[c], runVar, 1e-6), "running var %d: %f vs %f", c, rrv[c], runVar);
            for (int r = 0; r < rows; r++) {
                size_t i = (size_t)r * cols + c;
                double xhat = (hx[i] - mean) * invstd;
                CHECK(close(ry[i], xhat * gamma[c] + beta[c], 1e-5), "batch norm y [%zu]", i);
                double eval = (hx[i] - runMean) / std::sqrt(runVar + eps) * gamma[c] + beta[c];
                CHECK(close(ryi[i], eval, 1e-5), "batch norm inference [%zu] %f vs %f", i, ryi[i], eval);
                sdy += hdy[i];
                sdyx += hdy[i] * xhat;
            }
            CHECK(close(rdgb[c], 0.25 + sdyx, 1e-5), "dgamma %d", c);
            CHECK(close(rdgb[cols + c], 0.25 + sdy, 1e-5), "dbeta %d", c);
            for (int r = 0; r < rows; r++) {
                size_t i = (size_t)r * cols + c;
                double xhat = (hx[i] - mean) * invstd;
                double want = gamma[c] * invstd / rows * (rows * hdy[i] - sdy - xhat * sdyx);
                CHECK(close(rdx[i], want, 1e-4), "batch norm dx [%zu] %f vs %f", i, rdx[i], want);
            }
        }
        for (CUdeviceptr d : {dxi, ddy, dg, db, drm, drv, dgam, dy, dsaved, dscratch, dyi, ddx}) OK(cuMemFree_v2(d));
    }

    // dropout: Random123's known answer philox4x32_10(counter 0, key 0) = 6627e8d5 e169c58d bc57ac4c 9b00dbd8
    // pins the top 24 bits of each word (p exactly u keeps the element, the next float drops it); then a mask over
    // 1001 elements (the last block partial), multiply and advance
    {
        const unsigned words[4] = {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
        void* fwd = function("dropout_forward", "plflippp");
        std::vector<float> ones(4, 1.f);
        std::vector<int> zero(1, 0);
        CUdeviceptr dones = put(ones), ddraws = put(zero), dmask = 0, dout = 0;
        OK(cuMemAlloc_v2(&dmask, 4 * 4));
        OK(cuMemAlloc_v2(&dout, 4 * 4));
        long long four = 4, seed0 = 0;
        int stream0 = 0;
        for (int k = 0; k < 4; k++) {
            float u = (float)(words[k] >> 8) * 0x1p-24f;
            for (float p : {u, std::nextafter(u, 1.f)}) {
                OK(launch(fwd, 1, 1, 32, {&dones, &four, &p, &seed0, &stream0, &ddraws, &dmask, &dout}));
                float m = get<float>(dmask, 4)[k];
                CHECK(m == (p == u ? 1.f / (1.f - p) : 0.f), "Philox word %d with p %a: mask %f", k, p, m);
            }
        }
        long long m = 1001, seed = 0x123456789abcdefLL;
        int stream = 7;
        float p = 0.3f;
        std::vector<float> hx = random(m, 73);
        std::vector<int> draws = {5};
        CUdeviceptr dxi = put(hx), dd = put(draws), dm = 0, dyo = 0;
        OK(cuMemAlloc_v2(&dm, m * 4));
        OK(cuMemAlloc_v2(&dyo, m * 4));
        OK(launch(fwd, 2, 1, 64, {&dxi, &m, &p, &seed, &stream, &dd, &dm, &dyo}));
        OK(launch(function("advance", "p"), 1, 1, 1, {&dd}));
        OK(launch(function("multiply", "ppl"), 2, 1, 64, {&dxi, &dm, &m}));
        std::vector<float> rm = get<float>(dm, m), ry = get<float>(dyo, m), rx = get<float>(dxi, m);
        int kept = 0;
        for (long long i = 0; i < m; i++) {
            CHECK(rm[i] == 0.f || rm[i] == 1.f / (1.f - p), "mask[%lld] = %f", i, rm[i]);
            CHECK(ry[i] == hx[i] * rm[i] && rx[i] == hx[i] * rm[i], "dropout y / multiply [%lld]", i);
            kept += rm[i] != 0.f;
        }
        CHECK(kept > 600 && kept < 800, "dropout kept %d of 1001 at p 0.3", kept);
        CHECK(get<int>(dd, 1)[0] == 6, "advance: draws %d", get<int>(dd, 1)[0]);
        for (CUdeviceptr d : {dones, ddraws, dmask, dout, dxi, dd, dm, dyo}) OK(cuMemFree_v2(d));
    }

    // driver validation: each an error code, never a crash
    {
        CUdeviceptr a = 0;
        OK(cuMemAlloc_v2(&a, 64));
        long long k = 16;
        float one = 1.f;
        CHECK(launch(fill, 1, 1, 2048, {&a, &k, &one}) == 1, "block of 2048 threads");
        CHECK(launch(fill, 0, 1, 32, {&a, &k, &one}) == 1, "grid of 0 blocks");
        CHECK(launch(fill, 1, 70000, 32, {&a, &k, &one}) == 1, "grid y of 70000");
        void* args[] = {&a, &k, &one};
        CHECK(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 1 << 20, nullptr, args, nullptr) == 1,
              "1 MiB of shared memory");
        CUdeviceptr wild = a + 4096;
        CHECK(launch(fill, 1, 1, 32, {&wild, &k, &one}) == 700, "pointer outside any allocation");
        std::vector<float> h(32);
        CHECK(cuMemcpyHtoDAsync_v2(a, h.data(), 128, nullptr) == 1, "copy past the end");
        CHECK(cuMemcpyDtoHAsync_v2(h.data(), a + 32, 64, nullptr) == 1, "copy past the end at an offset");
        CHECK(cuMemsetD32Async(a, 0, 17, nullptr) == 1, "memset past the end");
        OK(cuMemFree_v2(a));
        CHECK(launch(fill, 1, 1, 32, {&a, &k, &one}) == 700, "launch on freed memory");
        CHECK(cuMemcpyDtoHAsync_v2(h.data(), a, 4, nullptr) == 1, "copy from freed memory");
        CHECK(cuMemFree_v2(a) == 1, "double free");
        void* bad = nullptr;
        std::string wrong = ptx("fill", "pif");  // n declared 32-bit: the PTX and the kernel disagree
        CHECK(cuModuleLoadData(&bad, wrong.c_str()) == 218, "parameter size mismatch");
        std::string unknown = ptx("no_such_kernel", "p");
        CHECK(cuModuleLoadData(&bad, unknown.c_str()) == 218, "unknown entry");
        CUdeviceptr huge = 0;
        CHECK(cuMemAlloc_v2(&huge, (size_t)2 << 30) == 2, "allocation past the memory limit");
    }

    OK(cuDevicePrimaryCtxRelease_v2(0));
    if (failures) {
        fprintf(stderr, "kernel-asan-test: %d failures\n", failures);
        return 1;
    }
    printf("kernel-asan-test: every kernel ran with matching results%s; every validation error came back as a code\n",
#if defined(__SANITIZE_ADDRESS__)
           " under AddressSanitizer"
#else
           " (no AddressSanitizer in this build)"
#endif
    );
    return 0;
}
