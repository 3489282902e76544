package dev.anneal.backend.cuda;

import java.util.List;

/**
 * One checked SGEMM, row-major {@code C = alpha op(A) op(B) + beta C} with {@code op(A)} M x K and {@code op(B)}
 * K x N, leading dimensions the row strides of A, B and C as stored. {@link Cublas} runs it as one call where
 * cuBLAS loads; else {@link #launchers} turns it into the launches of {@code cuda-kernels/matmul.cu} for a
 * {@link GemmPlan}: one tile kernel, or for a split plan the tile kernel into the workspace and the ordered
 * reduction into C.
 */
record SgemmLaunch(boolean transA, boolean transB, int m, int n, int k, float alpha, Span a, int lda, Span b, int ldb,
                   float beta, Span c, int ldc) {
    /**
     * The launches of {@code plan}; a split plan writes its partials to the start of {@code workspace}, which
     * must hold {@link GemmPlan#workspaceFloats} floats (the backend's holds {@link GemmPlan#WORKSPACE_FLOATS}).
     */
    List<Launcher> launchers(GemmPlan plan, Span workspace) {
        Kernel kernel = plan.tile().kernel(transA, transB);
        if (!plan.split()) {
            return List.of(new GemmLaunches.Tile(kernel, plan.tile(), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 1,
                    0));
        }
        long need = plan.workspaceFloats(m, n);
        if (workspace == null || need > workspace.count()) {
            throw new IllegalStateException("gemm plan " + plan + " for " + describe() + " needs " + need
                    + " workspace floats, the backend has " + (workspace == null ? 0 : workspace.count()));
        }
        Span partials = new Span("workspace", workspace.base(), workspace.byteOffset(), need, "floats");
        return List.of(new GemmLaunches.Tile(kernel, plan.tile(), m, n, k, 1f, a, lda, b, ldb, 0f, partials, n,
                        plan.slices(), (long) m * n),
                new GemmLaunches.SplitKReduce(m, n, plan.slices(), alpha, partials, beta, c, ldc));
    }

    /** {@code "(M 31, N 1025, K 7, a 217 floats, b 7175 floats, c 31775 floats)"}, for errors. */
    String describe() {
        return "(M " + m + ", N " + n + ", K " + k + ", " + a.describe() + ", " + b.describe() + ", " + c.describe()
                + ")";
    }
}
