package dev.anneal.backend.cuda;

/**
 * Launchers of {@code cuda-kernels/dropout.cu}: the Philox mask and its product (one thread per block of four
 * elements, grid-stride), the in-place product of the backward pass (grid-stride) and the one-thread advance of
 * the draw counter. The draw is not an argument: the kernel reads it from device memory, so a captured graph
 * replays with the counter's current value.
 */
final class DropoutLaunches {
    private DropoutLaunches() {
    }

    /** {@code dropout_forward(x, n, p, seed, stream, draws, mask, y)}. */
    record Forward(Span x, long n, float p, long seed, int stream, Span draws, Span mask, Span y)
            implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.DROPOUT_FORWARD;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride((n + 3) / 4, multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(x).i64(n).f32(p).i64(seed).i32(stream).ptr(draws).ptr(mask).ptr(y);
        }
    }

    /** {@code multiply(a, b, n)}: {@code a[i] *= b[i]}. */
    record Multiply(Span a, Span b, long n) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.MULTIPLY;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(n, multiprocessors);
        }

        @Override
        public void pack(KernelArgs args) {
            args.ptr(a).ptr(b).i64(n);
        }
    }

    /** {@code advance(counter)}: {@code counter[0] += 1} in one thread. */
    record Advance(Span counter) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.ADVANCE;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.single(1);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(counter);
        }
    }
}
