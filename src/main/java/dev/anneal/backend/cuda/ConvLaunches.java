package dev.anneal.backend.cuda;

import dev.anneal.backend.ConvGeometry;

/**
 * Launchers of {@code cuda-kernels/conv.cu}: im2col, col2im and the NCHW/NHWC transposes, one thread per output
 * element in grid-stride loops. The geometry goes as twelve ints, {@code (inC, inH, inW, kH, kW, strideH,
 * strideW, padH, padW, outH, outW, n)}, the kernels' order.
 */
final class ConvLaunches {
    private ConvLaunches() {
    }

    /** Packs {@code g} and the image count {@code n} as the kernels' first twelve parameters. */
    static KernelArgs geometry(KernelArgs a, ConvGeometry g, int n) {
        return a.i32(g.inC()).i32(g.inH()).i32(g.inW()).i32(g.kH()).i32(g.kW()).i32(g.strideH()).i32(g.strideW())
                .i32(g.padH()).i32(g.padW()).i32(g.outH()).i32(g.outW()).i32(n);
    }

    /** {@code im2col(geometry..., n, x, col)}: one thread per element of col. */
    record Im2col(ConvGeometry g, int n, Span x, Span col) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.IM2COL;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(col.count(), multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            geometry(a, g, n).ptr(x).ptr(col);
        }
    }

    /** {@code col2im(geometry..., n, col, dx)}: one thread per element of dx, a gather. */
    record Col2im(ConvGeometry g, int n, Span col, Span dx) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.COL2IM;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(dx.count(), multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            geometry(a, g, n).ptr(col).ptr(dx);
        }
    }

    /** {@code to_channels_last(n, c, h, w, x, y)} or {@code to_channels_first(...)}: one thread per element. */
    record Transpose(boolean toChannelsLast, int n, int c, int h, int w, Span x, Span y) implements Launcher {
        @Override
        public Kernel kernel() {
            return toChannelsLast ? Kernel.TO_CHANNELS_LAST : Kernel.TO_CHANNELS_FIRST;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(y.count(), multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.i32(n).i32(c).i32(h).i32(w).ptr(x).ptr(y);
        }
    }
}
