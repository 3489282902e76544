package dev.anneal.model;

/**
 * The initial value of one weight or bias of a {@code linear} or {@code conv2d} layer by {@code model.init}
 * ({@link ModelSpec}), drawn from a {@link SplitMix64}; {@code fanIn} and {@code fanOut} count the receptive field
 * of a convolution ({@code in_channels * kH * kW}, {@code out_channels * kH * kW}).
 */
final class WeightInit {
    private WeightInit() {
    }

    /** kaiming N(0, 2/fan_in), xavier U(-a, a) with a = sqrt(6/(fan_in+fan_out)), pytorch U(-1/sqrt(fan_in), ...). */
    static float weight(String init, SplitMix64 rng, int fanIn, int fanOut) {
        return (float) switch (init) {
            case "kaiming" -> rng.nextGaussian() * Math.sqrt(2.0 / fanIn);
            case "xavier" -> (2 * rng.nextDouble() - 1) * Math.sqrt(6.0 / (fanIn + fanOut));
            case "pytorch" -> (2 * rng.nextDouble() - 1) / Math.sqrt(fanIn);
            default -> throw new IllegalArgumentException("unknown init " + init);
        };
    }

    /** pytorch U(-1/sqrt(fan_in), 1/sqrt(fan_in)); 0 (no draw) for kaiming and xavier. */
    static float bias(String init, SplitMix64 rng, int fanIn) {
        return init.equals("pytorch") ? (float) ((2 * rng.nextDouble() - 1) / Math.sqrt(fanIn)) : 0f;
    }

    /** Fills {@code host[offset ..)} with {@code count} weights then, when {@code biasOffset >= 0}, the biases. */
    static void fill(String init, SplitMix64 rng, float[] host, long offset, long count, long biasOffset, int biases,
                     int fanIn, int fanOut) {
        for (long i = 0; i < count; i++) {
            host[(int) (offset + i)] = weight(init, rng, fanIn, fanOut);
        }
        if (biasOffset >= 0) {
            for (int i = 0; i < biases; i++) {
                host[(int) (biasOffset + i)] = bias(init, rng, fanIn);
            }
        }
    }
}
