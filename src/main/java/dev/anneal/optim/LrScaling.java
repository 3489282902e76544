package dev.anneal.optim;

import dev.anneal.spec.Format;
import dev.anneal.spec.Require;
import dev.anneal.spec.SpecException;

/**
 * {@code optimizer.lr_scaling} and {@code optimizer.reference_batch}: how the base rate follows the global batch.
 *
 * <ul>
 *   <li>{@code none} (default): the effective base rate is {@code optimizer.lr}, whatever the batch.</li>
 *   <li>{@code linear}: the linear scaling rule of Goyal et al. 2017, "Accurate, Large Minibatch SGD: Training
 *       ImageNet in 1 Hour" (section 2.1): "when the minibatch size is multiplied by k, multiply the learning rate
 *       by k". With {@code B = data.batch_size x devices x train.accumulation_steps} (the samples of one
 *       update) and {@code B_ref = reference_batch} (the batch at which {@code optimizer.lr} was tuned):
 *       <pre>lr0_effective = optimizer.lr * B / B_ref</pre>
 *       The same paper pairs the rule with a gradual warmup (its section 2.2, {@code schedule.warmup} of type
 *       {@code linear}), because a large rate early in training diverges; Anneal does not add one by itself.</li>
 * </ul>
 * The factor multiplies the base rate {@code lr0} that schedules scale; rates a schedule defines absolutely
 * (piecewise_constant's values, cyclic's and one_cycle's bounds) would not follow it, so the config rejects
 * {@code linear} with those, and floors such as {@code eta_min} stay as written.
 *
 * @param rule {@code lr_scaling}: none | linear, default none
 * @param referenceBatch {@code reference_batch}: the global batch {@code optimizer.lr} was tuned for, &gt; 0;
 *     required with linear, rejected with none
 */
public record LrScaling(String rule, Long referenceBatch) {
    /** No scaling: the effective rate is the configured one. */
    public static final LrScaling NONE = new LrScaling(null, null);

    public LrScaling {
        rule = rule == null ? "none" : rule;
        Require.oneOf("lr_scaling", rule, "none", "linear");
        if (rule.equals("linear")) {
            if (referenceBatch == null) {
                throw new SpecException("reference_batch", "is required with lr_scaling: linear: the global batch "
                        + "size optimizer.lr was tuned for (Goyal et al. use 256)");
            }
            Require.positive("reference_batch", referenceBatch);
        } else if (referenceBatch != null) {
            throw new SpecException("reference_batch", "applies only with lr_scaling: linear; remove it or set "
                    + "lr_scaling: linear");
        }
    }

    public boolean linear() {
        return rule.equals("linear");
    }

    /** The factor on the base rate for {@code globalBatch} samples per update: 1, or {@code B / B_ref}. */
    public double factor(long globalBatch) {
        if (globalBatch <= 0) {
            throw new IllegalArgumentException("global batch must be > 0, got " + globalBatch);
        }
        return linear() ? (double) globalBatch / referenceBatch : 1.0;
    }

    /** {@code "none"} or {@code "linear x2 (512 / reference_batch 256)"}, for messages. */
    public String describe(long globalBatch) {
        if (!linear()) {
            return "none";
        }
        return "linear x" + Format.number(factor(globalBatch)) + " (global batch " + globalBatch
                + " / reference_batch " + referenceBatch + ")";
    }
}
