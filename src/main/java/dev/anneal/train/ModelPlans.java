package dev.anneal.train;

import dev.anneal.config.AnnealConfig;
import dev.anneal.data.SplitMix64;
import dev.anneal.model.ModelPlan;
import dev.anneal.spec.BadInput;
import dev.anneal.spec.SpecException;
import java.util.Arrays;

/** The model a run's config describes for its data, and the run's seeds that belong to the model. */
public final class ModelPlans {
    /** The stream of the run's seed that seeds dropout masks ({@link SplitMix64#derive}): "drop" in ASCII. */
    static final long DROPOUT_STREAM = 0x64726f70L;

    private ModelPlans() {
    }

    /**
     * The plan of {@code config.model()} for samples of {@code sampleShape} and {@code classes} classes.
     *
     * @throws BadInput when the layers do not fit the data: one line naming the key,
     *     {@code model.layers[3].kernel_size: 7 does not fit the 5x5 input of this layer (data: [1, 28, 28], 10
     *     classes)}
     */
    public static ModelPlan of(AnnealConfig config, int[] sampleShape, int classes) {
        try {
            return ModelPlan.of(config.model(), sampleShape, classes);
        } catch (SpecException e) {
            throw new BadInput("model." + e.key() + ": " + e.problem() + " (data: samples " + Arrays.toString(
                    sampleShape) + ", " + classes + " classes)");
        }
    }

    /** Floats per sample the model reads. */
    static long features(ModelPlan plan) {
        return plan.inputSize();
    }

    /** The seed of the dropout masks: the run's seed ({@code train.seed}) split for dropout. */
    public static long dropoutSeed(AnnealConfig config) {
        return SplitMix64.derive(config.train().seed(), DROPOUT_STREAM);
    }
}
