package dev.anneal.backend.cuda;

/**
 * Launchers of {@code cuda-kernels/loss.cu}: {@code softmax_xent_rows} (a warp per row, 8 rows per block) writes
 * each row's loss and hit into a scratch of {@code 2 * rows} floats, then {@code reduce_row_stats} (one block of
 * 256) sums them in a fixed order into the two stats slots.
 */
final class LossLaunches {
    private LossLaunches() {
    }

    /** {@code softmax_xent_rows(logits, rows, cols, labels, grad_scale, grad, row_stats)}; {@code grad} may be absent. */
    record SoftmaxXentRows(Span logits, int rows, int cols, Span labels, float gradScale, Span grad, Span rowStats)
            implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.SOFTMAX_XENT_ROWS;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.softmaxRows(rows);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(logits).i32(rows).i32(cols).ptr(labels).f32(gradScale).ptr(grad).ptr(rowStats);
        }
    }

    /** {@code reduce_row_stats(row_stats, rows, stats)}. */
    record ReduceRowStats(Span rowStats, int rows, Span stats) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.REDUCE_ROW_STATS;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.single(Grid.THREADS);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(rowStats).i32(rows).ptr(stats);
        }
    }
}
