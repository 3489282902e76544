package dev.anneal.optim;

import dev.anneal.backend.AdamArgs;
import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.RmsPropArgs;
import dev.anneal.backend.SgdArgs;
import dev.anneal.backend.StepScalars;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * An optimizer over one flat parameter buffer: its {@link OptimizerSpec} (hyperparameters), its explicit state
 * (the number of updates applied and named moment buffers, PyTorch's {@code state_dict} names), and the fused
 * backend kernel that applies an update in one pass.
 *
 * <p>Per update the host computes the step scalars in double precision (bias corrections, step size, decay
 * factor) and rounds each to float once, as PyTorch passes Python floats to its float kernels; the kernel reads
 * them from {@link StepScalars}.
 */
public final class Optimizer implements AutoCloseable {
    private final OptimizerSpec spec;
    private final Backend backend;
    private final long n;
    private final FloatArray scalars;
    private final float[] hostScalars = new float[StepScalars.SIZE];
    private final Map<String, FloatArray> state = new LinkedHashMap<>();
    private long steps;
    private boolean momentumStarted;
    /**
     * Prepared updates whose outcome the host does not know yet, oldest first: the momentum each uses if the step
     * before it was skipped, if it was applied, and 1 when it was prepared for both outcomes (else 0).
     */
    private final java.util.ArrayDeque<double[]> inFlight = new java.util.ArrayDeque<>();
    /** Whether the last resolved update was applied. */
    private boolean lastApplied;

    private Optimizer(OptimizerSpec spec, Backend backend, long n) {
        this.spec = spec;
        this.backend = backend;
        this.n = n;
        this.scalars = backend.allocate(StepScalars.SIZE);
    }

    /** An optimizer for {@code n} parameters with zeroed state (PyTorch's state before the first step). */
    public static Optimizer create(OptimizerSpec spec, Backend backend, long n) {
        Optimizer o = new Optimizer(spec, backend, n);
        if (spec instanceof Sgd s) {
            if (s.momentum() != 0) {
                o.state.put("momentum_buffer", backend.allocate(n));
            }
        } else if (spec instanceof Adam a) {
            o.allocateAdam(a.amsgrad());
        } else if (spec instanceof AdamW a) {
            o.allocateAdam(a.amsgrad());
        } else if (spec instanceof RmsProp r) {
            o.state.put("square_avg", backend.allocate(n));
            if (r.centered()) {
                o.state.put("grad_avg", backend.allocate(n));
            }
            if (r.momentum() > 0) {
                o.state.put("momentum_buffer", backend.allocate(n));
            }
        } else {
            throw new IllegalArgumentException("unknown optimizer " + spec);
        }
        return o;
    }

    private void allocateAdam(boolean amsgrad) {
        state.put("exp_avg", backend.allocate(n));
        state.put("exp_avg_sq", backend.allocate(n));
        if (amsgrad) {
            state.put("max_exp_avg_sq", backend.allocate(n));
        }
    }

    public OptimizerSpec spec() {
        return spec;
    }

    /** Updates applied so far ({@code t - 1} of the next update). */
    public long steps() {
        return steps;
    }

    /** The state buffers by PyTorch's names, in a fixed order (for checkpoints). */
    public Map<String, FloatArray> state() {
        return Collections.unmodifiableMap(state);
    }

    /**
     * Restores the update count of a checkpoint (the buffers are restored through {@link #state()}).
     *
     * @param momentumStarted whether SGD's momentum buffer already holds a value (after its first update)
     */
    public void restore(long updates, boolean momentumStarted) {
        this.steps = updates;
        this.momentumStarted = momentumStarted;
        inFlight.clear();
    }

    /** Whether SGD's momentum buffer has been initialised (PyTorch's buffer is created on the first update). */
    public boolean momentumStarted() {
        return momentumStarted;
    }

    /**
     * Applies update {@code t = steps() + 1}: {@code params -= lr * direction(grads * gradScale)}; the same as
     * {@link #prepare}, setting the gradient scale, {@link #apply} and {@link #commit}.
     *
     * @param lr the scheduled rate {@code lr(k)}
     * @param momentum the cycled momentum or beta1 for this update, or empty for the configured one
     * @param gradScale multiplies every gradient first (the global-norm clip coefficient; 1 when not clipping)
     */
    public void step(FloatArray params, FloatArray grads, double lr, OptionalDouble momentum, double gradScale) {
        prepare(lr, momentum, (float) gradScale);
        apply(params, grads);
        commit();
    }

    /**
     * Writes the step scalars of update {@code t = steps() + 1} to the device (rate, bias corrections, momentum,
     * gradient scale 1, skip 0), before the step's {@link #apply}. A device-side
     * {@link dev.anneal.backend.Backend#finalizeStepScalars} may then set the gradient scale and the skip flag.
     */
    public void prepare(double lr, OptionalDouble momentum) {
        prepare(lr, momentum, 1f);
    }

    private void prepare(double lr, OptionalDouble momentum, float gradScale) {
        double mu = fillScalars(StepScalars.IF_SKIPPED, lr, momentum, steps + 1, momentumStarted);
        System.arraycopy(hostScalars, StepScalars.IF_SKIPPED, hostScalars, 0, StepScalars.LIVE);
        System.arraycopy(hostScalars, StepScalars.IF_SKIPPED, hostScalars, StepScalars.IF_APPLIED, StepScalars.LIVE);
        hostScalars[StepScalars.GRAD_SCALE] = gradScale;
        hostScalars[StepScalars.SPECULATIVE] = 0f;
        inFlight.add(new double[] {mu, mu, 0});
        upload();
    }

    /**
     * Writes the step scalars of the update after one whose outcome the host does not know yet: for both outcomes
     * of that update ({@link StepScalars#SPECULATIVE}), if it was skipped (update {@code t = steps() + 1}, at
     * {@code lrIfSkipped}) and if it was applied ({@code t = steps() + 2}, at {@code lrIfApplied}). The device's
     * {@link dev.anneal.backend.Backend#finalizeStepScalars} picks the row from that update's outcome, so the
     * update is exactly the one a host that knew it would have prepared. Exactly one update may be in flight.
     */
    public void prepareSpeculative(double lrIfSkipped, OptionalDouble momentumIfSkipped, double lrIfApplied,
                                   OptionalDouble momentumIfApplied) {
        if (inFlight.size() != 1) {
            throw new IllegalStateException(inFlight.size() + " updates in flight; a speculative one follows one");
        }
        double previousMu = momentumOf(inFlight.peekFirst());
        boolean startedIfApplied = momentumStarted || previousMu != 0 && spec instanceof Sgd;
        double muSkipped = fillScalars(StepScalars.IF_SKIPPED, lrIfSkipped, momentumIfSkipped, steps + 1,
                momentumStarted);
        double muApplied = fillScalars(StepScalars.IF_APPLIED, lrIfApplied, momentumIfApplied, steps + 2,
                startedIfApplied);
        System.arraycopy(hostScalars, StepScalars.IF_APPLIED, hostScalars, 0, StepScalars.LIVE);
        hostScalars[StepScalars.SPECULATIVE] = 1f;
        inFlight.add(new double[] {muSkipped, muApplied, 1});
        upload();
    }

    /** The momentum an in-flight update uses, given the outcome of the update before it ({@link #lastApplied}). */
    private double momentumOf(double[] update) {
        return update[2] != 0 && lastApplied ? update[1] : update[0];
    }

    /**
     * Records the outcome of the oldest prepared update: applied (the count advances; SGD's momentum buffer is
     * then initialised) or skipped (nothing changes).
     */
    public void resolve(boolean applied) {
        double[] update = inFlight.pollFirst();
        if (update == null) {
            throw new IllegalStateException("no prepared update to resolve");
        }
        if (applied) {
            steps++;
            momentumStarted |= momentumOf(update) != 0 && spec instanceof Sgd;
        }
        lastApplied = applied;
    }

    /**
     * Queues the fused kernel of the prepared update; only kernel launches, so it can be captured in a graph and
     * replayed (each replay reading the scalars {@link #prepare} wrote last).
     */
    public void apply(FloatArray params, FloatArray grads) {
        if (spec instanceof Sgd s) {
            backend.sgdStep(SgdArgs.of(s.dampening(), s.weightDecay(), s.nesterov()), scalars, params, grads,
                    state.get("momentum_buffer"), n);
        } else if (spec instanceof Adam a) {
            backend.adamStep(AdamArgs.of(a.betas().get(1), a.eps(), a.weightDecay(), false, a.amsgrad()), scalars,
                    params, grads, state.get("exp_avg"), state.get("exp_avg_sq"), state.get("max_exp_avg_sq"), n);
        } else if (spec instanceof AdamW a) {
            backend.adamStep(AdamArgs.of(a.betas().get(1), a.eps(), a.weightDecay(), true, a.amsgrad()), scalars,
                    params, grads, state.get("exp_avg"), state.get("exp_avg_sq"), state.get("max_exp_avg_sq"), n);
        } else if (spec instanceof RmsProp r) {
            backend.rmspropStep(RmsPropArgs.of(r.alpha(), r.eps(), r.weightDecay(), r.centered(), r.momentum() > 0),
                    scalars, params, grads, state.get("square_avg"), state.get("grad_avg"),
                    state.get("momentum_buffer"), n);
        } else {
            throw new IllegalArgumentException("unknown optimizer " + spec);
        }
    }

    /** Counts the prepared update as applied: {@link #resolve resolve(true)}. */
    public void commit() {
        resolve(true);
    }

    /**
     * The device buffer of the step scalars, for {@link dev.anneal.backend.Backend#finalizeStepScalars}.
     */
    public FloatArray scalars() {
        return scalars;
    }

    /**
     * Allocates now every state buffer a later update may need (SGD's momentum buffer when a schedule cycles the
     * momentum up from 0), so that the kernel launch of {@link #apply} can be captured once and replayed.
     */
    public void reserveState() {
        if (spec instanceof Sgd && !state.containsKey("momentum_buffer")) {
            state.put("momentum_buffer", backend.allocate(n));
        }
    }

    /**
     * Writes the live slots of update {@code t} at rate {@code lr} into {@code hostScalars[row, row + LIVE)};
     * returns the momentum used.
     */
    private double fillScalars(int row, double lr, OptionalDouble momentum, long t, boolean started) {
        double mu = momentum.orElse(spec.configuredMomentum());
        java.util.Arrays.fill(hostScalars, row, row + StepScalars.LIVE, 0f);
        hostScalars[row + StepScalars.LR] = (float) lr;
        hostScalars[row + StepScalars.GRAD_SCALE] = 1f;
        hostScalars[row + StepScalars.MOMENTUM] = (float) mu;
        if (spec instanceof Sgd) {
            if (mu != 0) {
                reserveState();
            }
            hostScalars[row + StepScalars.FIRST_STEP] = mu != 0 && !started ? 1f : 0f;
        } else if (spec instanceof Adam a) {
            adamScalars(row, lr, mu, t, a.betas().get(1), a.weightDecay());
        } else if (spec instanceof AdamW a) {
            adamScalars(row, lr, mu, t, a.betas().get(1), a.weightDecay());
        }
        return mu;
    }

    private void adamScalars(int row, double lr, double beta1, long t, double beta2, double weightDecay) {
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2 = 1 - Math.pow(beta2, t);
        hostScalars[row + StepScalars.STEP_SIZE] = (float) (lr / biasCorrection1);
        hostScalars[row + StepScalars.BIAS_CORRECTION2_SQRT] = (float) Math.sqrt(biasCorrection2);
        hostScalars[row + StepScalars.DECAY_FACTOR] = (float) (1 - lr * weightDecay);
        hostScalars[row + StepScalars.ONE_MINUS_MOMENTUM] = (float) (1 - beta1);
    }

    private void upload() {
        backend.upload(hostScalars, 0, scalars, 0, StepScalars.WRITTEN);
    }

    @Override
    public void close() {
        scalars.close();
        state.values().forEach(FloatArray::close);
    }
}
