package dev.anneal.backend.cpu;

/**
 * A weight gradient summed over many pixels, {@code C = alpha A^T B + beta C} with {@code A} k x m, {@code B}
 * k x n, a small C ({@code m n <= }{@link #SMALL_C}) and a long k ({@code k >= }{@link #LONG_K}): the default
 * CNN's first convolution has {@code m = 32} channels, {@code n = 9} taps and {@code k = 100352} output pixels.
 * OpenBLAS splits its threads over m and n, which are tiny, so that call was slower on two threads than on one
 * (4.5 ms, about 13 GFLOP/s). Here k is cut into fixed chunks of {@link #CHUNK} rows, the chunks' products
 * {@code P_q = A_q^T B_q} are computed by the SGEMM kernel in parallel over {@link CpuParallel}'s threads (one
 * kernel call per chunk), and added in chunk order: {@code C = alpha (((P_0 + P_1) + P_2) + ...) + beta C}
 * (beta 0 ignores C's old content, NaN included). Measured: about 1 ms for that product.
 *
 * <p>The chunks do not depend on the thread count or timing, and the kernel's result for one chunk depends only
 * on its operands, so the bits are the same on every run and for every thread count. They differ from one
 * kernel call over the whole k (another grouping of the same sum).
 */
final class SkinnyGemm {
    /** The most elements of C this path takes. */
    static final int SMALL_C = 1024;
    /** The smallest k this path takes: at least four chunks. */
    static final int LONG_K = 8192;
    /** Rows of k per chunk. */
    static final int CHUNK = 2048;

    private SkinnyGemm() {
    }

    /** Whether {@link #smallCLongK} takes this product. */
    static boolean isSmallCLongK(boolean transA, boolean transB, int m, int n, int k) {
        return transA && !transB && (long) m * n <= SMALL_C && k >= LONG_K;
    }

    /** {@code C = alpha A^T B + beta C} by chunks of k, as the class describes. */
    static void smallCLongK(GemmKernel kernel, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                            float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        int chunks = (k + CHUNK - 1) / CHUNK;
        float[][] partial = new float[chunks][m * n];
        CpuParallel.forRange(0, chunks, 1, (piece, from, to) -> {
            for (int q = from; q < to; q++) {
                int r0 = q * CHUNK;
                int rows = Math.min(CHUNK, k - r0);
                kernel.gemm(true, false, m, n, rows, 1f, a, aOff + r0 * lda, lda, b, bOff + r0 * ldb, ldb, 0f,
                        partial[q], 0, n);
            }
        });
        float[] sum = partial[0];
        for (int q = 1; q < chunks; q++) {
            float[] p = partial[q];
            for (int e = 0; e < sum.length; e++) {
                sum[e] += p[e];
            }
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                float v = alpha * sum[i * n + j];
                c[row + j] = beta == 0f ? v : v + beta * c[row + j];
            }
        }
    }
}
