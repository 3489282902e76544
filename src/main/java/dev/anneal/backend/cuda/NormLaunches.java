package dev.anneal.backend.cuda;

/**
 * Launchers of {@code cuda-kernels/norm.cu}: batch normalisation. The column sums go in two steps over a scratch
 * of doubles ({@link #partials}): one thread per (block of {@link #BLOCK_ROWS} rows, channel) writes a partial,
 * then one thread per channel adds the partials in block order, the CPU twin's order, so the statistics have its
 * bits. Elementwise passes are grid-stride loops over {@code rows x cols}.
 */
final class NormLaunches {
    /** Rows per block of the fixed summation order, {@code BN_BLOCK_ROWS} in norm.cu and {@code CpuNorm.BLOCK}. */
    static final int BLOCK_ROWS = 256;

    private NormLaunches() {
    }

    /** Row blocks of the summation order: {@code ceil(rows / BLOCK_ROWS)}. */
    static long blocks(int rows) {
        return (rows + (long) BLOCK_ROWS - 1) / BLOCK_ROWS;
    }

    /** Doubles of one set of partials: one per row block and channel. */
    static long partials(int rows, int cols) {
        return blocks(rows) * cols;
    }

    /** Doubles of scratch an op needs: two sets of partials and two per channel (the mean, or the two sums). */
    static long scratch(int rows, int cols) {
        return 2 * partials(rows, cols) + 2L * cols;
    }

    /** {@code batch_norm_sum_partials(x, rows, cols, partials)}. */
    record SumPartials(Span x, int rows, int cols, Span partials) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.BATCH_NORM_SUM_PARTIALS;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(NormLaunches.partials(rows, cols), multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(x).i32(rows).i32(cols).ptr(partials);
        }
    }

    /** {@code batch_norm_mean(partials, rows, cols, mean)}: one thread per channel. */
    record Mean(Span partials, int rows, int cols, Span mean) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.BATCH_NORM_MEAN;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.columns(cols);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(partials).i32(rows).i32(cols).ptr(mean);
        }
    }

    /** {@code batch_norm_square_partials(x, rows, cols, mean, partials)}. */
    record SquarePartials(Span x, int rows, int cols, Span mean, Span partials) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.BATCH_NORM_SQUARE_PARTIALS;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(NormLaunches.partials(rows, cols), multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(x).i32(rows).i32(cols).ptr(mean).ptr(partials);
        }
    }

    /**
     * {@code batch_norm_stats(partials, mean, rows, cols, eps, momentum, running_mean, running_var, saved)}: one
     * thread per channel.
     */
    record Stats(Span partials, Span mean, int rows, int cols, float eps, float momentum, Span runningMean,
                 Span runningVar, Span saved) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.BATCH_NORM_STATS;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.columns(cols);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(partials).ptr(mean).i32(rows).i32(cols).f32(eps).f32(momentum).ptr(runningMean).ptr(runningVar)
                    .ptr(saved);
        }
    }

    /** {@code batch_norm_normalize(x, rows, cols, saved, gamma, beta, y)}. */
    record Normalize(Span x, int rows, int cols, Span saved, Span gamma, Span beta, Span y) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.BATCH_NORM_NORMALIZE;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride((long) rows * cols, multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(x).i32(rows).i32(cols).ptr(saved).ptr(gamma).ptr(beta).ptr(y);
        }
    }

    /** {@code batch_norm_inference(x, rows, cols, eps, running_mean, running_var, gamma, beta, y)}. */
    record Inference(Span x, int rows, int cols, float eps, Span runningMean, Span runningVar, Span gamma, Span beta,
                     Span y) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.BATCH_NORM_INFERENCE;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride((long) rows * cols, multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(x).i32(rows).i32(cols).f32(eps).ptr(runningMean).ptr(runningVar).ptr(gamma).ptr(beta).ptr(y);
        }
    }

    /** {@code batch_norm_backward_partials(x, dy, rows, cols, saved, partials)}: both sets of partials. */
    record BackwardPartials(Span x, Span dy, int rows, int cols, Span saved, Span partials) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.BATCH_NORM_BACKWARD_PARTIALS;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(NormLaunches.partials(rows, cols), multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(x).ptr(dy).i32(rows).i32(cols).ptr(saved).ptr(partials);
        }
    }

    /** {@code batch_norm_backward_sums(partials, rows, cols, sums, dgamma, dbeta)}: one thread per channel. */
    record BackwardSums(Span partials, int rows, int cols, Span sums, Span dGamma, Span dBeta) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.BATCH_NORM_BACKWARD_SUMS;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.columns(cols);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(partials).i32(rows).i32(cols).ptr(sums).ptr(dGamma).ptr(dBeta);
        }
    }

    /** {@code batch_norm_backward_dx(x, dy, rows, cols, gamma, saved, sums, dx)}. */
    record BackwardDx(Span x, Span dy, int rows, int cols, Span gamma, Span saved, Span sums, Span dx)
            implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.BATCH_NORM_BACKWARD_DX;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride((long) rows * cols, multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(x).ptr(dy).i32(rows).i32(cols).ptr(gamma).ptr(saved).ptr(sums).ptr(dx);
        }
    }
}
