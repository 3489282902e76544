package dev.anneal.backend.cuda;

import static dev.anneal.backend.cuda.RawDriver.alloc;
import static dev.anneal.backend.cuda.RawDriver.download;
import static dev.anneal.backend.cuda.RawDriver.function;
import static dev.anneal.backend.cuda.RawDriver.launch;
import static dev.anneal.backend.cuda.RawDriver.load;
import static dev.anneal.backend.cuda.RawDriver.openEmulated;
import static dev.anneal.backend.cuda.RawDriver.release;
import static dev.anneal.backend.cuda.RawDriver.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.cpu.CpuBackend;
import java.util.Random;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Planted bugs in launches of the layer kernels (conv.cu, norm.cu, dropout.cu) that the CUDA driver emulation or
 * the parity check must report, through the real JCuda bindings and the real PTX of this build: an im2col into
 * a column buffer one patch row short, a batch-norm scratch one row block short, a dropout draw counter
 * passed by value where its device pointer belongs, and batch-norm statistics launched with eps and momentum
 * swapped (same type: only parity against the CPU twin can see it). Runs only under the emulator (tag
 * "emulator" and {@code ANNEAL_CUDA_EMULATOR=1}): on a real GPU the out-of-bounds writes would corrupt memory
 * rather than be reported.
 */
@Tag("emulator")
class EmulatedLayerPlantedBugsTest {
    private static CUcontext context;
    private static CUmodule conv;
    private static CUmodule norm;
    private static CUmodule dropout;

    @BeforeAll
    static void open() throws Exception {
        context = openEmulated();
        conv = load("conv");
        norm = load("norm");
        dropout = load("dropout");
    }

    /** Releases what {@link #open} got, whatever point it reached (nothing when it was skipped). */
    @AfterAll
    static void close() {
        release(context, conv, norm, dropout);
        conv = null;
        norm = null;
        dropout = null;
        context = null;
    }

    @Test
    void im2colIntoAColumnBufferOneRowShortIsAnIllegalAddress() {
        // 3 x 6 x 5 images, kernel 3 x 3, stride 1, padding 1: 30 rows of 27 per image.
        int[] geometry = {3, 6, 5, 3, 3, 1, 1, 1, 1, 6, 5};
        CUdeviceptr x = alloc(2 * 90);
        // The planted bug: the column buffer of 2 images sized for one patch row fewer (59 rows for 60).
        CUdeviceptr col = alloc(2 * 30 * 27 - 27);
        CudaException e = assertThrows(CudaException.class,
                () -> launch(function(conv, "im2col"), 4, 1, 256, geometryArgs(geometry, 2, x, col)));
        assertEquals(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, e.result(), e.getMessage());
        JCudaDriver.cuMemFree(x);
        JCudaDriver.cuMemFree(col);
    }

    @Test
    void aBatchNormScratchOneRowBlockShortIsAnIllegalAddress() {
        int rows = 300;
        int cols = 5;
        CUdeviceptr x = alloc(rows * cols);
        // The planted bug: partials for ceil(300 / 256) - 1 = 1 block of rows (a 300-row batch needs 2).
        CUdeviceptr partials = alloc(2 * cols);
        CudaException e = assertThrows(CudaException.class,
                () -> launch(function(norm, "batch_norm_sum_partials"), 1, 1, 256, x, rows, cols, partials));
        assertEquals(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, e.result(), e.getMessage());
        JCudaDriver.cuMemFree(x);
        JCudaDriver.cuMemFree(partials);
    }

    @Test
    void aDrawCounterPassedByValueWhereItsPointerBelongsIsAnIllegalAddress() {
        CUdeviceptr x = alloc(64);
        CUdeviceptr mask = alloc(64);
        // The planted bug: the draw (5) where dropout_forward takes the counter's device address.
        CudaException e = assertThrows(CudaException.class, () -> launch(function(dropout, "dropout_forward"), 1, 1,
                256, x, 64L, 0.5f, 42L, 0, 5L, mask, x));
        assertEquals(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, e.result(), e.getMessage());
        JCudaDriver.cuMemFree(x);
        JCudaDriver.cuMemFree(mask);
    }

    @Test
    void batchNormStatisticsWithEpsAndMomentumSwappedFailParityLoudly() {
        int rows = 300;
        int cols = 5;
        float eps = 1e-5f;
        float momentum = 0.1f;
        Random r = new Random(3);
        float[] host = new float[rows * cols];
        for (int i = 0; i < host.length; i++) {
            host[i] = r.nextFloat() * 4 - 2 + i % cols;
        }
        float[] runningStart = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
        CpuBackend cpu = new CpuBackend();
        FloatArray cx = Parity.put(cpu, host);
        FloatArray affine = Parity.put(cpu, new float[] {1, 1, 1, 1, 1, 0, 0, 0, 0, 0});
        FloatArray cRunning = Parity.put(cpu, runningStart);
        cpu.norm().batchNormTraining(new Mat(cx, 0, rows, cols), new Mat(affine, 0, 1, cols),
                new Mat(affine, cols, 1, cols), eps, momentum, cRunning, 0, cols, cpu.allocate(2 * cols), 0,
                new Mat(cpu.allocate(rows * cols), 0, rows, cols));
        float[] want = Parity.get(cpu, cRunning);

        long parts = NormLaunches.partials(rows, cols);
        CUdeviceptr x = upload(host);
        CUdeviceptr scratch = alloc((int) (2 * (parts + cols)));
        CUdeviceptr mean = scratch.withByteOffset(8 * parts);
        CUdeviceptr running = upload(runningStart);
        CUdeviceptr runningVar = running.withByteOffset(4L * cols);
        CUdeviceptr saved = alloc(2 * cols);
        launch(function(norm, "batch_norm_sum_partials"), 1, 1, 256, x, rows, cols, scratch);
        launch(function(norm, "batch_norm_mean"), 1, 1, 256, scratch, rows, cols, mean);
        launch(function(norm, "batch_norm_square_partials"), 1, 1, 256, x, rows, cols, mean, scratch);
        // The planted bug: momentum where eps belongs and eps where momentum belongs (both floats).
        launch(function(norm, "batch_norm_stats"), 1, 1, 256, scratch, mean, rows, cols, momentum, eps, running,
                runningVar, saved);
        float[] got = download(running, 2 * cols);
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Parity.assertBits("running statistics", want, got));
        assertTrue(e.getMessage().contains("10 of 10 differ"), e.getMessage());
        for (CUdeviceptr p : new CUdeviceptr[] {x, scratch, running, saved}) {
            JCudaDriver.cuMemFree(p);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    /** The eleven geometry ints, the image count, then the two buffers: im2col's parameter list. */
    private static Object[] geometryArgs(int[] geometry, int images, CUdeviceptr in, CUdeviceptr out) {
        Object[] args = new Object[geometry.length + 3];
        for (int i = 0; i < geometry.length; i++) {
            args[i] = geometry[i];
        }
        args[geometry.length] = images;
        args[geometry.length + 1] = in;
        args[geometry.length + 2] = out;
        return args;
    }
}
