package dev.anneal.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.cpu.CpuBackend;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InitializationTest {
    /**
     * The MLP's initialisation as it was written before the layer stack: one SplitMix64, layer after layer, all
     * weights then the biases (drawn for pytorch only); the sequential MLP must draw exactly these bits.
     */
    private static float[] classicMlp(String init, long seed, int... widths) {
        SplitMix64 rng = new SplitMix64(seed);
        int size = 0;
        for (int l = 0; l + 1 < widths.length; l++) {
            size += widths[l + 1] * widths[l] + widths[l + 1];
        }
        float[] host = new float[size];
        int at = 0;
        for (int l = 0; l + 1 < widths.length; l++) {
            int in = widths[l];
            int out = widths[l + 1];
            for (int i = 0; i < out * in; i++) {
                host[at++] = (float) switch (init) {
                    case "kaiming" -> rng.nextGaussian() * Math.sqrt(2.0 / in);
                    case "xavier" -> (2 * rng.nextDouble() - 1) * Math.sqrt(6.0 / (in + out));
                    default -> (2 * rng.nextDouble() - 1) / Math.sqrt(in);
                };
            }
            for (int i = 0; i < out; i++) {
                host[at++] = init.equals("pytorch") ? (float) ((2 * rng.nextDouble() - 1) / Math.sqrt(in)) : 0f;
            }
        }
        return host;
    }

    @ParameterizedTest
    @ValueSource(strings = {"kaiming", "xavier", "pytorch"})
    void anMlpDrawsTheBitsItAlwaysDrew(String init) {
        CpuBackend b = new CpuBackend();
        try (Sequential m = Sequential.create(b, ModelSpec.mlp(List.of(10L, 6L), "relu", init), new int[] {20}, 3, 4,
                4, 0, 0)) {
            m.initialize(init, 5);
            float[] got = new float[(int) m.size()];
            b.download(m.parameters(), 0, got, 0, got.length);
            assertArrayEquals(classicMlp(init, 5, 20, 10, 6, 3), got);
            m.initialize(init, 6);
            float[] other = new float[got.length];
            b.download(m.parameters(), 0, other, 0, other.length);
            assertTrue(!java.util.Arrays.equals(got, other), "another seed, other weights");
        }
    }

    private static Sequential conv(CpuBackend b, String init) {
        Sequential m = Sequential.create(b, SequentialGradientTest.spec("""
                type: sequential
                layers: [{type: conv2d, out_channels: 64, kernel_size: 3}, {type: batch_norm2d}, {type: flatten},
                         {type: linear}]
                """), new int[] {8, 5, 5}, 4, 2, 2, 0, 0);
        m.initialize(init, 11);
        return m;
    }

    @Test
    void pytorchInitDrawsConvWeightsAndBiasesUniformlyWithinOneOverRootFanIn() {
        CpuBackend b = new CpuBackend();
        try (Sequential m = conv(b, "pytorch")) {
            double bound = 1 / Math.sqrt(8 * 9);
            float[] w = m.read("0.weight");
            double max = 0;
            double sumSq = 0;
            for (float v : w) {
                max = Math.max(max, Math.abs(v));
                sumSq += v * v;
            }
            assertTrue(max <= bound && max > 0.95 * bound, "max |w| " + max + " of bound " + bound);
            assertEquals(bound * bound / 3, sumSq / w.length, 0.05 * bound * bound / 3, "variance of U(-a, a)");
            float[] bias = m.read("0.bias");
            assertTrue(java.util.Arrays.stream(toDoubles(bias)).allMatch(v -> Math.abs(v) <= bound && v != 0));
            assertBatchNormStartsAtOneAndZero(m);
        }
    }

    @Test
    void kaimingAndXavierCountTheReceptiveFieldAndStartBiasesAtZero() {
        CpuBackend b = new CpuBackend();
        try (Sequential m = conv(b, "kaiming")) {
            assertEquals(2.0 / (8 * 9), variance(m.read("0.weight")), 0.05 * 2.0 / (8 * 9));
            assertArrayEquals(new float[64], m.read("0.bias"));
            assertBatchNormStartsAtOneAndZero(m);
        }
        try (Sequential m = conv(b, "xavier")) {
            double a2 = 6.0 / (8 * 9 + 64 * 9);
            assertEquals(a2 / 3, variance(m.read("0.weight")), 0.05 * a2 / 3);
            assertArrayEquals(new float[64], m.read("0.bias"));
        }
    }

    private static void assertBatchNormStartsAtOneAndZero(Sequential m) {
        float[] ones = new float[64];
        java.util.Arrays.fill(ones, 1f);
        assertArrayEquals(ones, m.read("1.weight"));
        assertArrayEquals(new float[64], m.read("1.bias"));
        assertArrayEquals(new float[64], m.read("1.running_mean"));
        assertArrayEquals(ones, m.read("1.running_var"));
    }

    private static double variance(float[] w) {
        double s = 0;
        for (float v : w) {
            s += (double) v * v;
        }
        return s / w.length;
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
