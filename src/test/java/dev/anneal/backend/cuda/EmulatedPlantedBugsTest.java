package dev.anneal.backend.cuda;

import static dev.anneal.backend.cuda.RawDriver.alloc;
import static dev.anneal.backend.cuda.RawDriver.device0;
import static dev.anneal.backend.cuda.RawDriver.direct;
import static dev.anneal.backend.cuda.RawDriver.function;
import static dev.anneal.backend.cuda.RawDriver.launch;
import static dev.anneal.backend.cuda.RawDriver.load;
import static dev.anneal.backend.cuda.RawDriver.ok;
import static dev.anneal.backend.cuda.RawDriver.openEmulated;
import static dev.anneal.backend.cuda.RawDriver.release;
import static dev.anneal.backend.cuda.RawDriver.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.FloatArray;
import java.nio.FloatBuffer;
import java.util.Arrays;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Planted bugs that the CUDA driver emulation (src/test/native, scripts/test-cuda-emulated.sh) must report, each
 * through the real JCuda bindings and the real PTX of this build: an out-of-bounds write in a kernel, launch
 * geometries a device refuses, a parameter list in the wrong order, freed and double-freed memory, allocation
 * past the device memory, and a grid too small for the data. Runs only under the emulator (tag "emulator" and
 * {@code ANNEAL_CUDA_EMULATOR=1}): on a real GPU some of these would crash the context rather than return.
 */
@Tag("emulator")
class EmulatedPlantedBugsTest {
    private static CUcontext context;
    private static CUmodule elementwise;
    private static CUmodule matmul;

    @BeforeAll
    static void open() throws Exception {
        context = openEmulated();
        elementwise = load("elementwise");
        matmul = load("matmul");
    }

    /** Releases what {@link #open} got, whatever point it reached (nothing when it was skipped). */
    @AfterAll
    static void close() {
        release(context, elementwise, matmul);
        elementwise = null;
        matmul = null;
        context = null;
    }

    @Test
    void anOutOfBoundsWriteInAKernelIsAnIllegalAddress() {
        CUdeviceptr x = alloc(1000);
        // The planted bug: fill over one element more than the buffer holds.
        CudaException e = assertThrows(CudaException.class, () -> launch(fill(), 4, 1, 256, x, 1001L, 1f));
        assertEquals(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, e.result(), e.getMessage());
        JCudaDriver.cuMemFree(x);
    }

    @Test
    void blockAndGridSizesADeviceRefusesAreErrors() {
        CUdeviceptr x = alloc(64);
        CudaException big = assertThrows(CudaException.class, () -> launch(fill(), 1, 1, 2048, x, 64L, 1f));
        assertEquals(CUresult.CUDA_ERROR_INVALID_VALUE, big.result());
        CudaException tall = assertThrows(CudaException.class, () -> launch(fill(), 1, 70000, 256, x, 64L, 1f));
        assertEquals(CUresult.CUDA_ERROR_INVALID_VALUE, tall.result());
        CudaException none = assertThrows(CudaException.class, () -> launch(fill(), 0, 1, 256, x, 64L, 1f));
        assertEquals(CUresult.CUDA_ERROR_INVALID_VALUE, none.result());
        // sgemm is built with __launch_bounds__(256): a block of 512 exceeds the PTX's .maxntid.
        CUfunction sgemm = function(matmul, "sgemm_128x128_nn");
        CudaException bounds = assertThrows(CudaException.class,
                () -> launch(sgemm, 1, 1, 512, 1, 1, 1, 1f, x, 1, x, 1, 0f, x, 1, 1, 0L));
        assertEquals(CUresult.CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, bounds.result());
        JCudaDriver.cuMemFree(x);
    }

    @Test
    void aParameterListInTheWrongOrderIsAnIllegalAddress() {
        CUdeviceptr x = alloc(64);
        // fill(float* x, long long n, float value) packed as (n, x, value): the pointer parameter holds 64.
        CudaException e = assertThrows(CudaException.class, () -> launch(fill(), 1, 1, 256, 64L, x, 1f));
        assertEquals(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, e.result(), e.getMessage());
        JCudaDriver.cuMemFree(x);
    }

    @Test
    void freedMemoryAndDoubleFreesAreErrors() {
        CUdeviceptr x = alloc(64);
        ok(JCudaDriver.cuMemFree(x));
        CudaException use = assertThrows(CudaException.class, () -> launch(fill(), 1, 1, 256, x, 64L, 1f));
        assertEquals(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, use.result());
        assertEquals(CUresult.CUDA_ERROR_INVALID_VALUE,
                JCudaDriver.cuMemcpyDtoHAsync(Pointer.to(direct(64)), x, 256, null));
        assertEquals(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuMemFree(x));
    }

    @Test
    void copiesPastTheEndOfAnAllocationAreErrors() {
        CUdeviceptr x = alloc(64);
        assertEquals(CUresult.CUDA_ERROR_INVALID_VALUE,
                JCudaDriver.cuMemcpyHtoDAsync(x, Pointer.to(direct(65)), 260, null));
        assertEquals(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuMemsetD32Async(x, 0, 65, null));
        ok(JCudaDriver.cuMemFree(x));
    }

    @Test
    void allocationPastTheDeviceMemoryIsOutOfMemoryThroughTheBackend() {
        try (CudaBackend gpu = CudaBackend.open(0, CudaBackend.Gemm.AUTO)) {
            long[] total = new long[1];
            ok(JCudaDriver.cuDeviceTotalMem(total, device0()));
            CudaException e = assertThrows(CudaException.class, () -> gpu.allocate(total[0] / 4 + 1));
            assertEquals(CUresult.CUDA_ERROR_OUT_OF_MEMORY, e.result(), e.getMessage());
            FloatArray small = gpu.allocate(8);
            gpu.fill(small, 0, 8, 2f);
            float[] back = new float[8];
            gpu.download(small, 0, back, 0, 8);
            assertTrue(Arrays.equals(new float[] {2, 2, 2, 2, 2, 2, 2, 2}, back), Arrays.toString(back));
        }
        ok(JCudaDriver.cuCtxSetCurrent(context));
    }

    @Test
    void everyEmulatedDeviceRunsTheBackend() {
        int[] count = new int[1];
        ok(JCudaDriver.cuDeviceGetCount(count));
        String want = System.getenv("ANNEAL_CUDA_EMULATOR_DEVICES");
        assertEquals(want == null ? 1 : Integer.parseInt(want), count[0]);
        for (int d = 0; d < count[0]; d++) {
            try (CudaBackend gpu = CudaBackend.open(d, CudaBackend.Gemm.AUTO)) {
                FloatArray x = gpu.allocate(5);
                gpu.fill(x, 1, 3, (float) d + 0.5f);
                float[] back = new float[5];
                gpu.download(x, 0, back, 0, 5);
                float v = d + 0.5f;
                assertTrue(Arrays.equals(new float[] {0, v, v, v, 0}, back), d + ": " + Arrays.toString(back));
            }
        }
        ok(JCudaDriver.cuCtxSetCurrent(context));
    }

    @Test
    void aGridTooSmallForTheMatrixLeavesRowsUnwrittenAndParityFailsLoudly() {
        int m = 200;
        int n = 3;
        int k = 2;
        CUdeviceptr a = upload(ones(m * k));
        CUdeviceptr b = upload(ones(k * n));
        CUdeviceptr c = upload(new float[m * n]);
        // The planted bug: one row tile of 128 for 200 rows (the right grid is (1, 2)).
        launch(function(matmul, "sgemm_128x128_nn"), 1, 1, 256, m, n, k, 1f, a, k, b, n, 0f, c, n, 1, 0L);
        FloatBuffer back = direct(m * n);
        ok(JCudaDriver.cuMemcpyDtoHAsync(Pointer.to(back), c, 4L * m * n, null));
        float[] got = new float[m * n];
        back.get(got);
        float[] want = new float[m * n];
        Arrays.fill(want, 2f);
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Parity.assertClose("sgemm with a short grid", want, got, 1e-6, 1e-6));
        assertTrue(e.getMessage().contains("216 of 600"), e.getMessage());
        JCudaDriver.cuMemFree(a);
        JCudaDriver.cuMemFree(b);
        JCudaDriver.cuMemFree(c);
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static CUfunction fill() {
        return function(elementwise, "fill");
    }

    private static float[] ones(int n) {
        float[] x = new float[n];
        Arrays.fill(x, 1f);
        return x;
    }
}
