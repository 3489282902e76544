package dev.anneal.backend.cuda;

/**
 * Launchers of {@code cuda-kernels/reduce.cu}: the deterministic squared norm, {@code squared_norm_partial} on
 * the fixed grid of {@link Grid#REDUCE_BLOCKS} blocks (one double partial each) then {@code squared_norm_final}
 * in one block of 256.
 */
final class ReduceLaunches {
    private ReduceLaunches() {
    }

    /** {@code squared_norm_partial(x, n, partial)}; {@code partials} holds {@link Grid#REDUCE_BLOCKS} doubles. */
    record SquaredNormPartial(Span x, long n, Span partials) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.SQUARED_NORM_PARTIAL;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.reducePartials();
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(x).i64(n).ptr(partials);
        }
    }

    /** {@code squared_norm_final(partial, count, out)}: sums the {@link Grid#REDUCE_BLOCKS} partials. */
    record SquaredNormFinal(Span partials, Span out) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.SQUARED_NORM_FINAL;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.single(Grid.THREADS);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(partials).i32(Grid.REDUCE_BLOCKS).ptr(out);
        }
    }
}
