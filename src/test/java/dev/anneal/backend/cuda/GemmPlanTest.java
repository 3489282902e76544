package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The SGEMM plan rule ({@link GemmPlan#choose}) on every GEMM of the default MLP's and the default CNN's training
 * step on a 132-SM H100, and its invariants on random shapes and devices. No GPU: the rule is host arithmetic.
 */
class GemmPlanTest {
    private static final int H100_SMS = 132;

    /**
     * One GEMM of a training step: row-major C (M x N) = op(A) (M x K) op(B) (K x N), the plan the rule must
     * choose, and for a product that cannot launch a block per SM, why not (null when it must).
     */
    private record StepGemm(String what, boolean transA, boolean transB, int m, int n, int k, String plan,
                            String whyFewer) {
    }

    /** Small enough that K alone limits the split: slices = floor(K / 64) (or 1), and the product is tiny. */
    private static final String TOO_SMALL = "K / 64 limits the split and the whole product is under 1 MFLOP";

    /** MLP 784-512-256-10, batch 128; weight W[out, in]: forward X W^T (NT), dW += G^T X (TN), dX = G W (NN). */
    private static final List<StepGemm> MLP = List.of(
            new StepGemm("fc1 forward", false, true, 128, 512, 784, "32x32 tiles, K in 3 slices", null),
            new StepGemm("fc2 forward", false, true, 128, 256, 512, "32x32 tiles, K in 5 slices", null),
            new StepGemm("fc3 forward", false, true, 128, 10, 256, "32x32 tiles, K in 4 slices", TOO_SMALL),
            new StepGemm("fc3 weight grad", true, false, 10, 256, 128, "32x32 tiles, K in 2 slices", TOO_SMALL),
            new StepGemm("fc2 weight grad", true, false, 256, 512, 128, "32x32 tiles, K in 2 slices", null),
            new StepGemm("fc1 weight grad", true, false, 512, 784, 128, "32x32 tiles", null),
            new StepGemm("fc3 input grad", false, false, 128, 256, 10, "32x32 tiles", TOO_SMALL),
            new StepGemm("fc2 input grad", false, false, 128, 512, 256, "32x32 tiles, K in 3 slices", null));

    /**
     * CNN Conv2d(1,32,3,p1)-ReLU-MaxPool2d(2)-Conv2d(32,64,3,p1)-ReLU-MaxPool2d(2)-Flatten-Linear(3136,128)-ReLU-
     * Linear(128,10), batch 128, channels last, convolution by im2col: Y[N P, outC] = col[N P, patch] W^T (NT),
     * dW[outC, patch] += dY^T col (TN, K = N P), dcol[N P, patch] = dY W (NN). conv1: N P = 128 * 28 * 28 = 100352,
     * patch 9; conv2: N P = 128 * 14 * 14 = 25088, patch 288.
     */
    private static final List<StepGemm> CNN = List.of(
            new StepGemm("conv1 forward", false, true, 100352, 32, 9, "128x32 tiles", null),
            new StepGemm("conv1 weight grad", true, false, 32, 9, 100352, "32x32 tiles, K in 132 slices", null),
            new StepGemm("conv1 input grad (only where conv1 is not the first layer)", false, false, 100352, 9, 32,
                    "128x32 tiles", null),
            new StepGemm("conv2 forward", false, true, 25088, 64, 288, "64x64 tiles", null),
            new StepGemm("conv2 weight grad", true, false, 64, 288, 25088, "32x32 tiles, K in 8 slices", null),
            new StepGemm("conv2 input grad", false, false, 25088, 288, 64, "128x32 tiles", null),
            new StepGemm("fc1 forward", false, true, 128, 128, 3136, "32x32 tiles, K in 9 slices", null),
            new StepGemm("fc1 weight grad", true, false, 128, 3136, 128, "32x32 tiles", null),
            new StepGemm("fc1 input grad", false, false, 128, 3136, 128, "32x32 tiles", null),
            new StepGemm("fc2 forward", false, true, 128, 10, 128, "32x32 tiles, K in 2 slices", TOO_SMALL),
            new StepGemm("fc2 weight grad", true, false, 10, 128, 128, "32x32 tiles, K in 2 slices", TOO_SMALL),
            new StepGemm("fc2 input grad", false, false, 128, 128, 10, "32x32 tiles", TOO_SMALL));

    @Test
    void everyGemmOfTheDefaultMlpStepFillsAnH100OrIsTooSmallToSplit() {
        checkStep("MLP", MLP);
    }

    @Test
    void everyGemmOfTheDefaultCnnStepFillsAnH100OrIsTooSmallToSplit() {
        checkStep("CNN", CNN);
    }

    private static void checkStep(String model, List<StepGemm> gemms) {
        List<String> wrong = new ArrayList<>();
        for (StepGemm g : gemms) {
            GemmPlan p = GemmPlan.choose(g.m(), g.n(), g.k(), H100_SMS);
            String name = model + " " + g.what() + " " + g.m() + "x" + g.n() + "x" + g.k() + ": " + p + ", "
                    + p.blocks(g.m(), g.n()) + " blocks";
            if (!p.toString().equals(g.plan())) {
                wrong.add(name + ", expected " + g.plan());
            }
            if (g.whyFewer() == null) {
                if (p.blocks(g.m(), g.n()) < H100_SMS) {
                    wrong.add(name + ": fewer blocks than SMs");
                }
                continue;
            }
            // The justification, checked: no tile fills the device, the split is as deep as K allows (64 of K per
            // slice on average), and the product is too small for a deeper split to pay for a second launch.
            long smallest = GemmTile.T32X32.tiles(g.m(), g.n());
            if (p.blocks(g.m(), g.n()) >= H100_SMS || smallest >= H100_SMS
                    || p.slices() != Math.max(1, g.k() / GemmPlan.MIN_SLICE_K)
                    || 2L * g.m() * g.n() * g.k() >= 1_000_000) {
                wrong.add(name + ": not what '" + g.whyFewer() + "' says");
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void theRuleTakesTheLeastPaddingAmongTilesThatFillTheDeviceTiesToTheLargerTile() {
        assertEquals("128x128 tiles", GemmPlan.choose(2048, 2048, 8, 132).toString(), "256 tiles of 128x128, exact");
        assertEquals("64x64 tiles", GemmPlan.choose(1024, 1024, 8, 132).toString(), "128x128 gives only 64 blocks");
        assertEquals("64x64 tiles", GemmPlan.choose(2048, 2100, 8, 132).toString(),
                "2100 columns pad to 2176 in 128s, to 2112 in 64s and 32s: the first of those");
        assertEquals("128x32 tiles", GemmPlan.choose(16896, 32, 9, 132).toString(), "N = 32: no padding");
        assertEquals("128x32 tiles", GemmPlan.choose(16896, 32, 9, 1).toString(),
                "one SM: every tile fills it, and 128x32 still pads least");
        assertEquals("32x32 tiles", GemmPlan.choose(1, 1, 1, 1).toString(), "one SM, one element: least padding");
    }

    @Test
    void withoutAFillingTileKIsSplitKeepingAtLeast64PerSliceWithinTheWorkspace() {
        assertEquals("32x32 tiles", GemmPlan.choose(32, 32, 127, 132).toString(), "127 / 64 = 1 slice: no split");
        assertEquals("32x32 tiles, K in 2 slices", GemmPlan.choose(32, 32, 128, 132).toString());
        assertEquals("32x32 tiles, K in 132 slices", GemmPlan.choose(1, 1, 8449, 132).toString());
        assertEquals("32x32 tiles, K in 3 slices", GemmPlan.choose(64, 64, 1 << 20, 10).toString(),
                "4 tiles, ceil(10 / 4) = 3 slices fill 10 SMs");
        assertEquals("32x32 tiles, K in 2 slices", GemmPlan.choose(512, 1024, 1 << 20, 10_000).toString(),
                "10000 SMs would take 20 slices; the 2^20-float workspace holds 2 of 512 x 1024");
        assertEquals("32x32 tiles", GemmPlan.choose(1024, 1025, 1 << 20, 10_000).toString(),
                "1024 x 1025 x 2 > 2^20 floats: no room for a second slice");
    }

    @Test
    void everyPlanFitsTheWorkspaceAndFillsTheDeviceWhereKAllows() {
        Random r = new Random(12);
        for (int i = 0; i < 50_000; i++) {
            int m = 1 + r.nextInt(r.nextBoolean() ? 64 : 5000);
            int n = 1 + r.nextInt(r.nextBoolean() ? 64 : 5000);
            int k = r.nextInt(r.nextBoolean() ? 300 : 200_000);
            int sms = 1 + r.nextInt(r.nextBoolean() ? 200 : 512);
            GemmPlan p = GemmPlan.choose(m, n, k, sms);
            String what = m + "x" + n + "x" + k + " on " + sms + " SMs: " + p;
            assertTrue(p.workspaceFloats(m, n) <= 2L * 1024 * sms, what + ": workspace over 2 * 1024 * SMs");
            assertTrue(p.workspaceFloats(m, n) <= GemmPlan.WORKSPACE_FLOATS, what);
            long tiles = GemmTile.T32X32.tiles(m, n);
            if (p.split()) {
                assertEquals(GemmTile.T32X32, p.tile(), what);
                assertTrue(k / p.slices() >= GemmPlan.MIN_SLICE_K, what + ": slices shorter than 64");
                assertTrue(tiles < sms, what + ": split although a tile fills the device");
                assertTrue((p.slices() - 1) * tiles < sms, what + ": a slice more than filling needs");
            }
            if (tiles >= sms || k / GemmPlan.MIN_SLICE_K * tiles >= sms) {
                assertTrue(p.blocks(m, n) >= sms, what + ": could fill the device");
            } else {
                assertEquals(Math.max(1, k / GemmPlan.MIN_SLICE_K), p.slices(), what + ": K limits the split");
            }
        }
    }

    @Test
    void givenPlansNeedASliceAndCountTheirWorkspaceAndBlocks() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> new GemmPlan(GemmTile.T32X32, 0));
        assertEquals("a gemm needs at least one K slice, got 0", none.getMessage());
        assertEquals(3L * 130 * 37, new GemmPlan(GemmTile.T32X32, 3).workspaceFloats(130, 37));
        assertEquals(0L, new GemmPlan(GemmTile.T32X32, 1).workspaceFloats(130, 37));
        assertEquals(5L * 2 * 3, new GemmPlan(GemmTile.T32X32, 3).blocks(130, 37), "5 x 2 tiles x 3 slices");
        assertEquals(2L * 2 * 23, new GemmPlan(GemmTile.T128X32, 23).blocks(130, 37));
    }

    @Test
    void tooManyRowsForAnyTileIsTheGridError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GemmPlan.choose(65535 * 128 + 1, 1, 1, 132));
        assertEquals("gemm with 8388481 result rows needs 65536 row tiles of 128, more than CUDA's 65535",
                e.getMessage());
        assertEquals("128x32 tiles", GemmPlan.choose(65535 * 128, 1, 1, 132).toString(),
                "32-row tiles would need more than 65535 row tiles; 128x32 pads least of the rest");
    }
}
