package dev.anneal.backend.cuda;

import dev.anneal.backend.AdamArgs;
import dev.anneal.backend.RmsPropArgs;
import dev.anneal.backend.SgdArgs;

/**
 * Launchers of {@code cuda-kernels/optim.cu}: the fused optimizer steps (grid-stride) and
 * {@code finalize_step_scalars} (one thread). Hyperparameters go by value; the per-step scalars stay in device
 * memory ({@code scalars}, {@link dev.anneal.backend.StepScalars} layout).
 */
final class OptimLaunches {
    private OptimLaunches() {
    }

    /** {@code sgd_step(one_minus_dampening, weight_decay, nesterov, scalars, p, g, buf, n)}. */
    record Sgd(SgdArgs args, Span scalars, Span params, Span grads, Span momentum, long n) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.SGD_STEP;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(n, multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.f32(args.oneMinusDampening()).f32(args.weightDecay()).flag(args.nesterov())
                    .ptr(scalars).ptr(params).ptr(grads).ptr(momentum).i64(n);
        }
    }

    /** {@code adam_step(beta2, one_minus_beta2, eps, weight_decay, decoupled, amsgrad, scalars, p, g, m, v, vmax, n)}. */
    record Adam(AdamArgs args, Span scalars, Span params, Span grads, Span expAvg, Span expAvgSq, Span maxExpAvgSq,
                long n) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.ADAM_STEP;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(n, multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.f32(args.beta2()).f32(args.oneMinusBeta2()).f32(args.eps()).f32(args.weightDecay())
                    .flag(args.decoupled()).flag(args.amsgrad())
                    .ptr(scalars).ptr(params).ptr(grads).ptr(expAvg).ptr(expAvgSq).ptr(maxExpAvgSq).i64(n);
        }
    }

    /**
     * {@code rmsprop_step(alpha, one_minus_alpha, eps, weight_decay, centered, with_momentum, scalars, p, g,
     * square_avg, grad_avg, buf, n)}.
     */
    record RmsProp(RmsPropArgs args, Span scalars, Span params, Span grads, Span squareAvg, Span gradAvg,
                   Span momentum, long n) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.RMSPROP_STEP;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.gridStride(n, multiprocessors);
        }

        @Override
        public void pack(KernelArgs a) {
            a.f32(args.alpha()).f32(args.oneMinusAlpha()).f32(args.eps()).f32(args.weightDecay())
                    .flag(args.centered()).flag(args.withMomentum())
                    .ptr(scalars).ptr(params).ptr(grads).ptr(squareAvg).ptr(gradAvg).ptr(momentum).i64(n);
        }
    }

    /** {@code finalize_step_scalars(norm_sq, max_norm, scalars)}: one thread. */
    record FinalizeStepScalars(Span normSquared, float maxNorm, Span scalars) implements Launcher {
        @Override
        public Kernel kernel() {
            return Kernel.FINALIZE_STEP_SCALARS;
        }

        @Override
        public Grid grid(int multiprocessors) {
            return Grid.single(1);
        }

        @Override
        public void pack(KernelArgs a) {
            a.ptr(normSquared).f32(maxNorm).ptr(scalars);
        }
    }
}
