package dev.anneal.backend.cuda;

import static dev.anneal.backend.cuda.Parity.assertBits;
import static dev.anneal.backend.cuda.Parity.assertClose;
import static dev.anneal.backend.cuda.Parity.get;
import static dev.anneal.backend.cuda.Parity.nans;
import static dev.anneal.backend.cuda.Parity.put;
import static dev.anneal.backend.cuda.Parity.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.StepGraph;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Anneal's SGEMM kernels in every tile and split-K plan against the CPU backend: sizes that are multiples of no
 * tile, more K slices than K, every transpose case, beta 0 over a NaN-filled C and beta 1 accumulating, views
 * inside NaN-filled buffers (a write outside the view shows); the rule's split plans for 132 SMs on GEMMs of the
 * default models' steps; the same bits on every run and in a replayed CUDA graph (the workspace is never
 * allocated during a capture, which would fail it). Skips with the probe's reason where no CUDA device can be used.
 */
@Tag("gpu")
class GemmPlanParityTest extends ParityFixture {
    GemmPlanParityTest() {
        super(CudaBackend.Gemm.KERNELS);
    }

    /** One product: C = 1.25 op(A) op(B) + beta C. */
    private record Product(boolean transA, boolean transB, int m, int n, int k, float beta) {
        String describe() {
            return m + "x" + n + "x" + k + (transA ? " tA" : "") + (transB ? " tB" : "") + " beta " + beta;
        }

        Mat a(FloatArray x) {
            return transA ? new Mat(x, PAD, k, m) : new Mat(x, PAD, m, k);
        }

        Mat b(FloatArray x) {
            return transB ? new Mat(x, PAD, n, k) : new Mat(x, PAD, k, n);
        }

        Mat c(FloatArray x) {
            return new Mat(x, PAD, m, n);
        }

        /** A, B and C (NaN for beta 0), each inside NaN padding. */
        float[][] inputs(Random r) {
            return new float[][] {padded(random(r, m * k, 1)), padded(random(r, k * n, 1)),
                    padded(beta == 0 ? nans(m * n) : random(r, m * n, 1))};
        }
    }

    @Test
    void everyTileAndSplitMatchesTheCpuInEveryTransposeCase() {
        Random r = new Random(31);
        // {M, N, K}: multiples of no tile; K = 3 below 7 slices; K = 300 across several K steps of every tile.
        int[][] shapes = {{130, 37, 19}, {1, 1, 1}, {65, 129, 300}, {33, 7, 3}};
        for (int[] s : shapes) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (float beta : new float[] {0f, 1f}) {
                        Product p = new Product(ta, tb, s[0], s[1], s[2], beta);
                        float[][] in = p.inputs(r);
                        float[] want = cpu(p, in);
                        for (GemmTile tile : GemmTile.values()) {
                            for (int slices : new int[] {1, 2, 7}) {
                                GemmPlan plan = new GemmPlan(tile, slices);
                                assertClose(plan + " " + p.describe(), want, kernels(plan, p, in),
                                        2e-6 * p.k() + 1e-6, 1e-5);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void theRulesSplitPlansOnTheDefaultModelsGemmsMatchTheCpu() {
        Random r = new Random(32);
        // conv1's weight gradient (dW += dY^T col), the MLP's first forward product and its second weight gradient.
        Product[] products = {new Product(true, false, 32, 9, 100352, 1f), new Product(false, true, 128, 512, 784, 0f),
                new Product(true, false, 256, 512, 128, 1f)};
        String[] plans = {"32x32 tiles, K in 132 slices", "32x32 tiles, K in 3 slices", "32x32 tiles, K in 2 slices"};
        for (int i = 0; i < products.length; i++) {
            Product p = products[i];
            GemmPlan plan = GemmPlan.choose(p.m(), p.n(), p.k(), 132);
            assertEquals(plans[i], plan.toString(), p.describe() + " on 132 SMs");
            float[][] in = p.inputs(r);
            assertClose(plan + " " + p.describe(), cpu(p, in), kernels(plan, p, in), 2e-6 * p.k() + 1e-6, 1e-5);
        }
    }

    @Test
    void aSplitGemmGivesTheSameBitsOnEveryRunAndInAReplayedGraph() {
        Random r = new Random(33);
        Product p = new Product(true, false, 32, 9, 4096, 1f);
        GemmPlan plan = GemmPlan.choose(p.m(), p.n(), p.k(), 132);
        assertEquals(new GemmPlan(GemmTile.T32X32, 64), plan);
        float[][] in = p.inputs(r);
        float[] first = kernels(plan, p, in);
        assertBits("second run of " + plan, first, kernels(plan, p, in));
        FloatArray[] v = new FloatArray[in.length];
        for (int i = 0; i < in.length; i++) {
            v[i] = put(gpu, in[i]);
        }
        try (StepGraph graph = gpu.capture(() -> gpu.gemm(plan, p.transA(), p.transB(), 1.25f, p.a(v[0]),
                p.b(v[1]), p.beta(), p.c(v[2])))) {
            assertBits("capturing runs nothing", in[2], get(gpu, v[2]));
            graph.replay();
            assertBits("replayed graph of " + plan, first, get(gpu, v[2]));
        }
        for (FloatArray x : v) {
            x.close();
        }
    }

    /** C after the product on the CPU backend. */
    private float[] cpu(Product p, float[][] in) {
        FloatArray[] v = new FloatArray[in.length];
        for (int i = 0; i < in.length; i++) {
            v[i] = put(cpu, in[i]);
        }
        cpu.gemm(p.transA(), p.transB(), 1.25f, p.a(v[0]), p.b(v[1]), p.beta(), p.c(v[2]));
        float[] out = get(cpu, v[2]);
        for (FloatArray x : v) {
            x.close();
        }
        return out;
    }

    private float[] kernels(GemmPlan plan, Product p, float[][] in) {
        FloatArray[] v = new FloatArray[in.length];
        for (int i = 0; i < in.length; i++) {
            v[i] = put(gpu, in[i]);
        }
        gpu.gemm(plan, p.transA(), p.transB(), 1.25f, p.a(v[0]), p.b(v[1]), p.beta(), p.c(v[2]));
        float[] out = get(gpu, v[2]);
        for (FloatArray x : v) {
            x.close();
        }
        return out;
    }
}
