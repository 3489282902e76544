package dev.anneal.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every SGEMM implementation this machine has (the native BLAS when it loads, the pure-Java fallback always)
 * against {@link ReferenceGemm}: all four transpose combinations, awkward sizes, alpha/beta variants, padded
 * leading dimensions and offsets inside larger buffers.
 */
class GemmParityTest {
    /**
     * {m, n, k}: ones, primes, 1025, non-square, the MLP's last layer, shapes big enough to split, and small
     * products over a long k (with {@code transA} and not {@code transB}: {@link SkinnyGemm}'s chunks, the last one
     * short) and tall ones over a tiny k (without {@code transA}: its blocks of rows, the last one short).
     */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 31, 1}, {31, 1, 17}, {31, 17, 5}, {1025, 3, 31}, {7, 1025, 13}, {5, 9, 1025},
        {128, 10, 256}, {200, 97, 64}, {33, 1025, 64}, {32, 9, 10241}, {3, 7, SkinnyGemm.LONG_K},
        {SkinnyGemm.TALL_M + 1000, 32, 9}, {SkinnyGemm.TALL_M, 3, 1},
    };
    /** {alpha, beta}: beta = 0 runs with C full of NaN, which must be ignored. */
    private static final float[][] ALPHA_BETA = {{1f, 0f}, {0.5f, 1f}, {-2f, 0.25f}, {1f, -1f}, {0f, 0.5f}};

    static Map<String, GemmKernel> kernels() {
        Map<String, GemmKernel> kernels = new LinkedHashMap<>();
        CpuGemm.nativeBlas().ifPresent(k -> kernels.put("native", k));
        kernels.put("java", CpuGemm.pureJava());
        return kernels;
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String kernel : kernels().keySet()) {
            for (int t = 0; t < 4; t++) {
                for (int[] s : SHAPES) {
                    cases.add(Arguments.of(kernel, (t & 2) != 0, (t & 1) != 0, s[0], s[1], s[2]));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} transA={1} transB={2} {3}x{4}x{5}")
    @MethodSource("cases")
    void matchesTheReferenceLoopWithPaddedStridesAndOffsets(String kernelName, boolean transA, boolean transB,
                                                            int m, int n, int k) {
        GemmKernel kernel = kernels().get(kernelName);
        Random random = new Random(31L * m + 7L * n + k + (transA ? 1000 : 0) + (transB ? 2000 : 0));
        int lda = (transA ? m : k) + 3;
        int ldb = (transB ? k : n) + 1;
        int ldc = n + 2;
        int aOff = 5;
        int bOff = 7;
        int cOff = 11;
        float[] a = TestData.uniform(random, aOff + (transA ? k : m) * lda + 4, 1f);
        float[] b = TestData.uniform(random, bOff + (transB ? n : k) * ldb + 4, 1f);
        for (float[] ab : ALPHA_BETA) {
            float alpha = ab[0];
            float beta = ab[1];
            float[] c = TestData.uniform(random, cOff + m * ldc + 4, 1f);
            if (beta == 0f) {
                Arrays.fill(c, Float.NaN);
            }
            float[] expected = c.clone();
            ReferenceGemm.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, expected, cOff, ldc);
            float[] aBefore = a.clone();
            float[] bBefore = b.clone();
            CpuGemm.gemm(kernel, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            // The whole buffer: the padding between and around C's rows must be untouched (still NaN or random).
            FloatParity.assertClose(kernel.name() + " alpha=" + alpha + " beta=" + beta, expected, c, 1e-5,
                    2e-6 * (k + 1) * Math.max(1f, Math.abs(alpha)));
            FloatParity.assertSameBits("A is read only", aBefore, a);
            FloatParity.assertSameBits("B is read only", bBefore, b);
        }
    }

    @Test
    void smallProductsOverALongKAreTheChunksProductsAddedInChunkOrder() {
        int m = 32;
        int n = 9;
        int k = 2 * SkinnyGemm.CHUNK * 2 + 777;
        assertTrue(SkinnyGemm.isSmallCLongK(true, false, m, n, k));
        assertFalse(SkinnyGemm.isSmallCLongK(true, true, m, n, k));
        assertFalse(SkinnyGemm.isSmallCLongK(true, false, 64, 288, k));
        assertFalse(SkinnyGemm.isSmallCLongK(true, false, m, n, SkinnyGemm.LONG_K - 1));
        Random random = new Random(5);
        float[] a = TestData.uniform(random, k * m, 1f);
        float[] b = TestData.uniform(random, k * n, 1f);
        for (GemmKernel kernel : kernels().values()) {
            float[] sum = new float[m * n];
            for (int r0 = 0; r0 < k; r0 += SkinnyGemm.CHUNK) {
                float[] p = new float[m * n];
                kernel.gemm(true, false, m, n, Math.min(SkinnyGemm.CHUNK, k - r0), 1f, a, r0 * m, m, b, r0 * n, n, 0f,
                        p, 0, n);
                for (int e = 0; e < sum.length; e++) {
                    sum[e] += p[e];
                }
            }
            float[] c = TestData.uniform(random, m * n, 1f);
            float[] expected = new float[m * n];
            for (int e = 0; e < expected.length; e++) {
                expected[e] = 0.5f * sum[e] + 2f * c[e];
            }
            CpuGemm.gemm(kernel, true, false, m, n, k, 0.5f, a, 0, m, b, 0, n, 2f, c, 0, n);
            FloatParity.assertSameBits(kernel.name(), expected, c);
        }
    }

    @Test
    void tallProductsOverATinyKAreTheirBlocksCalls() {
        int m = 3 * SkinnyGemm.TALL_M + 17;
        int n = 32;
        int k = 9;
        assertTrue(SkinnyGemm.isTallTinyK(false, m, n, k));
        assertFalse(SkinnyGemm.isTallTinyK(true, m, n, k));
        assertFalse(SkinnyGemm.isTallTinyK(false, SkinnyGemm.TALL_M - 1, n, k));
        assertFalse(SkinnyGemm.isTallTinyK(false, m, n, SkinnyGemm.TINY_K + 1));
        assertFalse(SkinnyGemm.isTallTinyK(false, m, 4096, k));
        Random random = new Random(9);
        float[] a = TestData.uniform(random, m * k, 1f);
        for (boolean transB : new boolean[] {false, true}) {
            float[] b = TestData.uniform(random, k * n, 1f);
            int ldb = transB ? k : n;
            int rows = (int) (SkinnyGemm.BLOCK_MNK / (n * k));
            for (GemmKernel kernel : kernels().values()) {
                float[] c = TestData.uniform(random, m * n, 1f);
                float[] blocks = c.clone();
                for (int r0 = 0; r0 < m; r0 += rows) {
                    kernel.gemm(false, transB, Math.min(rows, m - r0), n, k, 0.5f, a, r0 * k, k, b, 0, ldb, -1f,
                            blocks, r0 * n, n);
                }
                float[] oneCall = c.clone();
                kernel.gemm(false, transB, m, n, k, 0.5f, a, 0, k, b, 0, ldb, -1f, oneCall, 0, n);
                CpuGemm.gemm(kernel, false, transB, m, n, k, 0.5f, a, 0, k, b, 0, ldb, -1f, c, 0, n);
                FloatParity.assertSameBits(kernel.name() + " transB=" + transB, blocks, c);
                FloatParity.assertClose(kernel.name() + " transB=" + transB, oneCall, c, 1e-6, 1e-6);
            }
        }
    }

    @Test
    void emptyInnerDimensionScalesCByBetaAndBetaZeroClearsNaN() {
        for (GemmKernel kernel : kernels().values()) {
            float[] c = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
            CpuGemm.gemm(kernel, false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0f, c, 0, 2);
            FloatParity.assertSameBits(kernel.name() + " k=0, beta=0", new float[4], c);
            float[] d = {1f, 2f, 3f, 4f};
            CpuGemm.gemm(kernel, true, true, 2, 2, 0, 1f, new float[0], 0, 2, new float[0], 0, 1, 2f, d, 0, 2);
            FloatParity.assertSameBits(kernel.name() + " k=0, beta=2", new float[] {2f, 4f, 6f, 8f}, d);
        }
    }

    @Test
    void backendGemmAddressesViewsInsideOneSharedBuffer() {
        CpuBackend cpu = new CpuBackend();
        Random random = new Random(3);
        int m = 31;
        int n = 1025 / 5;
        int k = 17;
        FloatArray buf = cpu.allocate(10_000 + 3L * m * n);
        float[] all = CpuBackend.f(buf);
        for (int t = 0; t < 4; t++) {
            boolean transA = (t & 2) != 0;
            boolean transB = (t & 1) != 0;
            System.arraycopy(TestData.uniform(random, all.length, 1f), 0, all, 0, all.length);
            Mat a = transA ? new Mat(buf, 3, k, m) : new Mat(buf, 3, m, k);
            Mat b = transB ? new Mat(buf, 3 + m * k + 1, n, k) : new Mat(buf, 3 + m * k + 1, k, n);
            Mat c = new Mat(buf, 3 + m * k + 1 + k * n + 2, m, n);
            float[] expected = all.clone();
            ReferenceGemm.gemm(transA, transB, m, n, k, 0.75f, expected, (int) a.offset(), a.cols(), expected,
                    (int) b.offset(), b.cols(), -0.5f, expected, (int) c.offset(), c.cols());
            cpu.gemm(transA, transB, 0.75f, a, b, -0.5f, c);
            FloatParity.assertClose("backend gemm transA=" + transA + " transB=" + transB, expected, all, 1e-5,
                    2e-6 * (k + 1));
        }
    }

    @Test
    void backendGemmWithEmptyInnerDimensionOverwritesCWhenBetaIsZero() {
        CpuBackend cpu = new CpuBackend();
        FloatArray buf = cpu.allocate(12);
        cpu.fill(buf, 0, 12, Float.NaN);
        cpu.gemm(false, false, 1f, new Mat(buf, 0, 3, 0), new Mat(buf, 0, 0, 4), 0f, new Mat(buf, 0, 3, 4));
        float[] c = new float[12];
        cpu.download(buf, 0, c, 0, 12);
        FloatParity.assertSameBits("3x0 * 0x4, beta 0", new float[12], c);
    }

    @Test
    void repeatedGemmGivesIdenticalBits() {
        Random random = new Random(5);
        int m = 200;
        int n = 97;
        int k = 300;
        float[] a = TestData.uniform(random, m * k, 1f);
        float[] b = TestData.uniform(random, k * n, 1f);
        for (GemmKernel kernel : kernels().values()) {
            float[] first = new float[m * n];
            float[] second = new float[m * n];
            CpuGemm.gemm(kernel, false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, first, 0, n);
            CpuGemm.gemm(kernel, false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, second, 0, n);
            FloatParity.assertSameBits(kernel.name(), first, second);
        }
    }

    @Test
    void implementationNamesTheKernelInUse() {
        String name = CpuGemm.implementation();
        assertFalse(name.isBlank());
        if (CpuGemm.nativeBlas().isPresent()) {
            assertTrue(name.startsWith(CpuGemm.nativeBlas().get().name()), name);
            assertTrue(name.contains("JNI"), name);
        } else {
            assertTrue(name.startsWith(CpuGemm.pureJava().name()), name);
            assertEquals(name, CpuGemm.pureJava().name() + "; no native BLAS: " + CpuGemm.nativeBlasProblem().get());
        }
    }
}
