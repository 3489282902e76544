package dev.anneal.backend.cpu;

/**
 * Two SGEMM shapes of a convolution with few input channels that OpenBLAS's threading serves badly, cut into
 * fixed pieces that run in parallel over {@link CpuParallel}'s threads, one kernel call each. The default CNN's
 * first convolution (1 channel, 3x3 kernel: 9 values per patch, 32 output channels, 100,352 output pixels per
 * batch) has both:
 * <ul>
 *   <li><b>small C, long k</b> ({@link #smallCLongK}), the weight gradient {@code C = alpha A^T B + beta C} with
 *       {@code A} k x m, {@code B} k x n, {@code m n <= }{@link #SMALL_C}, {@code k >= }{@link #LONG_K}:
 *       OpenBLAS splits its threads over m and n, which are tiny, so the 32 x 9 product over 100,352 rows was
 *       slower on two threads than on one (4.5 ms, about 13 GFLOP/s). Here k is cut into chunks of {@link #CHUNK}
 *       rows, the chunks' products {@code P_q = A_q^T B_q} are computed in parallel and added in chunk order:
 *       {@code C = alpha (((P_0 + P_1) + P_2) + ...) + beta C}. Measured: about 0.8 ms.</li>
 *   <li><b>tall C, tiny k</b> ({@link #tallTinyK}), the forward {@code C = alpha A op(B) + beta C} with
 *       {@code A} m x k, {@code m >= }{@link #TALL_M}, {@code k <= }{@link #TINY_K} (and blocks of at least
 *       {@link #MIN_BLOCK_ROWS} rows): one call ran at 1.9 to
 *       3.0 ms on two threads, slower than on one (1.3 ms). Here the rows are cut into blocks small enough
 *       ({@code rows n k <= }{@link #BLOCK_MNK}) that OpenBLAS runs each on the calling thread, and the blocks
 *       run in parallel: about 1.4 ms. Each row of C comes from the call for its block (a BLAS may round a row
 *       at a block's edge differently from the same row inside one big call: another micro-kernel).</li>
 * </ul>
 * beta 0 ignores C's old content, NaN included. The pieces depend only on the shape, never on the thread count or
 * timing, and a kernel's result for one piece depends only on its operands, so the bits are the same on every
 * run and for every thread count.
 */
final class SkinnyGemm {
    /** The most elements of C this path takes. */
    static final int SMALL_C = 1024;
    /** The smallest k this path takes: at least four chunks. */
    static final int LONG_K = 8192;
    /** Rows of k per chunk. */
    static final int CHUNK = 2048;
    /** The fewest rows of C {@link #tallTinyK} takes. */
    static final int TALL_M = 4096;
    /** The largest k {@link #tallTinyK} takes. */
    static final int TINY_K = 16;
    /**
     * The most multiply-adds of one block of {@link #tallTinyK}: half of OpenBLAS's default threshold for one
     * thread ({@code 65536 * GEMM_MULTITHREAD_THRESHOLD}, the latter 4), so each block runs on its caller.
     */
    static final long BLOCK_MNK = 1L << 17;
    /** The fewest rows of a block of {@link #tallTinyK}: wider products stay one call. */
    static final int MIN_BLOCK_ROWS = 64;

    private SkinnyGemm() {
    }

    /** Whether {@link #smallCLongK} takes this product. */
    static boolean isSmallCLongK(boolean transA, boolean transB, int m, int n, int k) {
        return transA && !transB && (long) m * n <= SMALL_C && k >= LONG_K;
    }

    /** Whether {@link #tallTinyK} takes this product. */
    static boolean isTallTinyK(boolean transA, int m, int n, int k) {
        return !transA && m >= TALL_M && k <= TINY_K && (long) n * k * MIN_BLOCK_ROWS <= BLOCK_MNK;
    }

    /** {@code C = alpha A op(B) + beta C} by blocks of rows, as the class describes. */
    static void tallTinyK(GemmKernel kernel, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                          int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        int rows = (int) Math.max(1, BLOCK_MNK / ((long) n * k));
        int blocks = (m + rows - 1) / rows;
        CpuParallel.forRange(0, blocks, 1, (piece, from, to) -> {
            for (int q = from; q < to; q++) {
                int r0 = q * rows;
                kernel.gemm(false, transB, Math.min(rows, m - r0), n, k, alpha, a, aOff + r0 * lda, lda, b, bOff, ldb,
                        beta, c, cOff + r0 * ldc, ldc);
            }
        });
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
