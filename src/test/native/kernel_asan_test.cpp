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

    // matmul: every transpose case, sizes that are not multiples of the 128 x 128 tile
    const char* names[] = {"sgemm_nn", "sgemm_nt", "sgemm_tn", "sgemm_tt"};
    for (int c = 0; c < 4; c++) {
        bool ta = c >= 2, tb = c % 2 == 1;
        int M = 130, N = 7, K = 19;
        int lda = ta ? M : K, ldb = tb ? K : N, ldc = N;
        std::vector<float> A = random((size_t)M * K, 3 + c), B = random((size_t)K * N, 7 + c), C = random((size_t)M * N, 9);
        CUdeviceptr dA = put(A), dB = put(B), dC = put(C);
        float al = 1.5f, be = 0.5f;
        void* f = function(names[c], "iiifpipifpi", ".maxntid 256, 1, 1");
        OK(launch(f, (N + 127) / 128, (M + 127) / 128, 256, {&M, &N, &K, &al, &dA, &lda, &dB, &ldb, &be, &dC, &ldc}));
        std::vector<float> rc = get<float>(dC, (size_t)M * N);
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                double s = 0;
                for (int k = 0; k < K; k++)
                    s += (double)(ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k]) *
                         (tb ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j]);
                double want = al * s + be * C[(size_t)i * N + j];
                CHECK(close(rc[(size_t)i * N + j], want, 1e-4), "%s [%d,%d] %f vs %f", names[c], i, j,
                      rc[(size_t)i * N + j], want);
            }
        OK(cuMemFree_v2(dA));
        OK(cuMemFree_v2(dB));
        OK(cuMemFree_v2(dC));
        // a block larger than the kernel's __launch_bounds__ is refused
        CHECK(launch(f, 1, 1, 512, {&M, &N, &K, &al, &dA, &lda, &dB, &ldb, &be, &dC, &ldc}) != 0, "block 512");
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
