package dev.anneal.backend.cuda;

import dev.anneal.backend.PoolGeometry;

/**
 * Launchers of {@code cuda-kernels/pool.cu}: max and average pooling, forward (one thread per output element)
 * and backward (one thread per input element, a gather), in grid-stride loops. The geometry goes as twelve ints,
 * {@code (c, inH, inW, kH, kW, strideH, strideW, padH, padW, outH, outW, n)}, the kernels' order.
 */
final class PoolLaunches {
    private PoolLaunches() {
    }

    /** Packs {@code g} and the image count {@code n} as the kernels' first twelve parameters. */
    static KernelArgs geometry(KernelArgs a, PoolGeometry g, int n) {
        return a.i32(g.c()).i32(g.inH()).i32(g.inW()).i32(g.kH()).i32(g.kW()).i32(g.strideH()).i32(g.strideW())
                .i32(g.padH()).i32(g.padW()).i32(g.outH()).i32(g.outW()).i32(n);
    }

    /** {@code max_pool_forward(geometry..., n, x, y, argmax)}. */
    record MaxForward(PoolGeometry g, int n, Span x, Span y, Span argmax) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.MAX_POOL_FORWARD;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(y.count(), multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            geometry(a, g, n).ptr(x).ptr(y).ptr(argmax);
        }
    }

    /** {@code max_pool_bias_forward(geometry..., n, x, bias, y, argmax)}. */
    record MaxBiasForward(PoolGeometry g, int n, Span x, Span bias, Span y, Span argmax) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.MAX_POOL_BIAS_FORWARD;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(y.count(), multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            geometry(a, g, n).ptr(x).ptr(bias).ptr(y).ptr(argmax);
        }
    }

    /** {@code max_pool_backward(geometry..., n, dy, argmax, dx)}. */
    record MaxBackward(PoolGeometry g, int n, Span dy, Span argmax, Span dx) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.MAX_POOL_BACKWARD;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(dx.count(), multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            geometry(a, g, n).ptr(dy).ptr(argmax).ptr(dx);
        }
    }

    /** {@code avg_pool_forward(geometry..., n, x, y)}. */
    record AvgForward(PoolGeometry g, int n, Span x, Span y) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.AVG_POOL_FORWARD;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(y.count(), multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            geometry(a, g, n).ptr(x).ptr(y);
        }
    }

    /** {@code avg_pool_backward(geometry..., n, dy, dx)}. */
    record AvgBackward(PoolGeometry g, int n, Span dy, Span dx) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.AVG_POOL_BACKWARD;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(dx.count(), multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            geometry(a, g, n).ptr(dy).ptr(dx);
        }
    }
}
