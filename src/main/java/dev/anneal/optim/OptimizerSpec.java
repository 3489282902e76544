package dev.anneal.optim;

/**
 * The hyperparameters of one optimizer type ({@code optimizer.type}): an immutable, validated record, kept apart
 * from the optimizer's state (optax {@code GradientTransformation} vs {@code ScaleByAdamState}).
 */
public interface OptimizerSpec {
    /**
     * The configured base learning rate {@code optimizer.lr}. The schedule scales
     * {@code AnnealConfig.effectiveLr()}: this rate times the {@link LrScaling} factor of
     * {@code optimizer.lr_scaling} (1 unless {@code linear}).
     */
    Double lr();

    /** The momentum (SGD, RMSprop) or beta1 (Adam, AdamW) configured; a schedule may cycle it per update. */
    double configuredMomentum();
}
