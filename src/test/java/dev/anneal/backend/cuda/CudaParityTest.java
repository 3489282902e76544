package dev.anneal.backend.cuda;

import static dev.anneal.backend.cuda.Parity.assertBits;
import static dev.anneal.backend.cuda.Parity.assertClose;
import static dev.anneal.backend.cuda.Parity.get;
import static dev.anneal.backend.cuda.Parity.nans;
import static dev.anneal.backend.cuda.Parity.put;
import static dev.anneal.backend.cuda.Parity.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anneal.backend.Activation;
import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every CUDA op against the CPU backend on random inputs of awkward sizes (1, 31, 1025, 10^6 + 3), outputs
 * poisoned with NaN first and views placed inside larger NaN-filled buffers, so a write outside the view or a
 * missed output shows. Skips with the probe's reason where no CUDA device can be used.
 */
@Tag("gpu")
class CudaParityTest extends ParityFixture {
    static final int[] SIZES = {1, 31, 1025, 1_000_003};

    CudaParityTest() {
        super(CudaBackend.Gemm.AUTO);
    }

    /** 3_000_017 floats exceed both halves of the staging memory: transfers go in chunks. */
    @Test
    void transfersRoundTripAndNewBuffersAreZero() {
        Random r = new Random(1);
        for (int n : new int[] {1, 31, 1025, 1_000_003, 3_000_017}) {
            float[] host = random(r, n, 100);
            FloatArray x = gpu.allocate(n + 2L * PAD);
            assertBits("fresh buffer of " + n, new float[n + 2 * PAD], get(gpu, x));
            gpu.upload(host, 0, x, PAD, n);
            float[] back = new float[n + 1];
            gpu.download(x, PAD, back, 1, n);
            assertBits("round trip of " + n, host, java.util.Arrays.copyOfRange(back, 1, n + 1));
            x.close();
        }
        int[] labels = {3, 0, 7, 1};
        IntArray y = gpu.allocateInts(6);
        gpu.upload(labels, 1, y, 2, 3);
        y.close();
    }

    @Test
    void fillScaleAxpyAndCopyMatchTheCpu() {
        Random r = new Random(2);
        for (int n : SIZES) {
            float[] x = padded(random(r, n, 10));
            float[] y = padded(random(r, n, 10));
            float[][][] fill = both(new float[][] {nans(n + 2 * PAD)}, (b, v) -> b.fill(v[0], PAD, n, 2.5f));
            assertBits("fill " + n, fill[0][0], fill[1][0]);
            float[][][] scale = both(new float[][] {x}, (b, v) -> b.scale(v[0], PAD, n, -0.75f));
            assertBits("scale " + n, scale[0][0], scale[1][0]);
            float[][][] axpy = both(new float[][] {x, y}, (b, v) -> b.axpy(1.3f, v[0], PAD, v[1], PAD, n));
            assertClose("axpy " + n, axpy[0][1], axpy[1][1], 1e-6, 1e-6);
            float[][][] copy = both(new float[][] {x, y}, (b, v) -> b.copy(v[0], PAD, v[1], 0, n));
            assertBits("copy " + n, copy[0][1], copy[1][1]);
            float[][][] forward = both(new float[][] {x}, (b, v) -> b.copy(v[0], 0, v[0], 2, n));
            assertBits("overlapping copy forward " + n, forward[0][0], forward[1][0]);
            float[][][] backward = both(new float[][] {x}, (b, v) -> b.copy(v[0], 2, v[0], 0, n));
            assertBits("overlapping copy backward " + n, backward[0][0], backward[1][0]);
        }
    }

    @Test
    void squaredNormMatchesTheCpuAndHasTheSameBitsEveryRun() {
        Random r = new Random(3);
        for (int n : new int[] {0, 1, 31, 1025, 1_000_003}) {
            float[] x = padded(random(r, n, 3));
            float[][][] norm = both(new float[][] {x, nans(4)}, (b, v) -> b.squaredNorm(v[0], PAD, n, v[1], 1));
            assertClose("squaredNorm " + n, norm[0][1], norm[1][1], 0, 1e-6);
            float[][][] again = both(new float[][] {x, nans(4)}, (b, v) -> b.squaredNorm(v[0], PAD, n, v[1], 1));
            assertBits("squaredNorm twice " + n, norm[1][1], again[1][1]);
        }
        float[] inf = random(r, 1025, 1);
        inf[700] = Float.POSITIVE_INFINITY;
        assertEquals(Float.POSITIVE_INFINITY, both(new float[][] {inf, new float[1]},
                (b, v) -> b.squaredNorm(v[0], 0, 1025, v[1], 0))[1][1][0]);
        inf[3] = Float.NaN;
        assertEquals(Float.NaN, both(new float[][] {inf, new float[1]},
                (b, v) -> b.squaredNorm(v[0], 0, 1025, v[1], 0))[1][1][0]);
    }

    @Test
    void gemmMatchesTheCpuInEveryTransposeCaseOnBothSgemms() {
        try (CudaBackend kernels = Parity.openOrSkip(CudaBackend.Gemm.KERNELS)) {
            gemmParity(gpu);
            gemmParity(kernels);
        }
    }

    private void gemmParity(CudaBackend device) {
        Random r = new Random(4);
        int[][] shapes = {{1, 1, 1}, {31, 1025, 7}, {129, 31, 257}, {1025, 130, 33}, {7, 1, 1025}, {300, 260, 0}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (float beta : new float[] {0f, 0.5f}) {
                        float[] a = padded(random(r, m * k, 1));
                        float[] b = padded(random(r, k * n, 1));
                        float[] c = padded(beta == 0 ? nans(m * n) : random(r, m * n, 1));
                        String what = device.gemmImplementation() + " " + m + "x" + n + "x" + k + (ta ? " tA" : "")
                                + (tb ? " tB" : "") + " beta " + beta;
                        float[][][] out = both(device, new float[][] {a, b, c}, (be, v) -> be.gemm(ta, tb, 1.25f,
                                ta ? new Mat(v[0], PAD, k, m) : new Mat(v[0], PAD, m, k),
                                tb ? new Mat(v[1], PAD, n, k) : new Mat(v[1], PAD, k, n), beta,
                                new Mat(v[2], PAD, m, n)));
                        assertClose(what, out[0][2], out[1][2], 2e-6 * k + 1e-6, 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void biasActivationAndItsBackwardMatchTheCpu() {
        Random r = new Random(5);
        int[][] shapes = {{1, 1}, {31, 1025}, {1025, 31}, {977, 1031}};
        for (int[] s : shapes) {
            int rows = s[0];
            int cols = s[1];
            int n = rows * cols;
            for (Activation act : Activation.values()) {
                float[] z = padded(random(r, n, 4));
                float[] bias = padded(random(r, cols, 1));
                float[] grad = padded(random(r, n, 1));
                String what = act.configName() + " " + rows + "x" + cols;
                float[][][] apart = both(new float[][] {z, bias, padded(nans(n))}, (b, v) -> b.biasActivation(
                        new Mat(v[0], PAD, rows, cols), new Mat(v[1], PAD, 1, cols), act,
                        new Mat(v[2], PAD, rows, cols)));
                assertBits("biasActivation z " + what, apart[0][0], apart[1][0]);
                assertClose("biasActivation out " + what, apart[0][2], apart[1][2], 1e-6, 1e-5);
                float[][][] inPlace = both(new float[][] {z, bias}, (b, v) -> b.biasActivation(
                        new Mat(v[0], PAD, rows, cols), new Mat(v[1], PAD, 1, cols), act,
                        new Mat(v[0], PAD, rows, cols)));
                assertClose("biasActivation in place " + what, inPlace[0][0], inPlace[1][0], 1e-6, 1e-5);
                float[][][] back = both(new float[][] {z, grad}, (b, v) -> b.activationBackward(act,
                        new Mat(v[0], PAD, rows, cols), new Mat(v[1], PAD, rows, cols)));
                assertClose("activationBackward " + what, back[0][1], back[1][1], 1e-6, 1e-5);
            }
        }
    }

    @Test
    void columnSumsMatchTheCpu() {
        Random r = new Random(6);
        int[][] shapes = {{1, 1}, {1025, 31}, {31, 1025}, {3, 333_334}, {0, 5}};
        for (int[] s : shapes) {
            int rows = s[0];
            int cols = s[1];
            for (boolean accumulate : new boolean[] {false, true}) {
                float[] m = padded(random(r, rows * cols, 2));
                float[] out = padded(accumulate ? random(r, cols, 1) : nans(cols));
                float[][][] sums = both(new float[][] {m, out}, (b, v) -> b.columnSums(new Mat(v[0], PAD, rows, cols),
                        new Mat(v[1], PAD, 1, cols), accumulate));
                assertClose("columnSums " + rows + "x" + cols + (accumulate ? " +=" : ""), sums[0][1], sums[1][1],
                        1e-6, 1e-6);
            }
        }
    }

    @Test
    void softmaxCrossEntropyMatchesTheCpu() {
        Random r = new Random(7);
        for (int rows : new int[] {0, 1, 31, 1025, 4099}) {
            for (int cols : new int[] {1, 10, 31, 1025}) {
                int[] labels = new int[rows + 2];
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = r.nextInt(cols);
                }
                float[] logits = padded(random(r, rows * cols, 12));
                for (boolean withGrad : new boolean[] {true, false}) {
                    float[][] results = new float[4][];
                    Backend[] backends = {cpu, gpu};
                    for (int k = 0; k < 2; k++) {
                        Backend b = backends[k];
                        FloatArray l = put(b, logits);
                        FloatArray g = put(b, padded(nans(rows * cols)));
                        FloatArray stats = put(b, nans(4));
                        IntArray y = b.allocateInts(labels.length);
                        b.upload(labels, 0, y, 0, labels.length);
                        b.softmaxCrossEntropy(new Mat(l, PAD, rows, cols), y, 2, 1f / Math.max(1, rows),
                                withGrad ? new Mat(g, PAD, rows, cols) : null, stats, 1);
                        results[2 * k] = get(b, stats);
                        results[2 * k + 1] = get(b, g);
                        l.close();
                        g.close();
                        stats.close();
                        y.close();
                    }
                    String what = rows + "x" + cols + (withGrad ? " with grad" : "");
                    assertClose("loss sum " + what, new float[] {results[0][1]}, new float[] {results[2][1]}, 1e-5,
                            1e-5);
                    assertEquals(results[0][2], results[2][2], "correct count " + what);
                    assertBits("untouched stats " + what, new float[] {results[0][0], results[0][3]},
                            new float[] {results[2][0], results[2][3]});
                    assertClose("grad " + what, results[1], results[3], 1e-7, 1e-5);
                }
            }
        }
    }

    @Test
    void finalizeStepScalarsComputesTheClipCoefficientAndSkipFlag() {
        float[][] cases = {{4f, 1f}, {0.25f, 1f}, {4f, 0f}, {Float.POSITIVE_INFINITY, 1f}, {Float.NaN, 0f}};
        for (float[] c : cases) {
            FloatArray norm = put(gpu, new float[] {0f, c[0]});
            FloatArray scalars = put(gpu, nans(dev.anneal.backend.StepScalars.SIZE));
            gpu.finalizeStepScalars(norm, 1, c[1], scalars);
            float[] s = get(gpu, scalars);
            boolean finite = Float.isFinite(c[0]);
            float coef = finite && c[1] > 0f ? Math.min(1f, c[1] / ((float) Math.sqrt(c[0]) + 1e-6f)) : 1f;
            assertBits("finalize " + c[0] + ", max " + c[1], new float[] {finite ? 0f : 1f, coef},
                    new float[] {s[dev.anneal.backend.StepScalars.SKIP], s[dev.anneal.backend.StepScalars.GRAD_SCALE]});
            norm.close();
            scalars.close();
        }
    }

    @Test
    void finalizeStepScalarsPicksTheRowOfThePreviousStepsOutcomeAsTheCpuDoes() {
        int size = dev.anneal.backend.StepScalars.SIZE;
        for (float previous : new float[] {0f, 1f}) {
            for (float normSquared : new float[] {2.25f, Float.NaN}) {
                float[] host = new float[size];
                for (int i = 0; i < size; i++) {
                    host[i] = 100 + i;
                }
                host[dev.anneal.backend.StepScalars.SPECULATIVE] = 1f;
                host[dev.anneal.backend.StepScalars.APPLIED] = previous;
                FloatArray norm = put(gpu, new float[] {normSquared});
                FloatArray scalars = put(gpu, host);
                gpu.finalizeStepScalars(norm, 0, 0.5f, scalars);
                FloatArray cpuNorm = put(cpu, new float[] {normSquared});
                FloatArray cpuScalars = put(cpu, host);
                cpu.finalizeStepScalars(cpuNorm, 0, 0.5f, cpuScalars);
                float[] s = get(gpu, scalars);
                assertBits("previous " + previous + ", norm^2 " + normSquared, get(cpu, cpuScalars), s);
                int row = previous != 0 ? dev.anneal.backend.StepScalars.IF_APPLIED
                        : dev.anneal.backend.StepScalars.IF_SKIPPED;
                assertEquals(row + dev.anneal.backend.StepScalars.LR + 100f, s[dev.anneal.backend.StepScalars.LR]);
                assertEquals(Float.isFinite(normSquared) ? 1f : 0f, s[dev.anneal.backend.StepScalars.APPLIED]);
                for (FloatArray a : new FloatArray[] {norm, scalars, cpuNorm, cpuScalars}) {
                    a.close();
                }
            }
        }
    }

    @Test
    void misuseFailsOnTheHost() {
        FloatArray x = gpu.allocate(4);
        x.close();
        assertThrows(IllegalStateException.class, () -> gpu.scale(x, 0, 4, 2f));
        assertThrows(IllegalArgumentException.class, () -> gpu.scale(cpu.allocate(4), 0, 4, 2f));
        CudaBackend other = Parity.openOrSkip(CudaBackend.Gemm.KERNELS);
        FloatArray kept = other.allocate(8);
        other.close();
        assertThrows(IllegalStateException.class, () -> other.allocate(1));
        assertThrows(IllegalStateException.class, kept::length, "buffers die with their backend");
        kept.close();
    }
}
