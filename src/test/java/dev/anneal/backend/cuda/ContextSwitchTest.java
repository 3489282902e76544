package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anneal.backend.FloatArray;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A backend skips {@code cuCtxSetCurrent} when it was the last to make its context current on the thread: backends
 * of two devices alternating on one thread, a backend used from another thread, a backend closed and another
 * opened on the same device, and the graph and multi-device code that call {@code makeCurrent}; after every op the
 * current context is the device of the backend that ran it ({@code cuCtxGetDevice}).
 */
@Tag("gpu")
class ContextSwitchTest {
    @Test
    void everyOpRunsInItsBackendsContextWhateverRanBeforeOnTheThread() throws Exception {
        int available = CudaStatus.probe().devices().size();
        try (Parity.Gpu probe = Parity.open(CudaBackend.Gemm.AUTO)) {
            probe.orSkip();
            assumeTrue(available >= 2, "needs 2 CUDA devices, this machine has " + available);
        }
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (CudaBackend a = CudaBackend.open(0, CudaBackend.Gemm.AUTO)) {
            FloatArray x;
            FloatArray y;
            try (CudaBackend b = CudaBackend.open(1, CudaBackend.Gemm.AUTO)) {
                x = a.allocate(4);
                assertCurrent(0);
                y = b.allocate(4);
                assertCurrent(1);
                for (int round = 0; round < 3; round++) {
                    a.fill(x, 0, 4, round);
                    assertCurrent(0);
                    b.fill(y, 0, 4, -round);
                    assertCurrent(1);
                    a.scale(x, 0, 4, 2f);
                    assertCurrent(0);
                }
                other.submit(() -> {
                    b.fill(y, 1, 2, 7f);
                    assertCurrent(1);
                    a.axpy(1f, x, 0, x, 0, 0);
                    assertCurrent(0);
                }).get();
                b.scale(y, 0, 4, 1f);
                assertCurrent(1);
                assertArrayEquals(new float[] {-2, 7, 7, -2}, Parity.get(b, y));
                assertCurrent(1);
                try (CudaGraph fill = a.capture(() -> a.fill(x, 0, 4, 3f))) {
                    b.synchronize();
                    fill.replay();
                    assertCurrent(0);
                }
            }
            assertArrayEquals(new float[] {3, 3, 3, 3}, Parity.get(a, x));
            try (CudaBackend again = CudaBackend.open(1, CudaBackend.Gemm.AUTO)) {
                a.fill(x, 0, 4, 5f);
                assertCurrent(0);
                FloatArray z = again.allocate(2);
                assertCurrent(1);
                again.fill(z, 0, 2, 4f);
                assertArrayEquals(new float[] {4, 4}, Parity.get(again, z));
                assertArrayEquals(new float[] {5, 5, 5, 5}, Parity.get(a, x));
                assertCurrent(0);
            }
        } finally {
            other.shutdownNow();
        }
    }

    /** The device of the context current on this thread is {@code device}. */
    private static void assertCurrent(int device) {
        CUdevice d = new CUdevice();
        Driver.check(JCudaDriver.cuCtxGetDevice(d), "cuCtxGetDevice");
        CUdevice want = new CUdevice();
        Driver.check(JCudaDriver.cuDeviceGet(want, device), "cuDeviceGet");
        assertEquals(want, d, "the current context's device");
    }
}
