package dev.anneal.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anneal.backend.Activation;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link CpuBackend#activation}: {@code act(z)} without a bias, the same bits as the fused bias + activation
 * with a zero bias (a NaN included, which both carry through), close to {@link ReferenceOps} (whose relu maps
 * NaN to 0, so element 0 is left out there), into a separate output and in place, single- and multi-threaded
 * sizes.
 */
class ActivationTest {
    private final CpuBackend cpu = new CpuBackend();
    private final Random random = new Random(16);

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationIsTheFusedOpWithAZeroBias(Activation act) {
        for (int[] s : new int[][] {{1, 1}, {3, 7}, {128, 512}, {1100, 1000}}) {
            int rows = s[0];
            int cols = s[1];
            float[] z = TestData.uniform(random, rows * cols, 4f);
            z[0] = Float.NaN;
            FloatArray zb = cpu.allocate(z.length + 2);
            cpu.upload(z, 0, zb, 1, z.length);
            FloatArray ob = cpu.allocate(z.length);
            cpu.activation(act, new Mat(zb, 1, rows, cols), new Mat(ob, 0, rows, cols));
            float[] fused = new float[z.length];
            CpuActivations.biasActivation(z.clone(), 0, rows, cols, new float[cols], 0, act, fused, 0);
            String what = act + " " + rows + "x" + cols;
            sameValues(what + " against the fused op", fused, CpuBackend.f(ob));
            float[] reference = new float[z.length];
            ReferenceOps.biasActivation(z.clone(), 0, rows, cols, new float[cols], 0, act, reference, 0);
            FloatParity.assertClose(what + " against the reference", reference, 1, CpuBackend.f(ob), 1,
                    z.length - 1, cols, 2e-7, 1e-7);
            cpu.activation(act, new Mat(zb, 1, rows, cols), new Mat(zb, 1, rows, cols));
            sameValues(what + " in place", CpuBackend.f(ob),
                    java.util.Arrays.copyOfRange(CpuBackend.f(zb), 1, 1 + z.length));
        }
    }

    /** The same bits, any NaN counting as one value (its payload may change with the JIT's code shape). */
    private static void sameValues(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                org.junit.jupiter.api.Assertions.fail(what + ": first difference at [" + i + "]: " + expected[i]
                        + " vs " + actual[i]);
            }
        }
    }

    @Test
    void outputMustMatchAndNotPartlyOverlap() {
        FloatArray b = cpu.allocate(20);
        assertThrows(IllegalArgumentException.class,
                () -> cpu.activation(Activation.RELU, new Mat(b, 0, 2, 5), new Mat(b, 10, 5, 2)));
        assertThrows(IllegalArgumentException.class,
                () -> cpu.activation(Activation.RELU, new Mat(b, 0, 2, 5), new Mat(b, 3, 2, 5)));
    }
}
