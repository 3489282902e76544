package dev.anneal.backend.cuda;

/**
 * Launchers of {@code cuda-kernels/matmul.cu} ({@link SgemmLaunch#launchers} makes them from a {@link GemmPlan}):
 * the tile kernels {@code sgemm_<rows>x<cols>_<nn|nt|tn|tt>} and the split-K reduction.
 */
final class GemmLaunches {
    private GemmLaunches() {
    }

    /**
     * {@code sgemm_<tile>_<case>(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, slices, sliceStride)} on the grid
     * of {@code slices} K slices: slice {@code s} multiplies its K range (consecutive ranges of
     * {@code floor(K / slices)}, the first {@code K mod slices} one longer) and stores {@code alpha acc + beta C}
     * at {@code C + s sliceStride}. Unsplit: one slice, stride 0.
     */
    record Tile(Kernel kernel, GemmTile tile, int m, int n, int k, float alpha, Span a, int lda, Span b, int ldb,
                float beta, Span c, int ldc, int slices, long sliceStride) implements Launcher {
        @Override
        public Grid grid(int multiprocessors) {
            return Grid.sgemm(tile, m, n, slices);
        }

        @Override
        public void pack(KernelArgs args) {
            args.i32(m).i32(n).i32(k).f32(alpha).ptr(a).i32(lda).ptr(b).i32(ldb).f32(beta).ptr(c).i32(ldc).i32(slices)
                    .i64(sliceStride);
        }
    }

    /**
     * {@code sgemm_splitk_reduce(M, N, slices, alpha, W, beta, C, ldc)}: {@code C = alpha (W[0] + ... + W[S-1])
     * + beta C}, elementwise in slice order, over a grid-stride loop of M N elements.
     */
    record SplitKReduce(int m, int n, int slices, float alpha, Span workspace, float beta, Span c, int ldc)
            implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.SGEMM_SPLITK_REDUCE;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride((long) m * n, multiprocessors);
        }

        @Override
        public void pack(KernelArgs args) {
            args.i32(m).i32(n).i32(slices).f32(alpha).ptr(workspace).f32(beta).ptr(c).i32(ldc);
        }
    }
}
