package dev.anneal.backend.cuda;

import dev.anneal.backend.Activation;

/**
 * Launchers of {@code cuda-kernels/layers.cu}: bias + activation forward, activation forward alone and activation
 * backward (grid-stride over rows x cols elements) and column sums (one thread per column). Activations go as
 * their ordinal, which is the kernel's code ({@code common.cuh}).
 */
final class LayerLaunches {
    private LayerLaunches() {
    }

    /** {@code bias_activation(z, bias, out, rows, cols, act)}. */
    record BiasActivation(Span z, Span bias, Span out, int rows, int cols, Activation act) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.BIAS_ACTIVATION;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride((long) rows * cols, multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(z).ptr(bias).ptr(out).i32(rows).i32(cols).i32(act.ordinal());
        }
    }

    /** {@code activation_forward(act, z, out, n)}. */
    record ActivationForward(Activation act, Span z, Span out, long n) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.ACTIVATION_FORWARD;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(n, multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.i32(act.ordinal()).ptr(z).ptr(out).i64(n);
        }
    }

    /** {@code activation_backward(act, z, grad, n)}. */
    record ActivationBackward(Activation act, Span z, Span grad, long n) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.ACTIVATION_BACKWARD;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(n, multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.i32(act.ordinal()).ptr(z).ptr(grad).i64(n);
        }
    }

    /** {@code column_sums(m, rows, cols, out, accumulate)}. */
    record ColumnSums(Span m, int rows, int cols, Span out, boolean accumulate) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.COLUMN_SUMS;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.columns(cols);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(m).i32(rows).i32(cols).ptr(out).flag(accumulate);
        }
    }
}
