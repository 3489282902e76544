package dev.anneal.config;

import dev.anneal.data.DataSpec;
import dev.anneal.model.ModelPlan;
import dev.anneal.spec.SpecException;
import java.util.Optional;

/**
 * The model's layers against the data's sample shape where a config alone tells it: MNIST and Fashion-MNIST
 * images are {@code [1, 28, 28]} in 10 classes, synthetic data {@code [data.features]} in {@code data.classes};
 * your own files ({@code npz}, {@code npy}, {@code csv}, {@code image_folder}) are checked when the run reads them.
 */
public final class ModelShapes {
    private ModelShapes() {
    }

    /** The sample shape and classes a config's data has before its files are read, or empty. */
    public static Optional<int[]> knownShape(AnnealConfig config) {
        DataSpec data = config.data();
        if (DataSpec.SYNTHETIC.equals(data.dataset())) {
            return Optional.of(new int[] {Math.toIntExact(data.features())});
        }
        if (DataSpec.FASHION_MNIST.equals(data.dataset()) || DataSpec.MNIST.equals(data.dataset())) {
            return Optional.of(new int[] {1, 28, 28});
        }
        return Optional.empty();
    }

    /** The classes a config's data has before its files are read (meaningful with {@link #knownShape}). */
    public static int knownClasses(AnnealConfig config) {
        DataSpec data = config.data();
        return DataSpec.SYNTHETIC.equals(data.dataset()) ? Math.toIntExact(data.classes()) : 10;
    }

    /** The first layer that does not fit the data, as its key under {@code model} and the problem; else empty. */
    public static Optional<SpecException> check(AnnealConfig config) {
        Optional<int[]> shape = knownShape(config);
        if (shape.isEmpty()) {
            return Optional.empty();
        }
        try {
            ModelPlan.of(config.model(), shape.get(), knownClasses(config));
            return Optional.empty();
        } catch (SpecException e) {
            return Optional.of(e.under("model"));
        }
    }

    /** The plan of the config's model for its known data shape, if the data's shape is known and the layers fit. */
    public static Optional<ModelPlan> plan(AnnealConfig config) {
        return knownShape(config).flatMap(s -> {
            try {
                return Optional.of(ModelPlan.of(config.model(), s, knownClasses(config)));
            } catch (SpecException e) {
                return Optional.empty();
            }
        });
    }
}
