package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Activation;
import dev.anneal.backend.AdamArgs;
import dev.anneal.backend.ConvGeometry;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.PoolGeometry;
import dev.anneal.backend.RmsPropArgs;
import dev.anneal.backend.SgdArgs;
import dev.anneal.backend.StepScalars;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import jcuda.Pointer;
import org.junit.jupiter.api.Test;

/** Every launcher packs exactly its kernel's parameter list, checked with fake device pointers (no driver). */
class LaunchersTest {
    private final PlannedBackend b = new PlannedBackend(132);

    @Test
    void everyKernelIsLaunchedByAnOpWithExactlyItsParameterKinds() {
        runEveryOp();
        Set<Kernel> seen = EnumSet.noneOf(Kernel.class);
        for (Launch l : b.launches) {
            assertEquals(l.kernel().params(), l.args().kinds(), l.kernel().entry());
            assertEquals(l.kernel().params().size(), l.args().values().size(), l.kernel().entry());
            assertNotNull(l.args().pointer());
            seen.add(l.kernel());
        }
        assertEquals(EnumSet.allOf(Kernel.class), seen, "kernels no op launched");
    }

    @Test
    void adamPacksItsHyperparametersFlagsBuffersAndLengthInKernelOrder() {
        FloatArray s = b.allocate(StepScalars.SIZE);
        FloatArray[] buf = {b.allocate(1025), b.allocate(1025), b.allocate(1025), b.allocate(1025)};
        AdamArgs args = AdamArgs.of(0.999, 1e-8, 0.01, true, false);
        b.adamStep(args, s, buf[0], buf[1], buf[2], buf[3], null, 1025);
        Launch l = b.launches.get(0);
        List<Object> v = l.args().values();
        assertEquals(List.of(args.beta2(), args.oneMinusBeta2(), args.eps(), args.weightDecay(), 1, 0),
                v.subList(0, 6));
        List<String> names = v.subList(6, 12).stream().map(o -> ((Span) o).name()).toList();
        assertEquals(List.of("scalars", "params", "grads", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"), names);
        assertEquals("null", ((Span) v.get(11)).size(), "absent amsgrad buffer is a null pointer");
        assertEquals(1025L, v.get(12));
        assertEquals("adam_step, grid (5, 1) x 256 threads, buffers scalars 49 floats, params 1025 floats, grads 1025 "
                + "floats, exp_avg 1025 floats, exp_avg_sq 1025 floats, max_exp_avg_sq null", l.describe());
    }

    @Test
    void sgemmPicksTheKernelByTransposeFlagsAndPacksRowStrides() {
        FloatArray a = b.allocate(31 * 7);
        FloatArray bb = b.allocate(7 * 1025);
        FloatArray c = b.allocate(31 * 1025);
        b.gemm(false, false, 1f, new Mat(a, 0, 31, 7), new Mat(bb, 0, 7, 1025), 0f, new Mat(c, 0, 31, 1025));
        b.gemm(true, false, 1f, new Mat(a, 0, 7, 31), new Mat(bb, 0, 7, 1025), 0f, new Mat(c, 0, 31, 1025));
        b.gemm(false, true, 1f, new Mat(a, 0, 31, 7), new Mat(bb, 0, 1025, 7), 0f, new Mat(c, 0, 31, 1025));
        b.gemm(true, true, 2f, new Mat(a, 0, 7, 31), new Mat(bb, 0, 1025, 7), 0.5f, new Mat(c, 0, 31, 1025));
        assertEquals(List.of(Kernel.SGEMM_32X32_NN, Kernel.SGEMM_32X32_TN, Kernel.SGEMM_32X32_NT,
                Kernel.SGEMM_32X32_TT), b.launches.stream().map(Launch::kernel).toList(),
                "31 x 1025 fills no device of 132 SMs; K = 7 is too short to split: 32x32 tiles");
        List<Object> tt = b.launches.get(3).args().values();
        assertEquals(List.of(31, 1025, 7, 2f), tt.subList(0, 4));
        assertEquals(31, tt.get(5), "lda: row stride of A as stored (7 x 31)");
        assertEquals(7, tt.get(7), "ldb: row stride of B as stored (1025 x 7)");
        assertEquals(0.5f, tt.get(8));
        assertEquals(1025, tt.get(10), "ldc");
        assertEquals(List.of(1, 0L), tt.subList(11, 13), "one K slice, no slice stride");
        assertEquals(new Grid(33, 1, 256), b.launches.get(3).grid());
    }

    @Test
    void aSplitGemmWritesPartialsToTheWorkspaceThenReducesThemIntoC() {
        FloatArray a = b.allocate(128 * 3136);
        FloatArray w = b.allocate(128 * 3136);
        FloatArray c = b.allocate(128 * 128);
        b.gemm(false, true, 0.5f, new Mat(a, 0, 128, 3136), new Mat(w, 0, 128, 3136), 1f, new Mat(c, 0, 128, 128));
        assertEquals(List.of(Kernel.SGEMM_32X32_NT, Kernel.SGEMM_SPLITK_REDUCE),
                b.launches.stream().map(Launch::kernel).toList());
        List<Object> tile = b.launches.get(0).args().values();
        assertEquals(List.of(128, 128, 3136, 1f), tile.subList(0, 4), "partials: alpha 1");
        assertEquals(0f, tile.get(8), "partials: beta 0");
        assertEquals(List.of(128, 9, 128L * 128), tile.subList(10, 13), "ldc N, 9 slices, each M x N apart");
        assertEquals("workspace 147456 floats", ((Span) tile.get(9)).describe(), "9 x 128 x 128 partials");
        assertEquals(new Grid(4 * 9, 4, 256), b.launches.get(0).grid(), "16 tiles x 9 slices: 144 blocks");
        List<Object> reduce = b.launches.get(1).args().values();
        assertEquals(List.of(128, 128, 9, 0.5f), reduce.subList(0, 4));
        assertEquals(List.of(1f, 128), List.of(reduce.get(5), reduce.get(7)));
        assertEquals("c 16384 floats", ((Span) reduce.get(6)).describe());
    }

    @Test
    void viewsPassTheirOffsetAsAByteOffsetOfTheBufferPointer() {
        FloatArray x = b.allocate(40);
        b.scale(x, 3, 30, 2f);
        Span s = (Span) b.launches.get(0).args().values().get(0);
        assertTrue(s.pointer().toString().contains("byteOffset=12"), s.pointer().toString());
        assertEquals("30 floats", s.size());
    }

    @Test
    void activationsGoAsTheirOrdinalWhichIsTheKernelCode() {
        FloatArray z = b.allocate(6);
        FloatArray bias = b.allocate(3);
        for (Activation a : Activation.values()) {
            b.biasActivation(new Mat(z, 0, 2, 3), new Mat(bias, 0, 1, 3), a, new Mat(z, 0, 2, 3));
        }
        for (int i = 0; i < Activation.values().length; i++) {
            assertEquals(i, b.launches.get(i).args().values().get(5));
        }
    }

    @Test
    void packingAnotherListFailsOnTheHost() {
        IllegalStateException order = assertThrows(IllegalStateException.class,
                () -> KernelArgs.of(Kernel.FILL).f32(1f));
        assertEquals("fill parameter 0 is PTR, packed F32", order.getMessage());
        Span x = Span.absent("x");
        IllegalStateException shortList = assertThrows(IllegalStateException.class,
                () -> KernelArgs.of(Kernel.FILL).ptr(x).i64(3).done());
        assertEquals("fill takes [PTR, I64, F32], packed [PTR, I64]", shortList.getMessage());
        IllegalStateException longList = assertThrows(IllegalStateException.class,
                () -> KernelArgs.of(Kernel.FILL).ptr(x).i64(3).f32(0f).f32(0f));
        assertEquals("fill parameter 3 is not there, packed F32", longList.getMessage());
        IllegalStateException unfinished = assertThrows(IllegalStateException.class,
                () -> KernelArgs.of(Kernel.FILL).ptr(x).pointer());
        assertEquals("fill: arguments not finished", unfinished.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new Launch(Kernel.SCALE, Grid.single(1), KernelArgs.of(Kernel.FILL).ptr(x).i64(1).f32(0).done()));
    }

    @Test
    void reusableArgumentsWriteEachValueIntoItsSlotAndAreRepackedByTheNextLaunch() {
        ByteBuffer slots = ByteBuffer.allocateDirect(8 * 4).order(ByteOrder.nativeOrder());
        Pointer kernelParams = new Pointer();
        KernelArgs a = KernelArgs.reusable(Kernel.AXPY, slots, kernelParams);
        FloatArray x = b.allocate(40);
        FloatArray y = b.allocate(40);
        ElementwiseLaunches.Axpy first = (ElementwiseLaunches.Axpy) b.planner.axpy(0.5f, x, 3, y, 5, 30).get(0);
        first.pack(a.reset());
        a.done();
        assertEquals(0.5f, slots.getFloat(0));
        assertEquals(12L, slots.getLong(8), "x's address: a null base plus 3 floats");
        assertEquals(20L, slots.getLong(16));
        assertEquals(30L, slots.getLong(24));
        assertSame(kernelParams, a.pointer(), "the block's kernelParams, packed once");
        assertEquals("axpy, grid (1, 1) x 256 threads, buffers x 30 floats, y 30 floats",
                Launch.describe(Kernel.AXPY, first.grid(132), a));
        IllegalStateException half = assertThrows(IllegalStateException.class, () -> a.reset().f32(2f).done());
        assertEquals("axpy takes [F32, PTR, PTR, I64], packed [F32]", half.getMessage());
        new ElementwiseLaunches.Axpy(-1f, Span.absent("x"), Span.absent("y"), 7).pack(a.reset());
        a.done();
        assertEquals(List.of(-1f, 7L), List.of(a.values().get(0), a.values().get(3)));
        assertEquals(0L, slots.getLong(8), "an absent buffer is a null pointer");
        assertEquals(0.5f, first.launch(132).args().values().get(0), "launch() packs its own copy");
    }

    @Test
    void emptyWorkLaunchesNothingExceptOutputsThatMustStillBeWritten() {
        FloatArray x = b.allocate(10);
        FloatArray stats = b.allocate(2);
        IntArray labels = b.allocateInts(0);
        b.scale(x, 0, 0, 2f);
        b.fill(x, 10, 0, 1f);
        b.gemm(false, false, 1f, new Mat(x, 0, 0, 5), new Mat(x, 0, 5, 2), 0f, new Mat(x, 0, 0, 2));
        b.biasActivation(new Mat(x, 0, 0, 5), new Mat(x, 5, 1, 5), Activation.RELU, new Mat(x, 0, 0, 5));
        assertEquals(List.of(), b.launches);
        b.squaredNorm(x, 0, 0, stats, 0);
        assertEquals(List.of(Kernel.SQUARED_NORM_PARTIAL, Kernel.SQUARED_NORM_FINAL),
                b.launches.stream().map(Launch::kernel).toList(), "the norm of nothing is written: 0");
        b.launches.clear();
        b.softmaxCrossEntropy(new Mat(x, 0, 0, 5), labels, 0, 1f, null, stats, 0);
        assertEquals(List.of(Kernel.REDUCE_ROW_STATS), b.launches.stream().map(Launch::kernel).toList(),
                "zero rows still write the stats (0, 0)");
    }

    /** One valid call of every op, and the device-only finalize_step_scalars. */
    private void runEveryOp() {
        FloatArray x = b.allocate(1025);
        FloatArray y = b.allocate(1025);
        FloatArray s = b.allocate(StepScalars.SIZE);
        b.fill(x, 0, 1025, 1f);
        b.scale(x, 0, 1025, 2f);
        b.axpy(0.5f, x, 0, y, 0, 1025);
        b.squaredNorm(x, 0, 1025, y, 0);
        FloatArray m = b.allocate(31 * 33);
        FloatArray w = b.allocate(33 * 31);
        FloatArray c = b.allocate(31 * 31);
        // On 132 SMs: 32x32 tiles unsplit, 32x32 split (and the reduction), 128x32, 64x64 and 128x128 tiles.
        int[][] shapes = {{31, 31, 33}, {128, 128, 3136}, {16896, 32, 9}, {1024, 1024, 8}, {2048, 2048, 8}};
        for (int[] mnk : shapes) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    gemm(ta, tb, mnk[0], mnk[1], mnk[2]);
                }
            }
        }
        b.biasActivation(new Mat(c, 0, 31, 31), new Mat(x, 0, 1, 31), Activation.GELU, new Mat(c, 0, 31, 31));
        b.activationBackward(Activation.TANH, new Mat(c, 0, 31, 31), new Mat(m, 0, 31, 31));
        b.columnSums(new Mat(c, 0, 31, 31), new Mat(x, 0, 1, 31), true);
        IntArray labels = b.allocateInts(31);
        b.softmaxCrossEntropy(new Mat(c, 0, 31, 31), labels, 0, 1f / 31, new Mat(m, 0, 31, 31), y, 0);
        b.sgdStep(SgdArgs.of(0, 0, false), s, x, y, null, 1025);
        FloatArray v1 = b.allocate(1025);
        FloatArray v2 = b.allocate(1025);
        FloatArray v3 = b.allocate(1025);
        b.adamStep(AdamArgs.of(0.999, 1e-8, 0, false, true), s, x, y, v1, v2, v3, 1025);
        b.rmspropStep(RmsPropArgs.of(0.99, 1e-8, 0, true, true), s, x, y, v1, v2, v3, 1025);
        b.finalizeStepScalars(y, 3, 1f, s);
        runEveryLayerOp();
    }

    /** One valid call of every op of the layer families (conv, pool, norm, dropout) and the bare activation. */
    private void runEveryLayerOp() {
        ConvGeometry conv = new ConvGeometry(3, 7, 5, 4, 3, 3, 2, 1, 1, 1);
        FloatArray img = b.allocate(2 * conv.inSize());
        FloatArray col = b.allocate(2L * conv.outH() * conv.outW() * conv.patch());
        b.conv().im2col(conv, 2, img, 0, col, 0);
        b.conv().col2im(conv, 2, col, 0, img, 0);
        FloatArray other = b.allocate(2 * conv.inSize());
        b.conv().toChannelsLast(2, 3, 7, 5, img, 0, other, 0);
        b.conv().toChannelsFirst(2, 3, 7, 5, other, 0, img, 0);
        PoolGeometry pool = new PoolGeometry(3, 7, 5, 2, 2, 2, 2, 1, 1);
        FloatArray pooled = b.allocate(2 * pool.outSize());
        IntArray argmax = b.allocateInts(2 * pool.outSize());
        FloatArray affine = b.allocate(4 * 3);
        b.pool().maxPoolForward(pool, 2, img, 0, pooled, 0, argmax, 0);
        b.pool().maxPoolBackward(pool, 2, pooled, 0, argmax, 0, other, 0);
        b.pool().maxPoolBiasForward(pool, 2, img, 0, affine, 0, pooled, 0, argmax, 0);
        b.pool().avgPoolForward(pool, 2, img, 0, pooled, 0);
        b.pool().avgPoolBackward(pool, 2, pooled, 0, other, 0);
        FloatArray stats = b.allocate(4 * 3);
        Mat x = new Mat(img, 0, 70, 3);
        Mat y = new Mat(other, 0, 70, 3);
        b.norm().batchNormTraining(x, new Mat(affine, 0, 1, 3), new Mat(affine, 3, 1, 3), 1e-5f, 0.1f, stats, 0, 3,
                stats, 6, y);
        b.norm().batchNormInference(x, new Mat(affine, 0, 1, 3), new Mat(affine, 3, 1, 3), 1e-5f, stats, 0, 3, y);
        b.norm().batchNormBackward(x, y, new Mat(affine, 0, 1, 3), stats, 6, y, new Mat(affine, 6, 1, 3),
                new Mat(affine, 9, 1, 3));
        IntArray draws = b.allocateInts(1);
        b.dropout().dropoutForward(img, 0, 210, 0.5f, 42L, 3, draws, 0, other, 0, img, 0);
        b.dropout().multiply(img, 0, other, 0, 210);
        b.dropout().advance(draws, 0);
        b.activation(Activation.RELU, x, x);
    }

    private void gemm(boolean ta, boolean tb, int m, int n, int k) {
        FloatArray a = b.allocate((long) m * k);
        FloatArray w = b.allocate((long) k * n);
        FloatArray c = b.allocate((long) m * n);
        b.gemm(ta, tb, 1f, ta ? new Mat(a, 0, k, m) : new Mat(a, 0, m, k),
                tb ? new Mat(w, 0, n, k) : new Mat(w, 0, k, n), 0f, new Mat(c, 0, m, n));
    }
}
