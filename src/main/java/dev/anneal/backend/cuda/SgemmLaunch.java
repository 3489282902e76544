package dev.anneal.backend.cuda;

/**
 * Launcher of {@code cuda-kernels/matmul.cu}: row-major {@code C = alpha op(A) op(B) + beta C} with
 * {@code op(A)} M x K and {@code op(B)} K x N, leading dimensions the row strides of A, B and C as stored. The
 * transpose flags pick the kernel ({@code sgemm_nn}, {@code _nt}, {@code _tn}, {@code _tt}); all four take
 * {@code (M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)}. {@link Cublas} runs the same record where it loads.
 */
record SgemmLaunch(boolean transA, boolean transB, int m, int n, int k, float alpha, Span a, int lda, Span b, int ldb,
                   float beta, Span c, int ldc) implements Launcher {
    @Override
    public Kernel kernel() {
        if (transA) {
            return transB ? Kernel.SGEMM_TT : Kernel.SGEMM_TN;
        }
        return transB ? Kernel.SGEMM_NT : Kernel.SGEMM_NN;
    }

    @Override
    public Grid grid(int multiprocessors) {
        return Grid.sgemm(m, n);
    }

    @Override
    public void pack(KernelArgs args) {
        args.i32(m).i32(n).i32(k).f32(alpha).ptr(a).i32(lda).ptr(b).i32(ldb).f32(beta).ptr(c).i32(ldc);
    }

    /** {@code "(M 31, N 1025, K 7, a 217 floats, b 7175 floats, c 31775 floats)"}, for errors. */
    String describe() {
        return "(M " + m + ", N " + n + ", K " + k + ", " + a.describe() + ", " + b.describe() + ", " + c.describe()
                + ")";
    }
}
