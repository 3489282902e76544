package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Activation;
import dev.anneal.backend.AdamArgs;
import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.RmsPropArgs;
import dev.anneal.backend.SgdArgs;
import dev.anneal.backend.StepScalars;
import dev.anneal.backend.cpu.CpuBackend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The CUDA backend refuses exactly what the CPU backend refuses, with the same exception and message. */
class PlannerValidationTest {

    @Test
    void everyBadCallFailsAsOnTheCpu() {
        CpuTwinFailures.assertSameFailures(badCalls());
    }

    @Test
    void hostArrayRangesFailAsIndexErrorsLikeTheCpu() {
        for (Consumer<Backend> call : List.<Consumer<Backend>>of(
                b -> b.upload(new float[4], 2, b.allocate(10), 0, 3),
                b -> b.upload(new int[4], -1, b.allocateInts(10), 0, 1),
                b -> b.download(b.allocate(10), 0, new float[4], 3, 2))) {
            assertTrue(CpuTwinFailures.failure(call, new CpuBackend()) instanceof IndexOutOfBoundsException);
            assertTrue(CpuTwinFailures.failure(call, new PlannedBackend(132)) instanceof IndexOutOfBoundsException);
        }
    }

    @Test
    void goodCallsPassOnBoth() {
        for (Consumer<Backend> call : List.<Consumer<Backend>>of(
                b -> b.copy(b.allocate(10), 0, b.allocate(10), 0, 10),
                b -> {
                    FloatArray x = b.allocate(10);
                    b.copy(x, 0, x, 3, 7);
                },
                b -> {
                    FloatArray x = b.allocate(10);
                    b.axpy(1f, x, 2, x, 2, 8);
                },
                b -> {
                    FloatArray z = b.allocate(6);
                    b.biasActivation(new Mat(z, 0, 2, 2), new Mat(z, 4, 1, 2), Activation.RELU, new Mat(z, 0, 2, 2));
                },
                b -> b.sgdStep(SgdArgs.of(0, 0, false), b.allocate(StepScalars.SIZE), b.allocate(5), b.allocate(5), null, 5))) {
            call.accept(new CpuBackend());
            call.accept(new PlannedBackend(132));
        }
    }

    @Test
    void buffersOfAnotherBackendOrClosedOnesAreRefused() {
        PlannedBackend cuda = new PlannedBackend(132);
        FloatArray cpuBuffer = new CpuBackend().allocate(4);
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                () -> cuda.scale(cpuBuffer, 0, 4, 2f));
        assertEquals("buffer of another backend: CpuFloats", foreign.getMessage());
        FloatArray otherDevice = new PlannedBackend(132).allocate(4);
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> cuda.scale(otherDevice, 0, 4, 2f));
        assertEquals("buffer of another backend: cuda:fake buffer of 4 floats", other.getMessage());
        FloatArray closed = cuda.allocate(4);
        closed.close();
        closed.close();
        IllegalStateException used = assertThrows(IllegalStateException.class, () -> cuda.scale(closed, 0, 4, 2f));
        assertEquals("cuda:fake buffer of 4 floats used after close()", used.getMessage());
    }

    @Test
    void optionalOptimizerBuffersThatTheArgumentsNeedAreRequired() {
        PlannedBackend b = new PlannedBackend(132);
        FloatArray s = b.allocate(StepScalars.SIZE);
        FloatArray p = b.allocate(8);
        IllegalArgumentException ams = assertThrows(IllegalArgumentException.class, () -> b.adamStep(
                AdamArgs.of(0.999, 1e-8, 0, false, true), s, p, b.allocate(8), b.allocate(8), b.allocate(8), null, 8));
        assertEquals("amsgrad needs a max_exp_avg_sq buffer", ams.getMessage());
        IllegalArgumentException centered = assertThrows(IllegalArgumentException.class, () -> b.rmspropStep(
                RmsPropArgs.of(0.99, 1e-8, 0, true, false), s, p, b.allocate(8), b.allocate(8), null, null, 8));
        assertEquals("centered RMSprop needs a grad_avg buffer", centered.getMessage());
        IllegalArgumentException momentum = assertThrows(IllegalArgumentException.class, () -> b.rmspropStep(
                RmsPropArgs.of(0.99, 1e-8, 0, false, true), s, p, b.allocate(8), b.allocate(8), null, null, 8));
        assertEquals("RMSprop with momentum needs a momentum buffer", momentum.getMessage());
    }

    @Test
    void negativeOrHugeBuffersAreRefused() {
        PlannedBackend b = new PlannedBackend(132);
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> b.allocate(-1));
        assertEquals("a CUDA buffer holds 0 to 2^60 elements, asked -1", negative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.allocateInts(Long.MAX_VALUE / 4));
    }

    /** Calls the CPU backend refuses, by name; each allocates its buffers on the backend it is given. */
    private static Map<String, Consumer<Backend>> badCalls() {
        Map<String, Consumer<Backend>> c = new LinkedHashMap<>();
        c.put("upload past the end", b -> b.upload(new float[10], 0, b.allocate(8), 2, 7));
        c.put("upload ints past the end", b -> b.upload(new int[10], 0, b.allocateInts(8), 5, 4));
        c.put("download past the end", b -> b.download(b.allocate(8), 6, new float[10], 0, 3));
        c.put("copy source past the end", b -> b.copy(b.allocate(8), 4, b.allocate(20), 0, 5));
        c.put("copy destination negative", b -> b.copy(b.allocate(8), 0, b.allocate(20), -1, 5));
        c.put("fill past the end", b -> b.fill(b.allocate(8), 7, 2, 0f));
        c.put("gemm inner sizes", b -> b.gemm(false, false, 1f, new Mat(b.allocate(6), 0, 2, 3),
                new Mat(b.allocate(20), 0, 4, 5), 0f, new Mat(b.allocate(10), 0, 2, 5)));
        c.put("gemm c shape", b -> b.gemm(true, true, 1f, new Mat(b.allocate(6), 0, 3, 2),
                new Mat(b.allocate(15), 0, 5, 3), 0f, new Mat(b.allocate(10), 0, 5, 2)));
        c.put("gemm c overlaps a", b -> {
            FloatArray x = b.allocate(20);
            b.gemm(false, false, 1f, new Mat(x, 0, 2, 2), new Mat(b.allocate(4), 0, 2, 2), 0f, new Mat(x, 2, 2, 2));
        });
        c.put("gemm c overlaps b", b -> {
            FloatArray x = b.allocate(20);
            b.gemm(false, false, 1f, new Mat(b.allocate(4), 0, 2, 2), new Mat(x, 3, 2, 2), 0f, new Mat(x, 0, 2, 2));
        });
        c.put("biasActivation out shape", b -> b.biasActivation(new Mat(b.allocate(6), 0, 2, 3),
                new Mat(b.allocate(3), 0, 1, 3), Activation.RELU, new Mat(b.allocate(6), 0, 3, 2)));
        c.put("biasActivation bias size", b -> b.biasActivation(new Mat(b.allocate(6), 0, 2, 3),
                new Mat(b.allocate(4), 0, 1, 4), Activation.RELU, new Mat(b.allocate(6), 0, 2, 3)));
        c.put("biasActivation out overlaps z", b -> {
            FloatArray x = b.allocate(20);
            b.biasActivation(new Mat(x, 0, 2, 3), new Mat(b.allocate(3), 0, 1, 3), Activation.GELU,
                    new Mat(x, 1, 2, 3));
        });
        c.put("biasActivation bias inside z", b -> {
            FloatArray x = b.allocate(20);
            b.biasActivation(new Mat(x, 0, 2, 3), new Mat(x, 4, 1, 3), Activation.TANH, new Mat(b.allocate(6), 0, 2, 3));
        });
        c.put("activationBackward shape", b -> b.activationBackward(Activation.RELU, new Mat(b.allocate(6), 0, 2, 3),
                new Mat(b.allocate(6), 0, 3, 2)));
        c.put("activationBackward overlap", b -> {
            FloatArray x = b.allocate(20);
            b.activationBackward(Activation.RELU, new Mat(x, 0, 2, 3), new Mat(x, 5, 2, 3));
        });
        c.put("softmax grad shape", b -> b.softmaxCrossEntropy(new Mat(b.allocate(6), 0, 2, 3), b.allocateInts(2), 0,
                1f, new Mat(b.allocate(6), 0, 3, 2), b.allocate(2), 0));
        c.put("softmax grad overlaps logits", b -> {
            FloatArray x = b.allocate(20);
            b.softmaxCrossEntropy(new Mat(x, 0, 2, 3), b.allocateInts(2), 0, 1f, new Mat(x, 2, 2, 3), b.allocate(2), 0);
        });
        c.put("softmax labels past the end", b -> b.softmaxCrossEntropy(new Mat(b.allocate(6), 0, 2, 3),
                b.allocateInts(3), 2, 1f, null, b.allocate(2), 0));
        c.put("softmax stats past the end", b -> b.softmaxCrossEntropy(new Mat(b.allocate(6), 0, 2, 3),
                b.allocateInts(2), 0, 1f, null, b.allocate(2), 1));
        c.put("columnSums out size", b -> b.columnSums(new Mat(b.allocate(6), 0, 2, 3), new Mat(b.allocate(2), 0, 1, 2),
                false));
        c.put("columnSums out overlaps m", b -> {
            FloatArray x = b.allocate(20);
            b.columnSums(new Mat(x, 0, 2, 3), new Mat(x, 5, 1, 3), true);
        });
        c.put("scale past the end", b -> b.scale(b.allocate(8), 4, 5, 2f));
        c.put("scale negative offset", b -> b.scale(b.allocate(8), -1, 5, 2f));
        c.put("scale negative length", b -> b.scale(b.allocate(8), 1, -1, 2f));
        c.put("axpy overlap", b -> {
            FloatArray x = b.allocate(20);
            b.axpy(1f, x, 0, x, 3, 5);
        });
        c.put("axpy y past the end", b -> b.axpy(1f, b.allocate(8), 0, b.allocate(4), 0, 5));
        c.put("squaredNorm out past the end", b -> b.squaredNorm(b.allocate(8), 0, 8, b.allocate(2), 2));
        c.put("squaredNorm x past the end", b -> b.squaredNorm(b.allocate(8), 1, 8, b.allocate(2), 0));
        c.put("sgd scalars too short", b -> b.sgdStep(SgdArgs.of(0, 0, false), b.allocate(8), b.allocate(5),
                b.allocate(5), null, 5));
        c.put("sgd momentum buffer too short", b -> b.sgdStep(SgdArgs.of(0, 0, false), b.allocate(StepScalars.SIZE), b.allocate(5),
                b.allocate(5), b.allocate(4), 5));
        c.put("adam state too short", b -> b.adamStep(AdamArgs.of(0.999, 1e-8, 0, false, false), b.allocate(StepScalars.SIZE),
                b.allocate(5), b.allocate(5), b.allocate(5), b.allocate(3), null, 5));
        c.put("rmsprop grads too short", b -> b.rmspropStep(RmsPropArgs.of(0.99, 1e-8, 0, false, false),
                b.allocate(StepScalars.SIZE), b.allocate(5), b.allocate(2), b.allocate(5), null, null, 5));
        return c;
    }
}
