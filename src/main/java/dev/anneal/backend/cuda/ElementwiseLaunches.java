package dev.anneal.backend.cuda;

/** Launchers of {@code cuda-kernels/elementwise.cu}: scale, axpy and fill, grid-stride over n elements. */
final class ElementwiseLaunches {
    private ElementwiseLaunches() {
    }

    /** {@code scale(x, n, alpha)}. */
    record Scale(Span x, long n, float alpha) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.SCALE;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(n, multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(x).i64(n).f32(alpha);
        }
    }

    /** {@code axpy(alpha, x, y, n)}. */
    record Axpy(float alpha, Span x, Span y, long n) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.AXPY;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(n, multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.f32(alpha).ptr(x).ptr(y).i64(n);
        }
    }

    /** {@code fill(x, n, value)}. */
    record Fill(Span x, long n, float value) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.FILL;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(n, multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(x).i64(n).f32(value);
        }
    }
}
