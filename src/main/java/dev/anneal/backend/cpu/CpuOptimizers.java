package dev.anneal.backend.cpu;

import dev.anneal.backend.AdamArgs;
import dev.anneal.backend.RmsPropArgs;
import dev.anneal.backend.SgdArgs;
import dev.anneal.backend.StepScalars;

/**
 * The fused optimizer steps on Java arrays over {@code [from, to)}: host twins of {@code cuda-kernels/optim.cu}'s
 * {@code sgd_step}, {@code adam_step}, {@code rmsprop_step}, with the same argument order. Each element of each
 * buffer is read once and written once (fp32 Adam moves 28 bytes per parameter, SGD with momentum and RMSprop
 * 20, plain SGD 12), so a step is bound by memory bandwidth.
 *
 * <p>Each step reads its {@link StepScalars}, picks the loop of its configuration ({@link CpuSgdLoops},
 * {@link CpuAdamLoops}, {@link CpuRmsPropLoops}: every branch hoisted, so C2 vectorises the loop body) and runs it
 * over {@link CpuParallel} chunks of at least {@link #GRAIN} elements. Elements are independent, so the result
 * is the same bits for every thread count. The float arithmetic is PyTorch's (AVX2 CPU kernels), operation for
 * operation; the golden trajectories in {@code src/test/resources/golden/optim} hold it to that.
 */
final class CpuOptimizers {
    /** Elements per thread below which a step runs on the calling thread (about 100 µs of work). */
    static final int GRAIN = 1 << 15;

    private CpuOptimizers() {
    }

    /** PyTorch SGD; see {@link CpuSgdLoops}. A no-op when {@code s[SKIP] != 0}. */
    static void sgdStep(SgdArgs a, float[] s, float[] p, float[] g, float[] buf, int from, int to) {
        if (s[StepScalars.SKIP] != 0f) {
            return;
        }
        float nlr = -s[StepScalars.LR];
        float scale = s[StepScalars.GRAD_SCALE];
        float mu = s[StepScalars.MOMENTUM];
        float wd = a.weightDecay();
        boolean decay = wd != 0f;
        if (mu == 0f) {
            CpuParallel.forRange(from, to, GRAIN, (c, lo, hi) -> CpuSgdLoops.plain(p, g, scale, decay, wd, nlr, lo, hi));
            return;
        }
        if (buf == null) {
            throw new IllegalArgumentException("SGD with momentum " + mu + " needs a momentum buffer");
        }
        boolean nesterov = a.nesterov();
        if (s[StepScalars.FIRST_STEP] != 0f) {
            CpuParallel.forRange(from, to, GRAIN,
                    (c, lo, hi) -> CpuSgdLoops.first(p, g, buf, scale, decay, wd, mu, nesterov, nlr, lo, hi));
        } else {
            float keep = a.oneMinusDampening();
            CpuParallel.forRange(from, to, GRAIN,
                    (c, lo, hi) -> CpuSgdLoops.momentum(p, g, buf, scale, decay, wd, mu, keep, nesterov, nlr, lo, hi));
        }
    }

    /** PyTorch Adam / AdamW; see {@link CpuAdamLoops}. A no-op when {@code s[SKIP] != 0}. */
    static void adamStep(AdamArgs a, float[] s, float[] p, float[] g, float[] m, float[] v, float[] vmax,
                         int from, int to) {
        if (s[StepScalars.SKIP] != 0f) {
            return;
        }
        float b1 = s[StepScalars.MOMENTUM];
        float c1 = s[StepScalars.ONE_MINUS_MOMENTUM];
        float b2 = a.beta2();
        float c2 = a.oneMinusBeta2();
        float scale = s[StepScalars.GRAD_SCALE];
        float nss = -s[StepScalars.STEP_SIZE];
        float bc2 = s[StepScalars.BIAS_CORRECTION2_SQRT];
        float eps = a.eps();
        float wd = a.weightDecay();
        boolean l2 = !a.decoupled() && wd != 0f;
        // AdamW multiplies p by 1 - lr*wd; Adam without decay by 1, which changes no bits.
        float decay = a.decoupled() ? s[StepScalars.DECAY_FACTOR] : 1f;
        if (a.amsgrad()) {
            if (vmax == null) {
                throw new IllegalArgumentException("amsgrad needs a max_exp_avg_sq buffer");
            }
            if (l2) {
                CpuParallel.forRange(from, to, GRAIN, (c, lo, hi) ->
                        CpuAdamLoops.l2Amsgrad(p, g, m, v, vmax, scale, wd, b1, c1, b2, c2, bc2, eps, nss, lo, hi));
            } else {
                CpuParallel.forRange(from, to, GRAIN, (c, lo, hi) ->
                        CpuAdamLoops.decayAmsgrad(p, g, m, v, vmax, scale, decay, b1, c1, b2, c2, bc2, eps, nss, lo,
                                hi));
            }
        } else if (l2) {
            CpuParallel.forRange(from, to, GRAIN, (c, lo, hi) ->
                    CpuAdamLoops.l2(p, g, m, v, scale, wd, b1, c1, b2, c2, bc2, eps, nss, lo, hi));
        } else {
            CpuParallel.forRange(from, to, GRAIN, (c, lo, hi) ->
                    CpuAdamLoops.decay(p, g, m, v, scale, decay, b1, c1, b2, c2, bc2, eps, nss, lo, hi));
        }
    }

    /**
     * PyTorch RMSprop; see {@link CpuRmsPropLoops}. The momentum form runs when there is a buffer and
     * {@code s[MOMENTUM] > 0} (PyTorch tests the group's current momentum each step). A no-op when
     * {@code s[SKIP] != 0}.
     */
    static void rmspropStep(RmsPropArgs a, float[] s, float[] p, float[] g, float[] sq, float[] gavg, float[] buf,
                            int from, int to) {
        if (s[StepScalars.SKIP] != 0f) {
            return;
        }
        float nlr = -s[StepScalars.LR];
        float scale = s[StepScalars.GRAD_SCALE];
        float mu = s[StepScalars.MOMENTUM];
        float alpha = a.alpha();
        float c = a.oneMinusAlpha();
        float eps = a.eps();
        float wd = a.weightDecay();
        boolean decay = wd != 0f;
        boolean momentum = a.withMomentum() && mu > 0f;
        if (momentum && buf == null) {
            throw new IllegalArgumentException("RMSprop with momentum needs a momentum buffer");
        }
        if (a.centered() && gavg == null) {
            throw new IllegalArgumentException("centered RMSprop needs a grad_avg buffer");
        }
        if (a.centered()) {
            if (momentum) {
                CpuParallel.forRange(from, to, GRAIN, (k, lo, hi) -> CpuRmsPropLoops.centeredMomentum(p, g, sq, gavg,
                        buf, scale, decay, wd, alpha, c, eps, mu, nlr, lo, hi));
            } else {
                CpuParallel.forRange(from, to, GRAIN, (k, lo, hi) ->
                        CpuRmsPropLoops.centered(p, g, sq, gavg, scale, decay, wd, alpha, c, eps, nlr, lo, hi));
            }
        } else if (momentum) {
            CpuParallel.forRange(from, to, GRAIN, (k, lo, hi) ->
                    CpuRmsPropLoops.momentum(p, g, sq, buf, scale, decay, wd, alpha, c, eps, mu, nlr, lo, hi));
        } else {
            CpuParallel.forRange(from, to, GRAIN, (k, lo, hi) ->
                    CpuRmsPropLoops.plain(p, g, sq, scale, decay, wd, alpha, c, eps, nlr, lo, hi));
        }
    }

    /**
     * The CPU twin of {@code finalize_step_scalars} in cuda-kernels/optim.cu, in float arithmetic as there: when
     * {@code SPECULATIVE}, the row of the previous step's outcome ({@code APPLIED}) copied into the live slots; then
     * {@code SKIP = !isfinite(sq)}, {@code APPLIED = !SKIP}, {@code GRAD_SCALE = min(1, maxNorm / (sqrt(sq) + 1e-6))} when finite and
     * {@code maxNorm > 0}, else 1. {@code (float) Math.sqrt(sq)} is the correctly rounded float square root, as
     * {@code sqrtf} is on the GPU (IEEE, {@code -prec-sqrt=true}).
     */
    static void finalizeStepScalars(float sq, float maxNorm, float[] scalars) {
        if (scalars[StepScalars.SPECULATIVE] != 0f) {
            int row = scalars[StepScalars.APPLIED] != 0f ? StepScalars.IF_APPLIED : StepScalars.IF_SKIPPED;
            for (int i = 0; i < StepScalars.LIVE; i++) {
                if (i != StepScalars.GRAD_SCALE && i != StepScalars.SKIP && i != StepScalars.SPECULATIVE) {
                    scalars[i] = scalars[row + i];
                }
            }
        }
        boolean finite = Float.isFinite(sq);
        scalars[StepScalars.SKIP] = finite ? 0f : 1f;
        scalars[StepScalars.APPLIED] = finite ? 1f : 0f;
        float coef = 1f;
        if (finite && maxNorm > 0f) {
            coef = Math.min(1f, maxNorm / ((float) Math.sqrt(sq) + 1e-6f));
        }
        scalars[StepScalars.GRAD_SCALE] = coef;
    }
}
