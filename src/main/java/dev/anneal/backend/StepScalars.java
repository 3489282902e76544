package dev.anneal.backend;

/**
 * The per-step scalars of a fused optimizer step, as one small float buffer that the host writes once per step
 * and the kernel reads (on a GPU from device memory, so that a step needs no host synchronisation and can be
 * captured in a CUDA graph). Slots {@code [0, LIVE)} are what the kernels read; the two rows after them let the
 * host write a step's scalars before it knows whether the previous step was applied ({@link #SPECULATIVE}).
 * Coefficients are computed on the host in double precision and rounded to float once, as PyTorch does when it
 * passes Python floats to its float kernels.
 */
public final class StepScalars {
    /** The learning rate {@code lr(k)}. */
    public static final int LR = 0;
    /** Adam: {@code lr / (1 - beta1^t)}. */
    public static final int STEP_SIZE = 1;
    /** Adam: {@code sqrt(1 - beta2^t)}. */
    public static final int BIAS_CORRECTION2_SQRT = 2;
    /** AdamW: {@code 1 - lr * weight_decay}. */
    public static final int DECAY_FACTOR = 3;
    /** Multiplies every gradient before use: the global-norm clip coefficient (1 when not clipping). */
    public static final int GRAD_SCALE = 4;
    /** 1 when the step must leave every buffer untouched (non-finite gradients), else 0. */
    public static final int SKIP = 5;
    /** SGD and RMSprop momentum, Adam beta1, as used this step. */
    public static final int MOMENTUM = 6;
    /** 1 on the first update (SGD initialises its momentum buffer with the gradient), else 0. */
    public static final int FIRST_STEP = 7;
    /** Adam: {@code 1 - beta1}, computed in double and rounded once. */
    public static final int ONE_MINUS_MOMENTUM = 8;
    /**
     * 1 when the host wrote this step's scalars for both outcomes of the previous step, not yet known to it
     * (rows {@link #IF_SKIPPED} and {@link #IF_APPLIED}); finalizeStepScalars then copies the row that holds.
     */
    public static final int SPECULATIVE = 10;
    /** The live slots, which the kernels read: {@code [0, LIVE)}. */
    public static final int LIVE = 16;
    /** Start of the row of live slots that holds if the previous step was skipped. */
    public static final int IF_SKIPPED = 16;
    /** Start of the row of live slots that holds if the previous step was applied. */
    public static final int IF_APPLIED = 32;
    /** The slots the host writes each step: the live ones and the two rows. */
    public static final int WRITTEN = 48;
    /**
     * 1 when the step was applied, 0 when skipped: written by finalizeStepScalars, read by the next step's; after
     * the slots the host writes, so that it survives the next step's upload.
     */
    public static final int APPLIED = 48;
    /** Number of slots. */
    public static final int SIZE = 49;

    private StepScalars() {
    }
}
