package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anneal.backend.FloatArray;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Bugs planted in the peer all-reduce that the emulated driver (or the bit-exact check) must catch: reading a
 * replica's buffer without waiting for its stream, using the sum on a replica without waiting for device 0's
 * copies (a race on a GPU, which the emulation tracks with per-stream clocks), copying the sum back one element
 * off, and a kernel reading another device's memory without peer access enabled. Runs only under the emulator:
 * on a GPU the races would go unnoticed or corrupt data rather than fail.
 */
@Tag("emulator")
class EmulatedPeerPlantedBugsTest {
    private static final int N = 3000;

    @BeforeEach
    void emulatorOnly() {
        assumeTrue(PeerReplicas.emulated(), "runs only against the emulated driver (scripts/test-cuda-emulated.sh)");
    }

    @Test
    void readingAReplicaWithoutWaitingForItsStreamIsARace() {
        try (PeerReplicas rep = new PeerReplicas(0, 1);
             CudaPeerAllReduce reduce = CudaPeerAllReduce.open(rep.backends, 1000,
                     CudaPeerAllReduce.Planted.NO_WAIT_BEFORE_READ)) {
            List<FloatArray> buffers = rep.upload(PeerReplicas.data(1, 2, N));
            CudaException e = assertThrows(CudaException.class, () -> reduce.sum(buffers, 0, N));
            assertEquals(CUresult.CUDA_ERROR_ILLEGAL_STATE, e.result(), e.getMessage());
            assertTrue(e.getMessage().startsWith("cuMemcpyPeerAsync of 1000 floats from cuda:1 to cuda:0"),
                    e.getMessage());
        }
    }

    @Test
    void usingTheSumWithoutWaitingForDeviceZerosCopiesIsARace() {
        try (PeerReplicas rep = new PeerReplicas(0, 1);
             CudaPeerAllReduce reduce = CudaPeerAllReduce.open(rep.backends, 1000,
                     CudaPeerAllReduce.Planted.NO_WAIT_AFTER_WRITE)) {
            List<FloatArray> buffers = rep.upload(PeerReplicas.data(2, 2, N));
            reduce.sum(buffers, 0, N);
            CudaBackend second = (CudaBackend) rep.backends.get(1);
            CudaException kernel = assertThrows(CudaException.class, () -> second.scale(buffers.get(1), 0, N, 0.5f));
            assertEquals(CUresult.CUDA_ERROR_ILLEGAL_STATE, kernel.result(), kernel.getMessage());
            assertTrue(kernel.getMessage().contains("scale"), kernel.getMessage());
            CudaException download = assertThrows(CudaException.class,
                    () -> second.download(buffers.get(1), 0, new float[N], 0, N));
            assertEquals(CUresult.CUDA_ERROR_ILLEGAL_STATE, download.result(), download.getMessage());
        }
    }

    @Test
    void theCorrectSumPassesTheSameChecks() {
        try (PeerReplicas rep = new PeerReplicas(0, 1);
             CudaPeerAllReduce reduce = CudaPeerAllReduce.open(rep.backends, 1000, CudaPeerAllReduce.Planted.NONE)) {
            float[][] data = PeerReplicas.data(2, 2, N);
            List<FloatArray> buffers = rep.upload(data);
            reduce.sum(buffers, 0, N);
            rep.backends.get(1).scale(buffers.get(1), 0, N, 1f);
            rep.assertSummed(buffers, data, 0, N);
        }
    }

    @Test
    void copyingTheSumBackOneElementOffIsCaught() {
        try (PeerReplicas rep = new PeerReplicas(0, 1);
             CudaPeerAllReduce reduce = CudaPeerAllReduce.open(rep.backends, 1000,
                     CudaPeerAllReduce.Planted.SHIFTED_COPY_BACK)) {
            // At the end of the buffers: the emulated driver refuses the copy past the allocation.
            List<FloatArray> buffers = rep.upload(PeerReplicas.data(3, 2, N));
            CudaException e = assertThrows(CudaException.class, () -> reduce.sum(buffers, 0, N));
            assertEquals(CUresult.CUDA_ERROR_INVALID_VALUE, e.result(), e.getMessage());
            // Inside the buffers: the copies succeed and the bit-exact comparison fails.
            float[][] data = PeerReplicas.data(4, 2, N + 10);
            List<FloatArray> inside = rep.upload(data);
            reduce.sum(inside, 0, N);
            AssertionFailedError wrong = assertThrows(AssertionFailedError.class,
                    () -> rep.assertSummed(inside, data, 0, N));
            // replica 1's element 1000 is overwritten before chunk 2 adds it, so replica 0 goes wrong there too
            assertTrue(wrong.getMessage().startsWith("replica 0 index 1000:"), wrong.getMessage());
        }
    }

    @Test
    void aKernelReadingAnotherDevicesMemoryNeedsPeerAccess() throws Exception {
        try (PeerReplicas rep = new PeerReplicas(0, 1)) {
            CudaBackend first = (CudaBackend) rep.backends.get(0);
            CudaBackend second = (CudaBackend) rep.backends.get(1);
            CudaFloats remote = (CudaFloats) Parity.put(second, new float[] {1, 2, 3, 4});
            CudaFloats local = (CudaFloats) Parity.put(first, new float[] {10, 20, 30, 40});
            second.synchronize();
            first.makeCurrent();
            CUmodule module = new CUmodule();
            byte[] text = BuiltPtx.ptx("elementwise").getBytes(StandardCharsets.US_ASCII);
            Driver.check(JCudaDriver.cuModuleLoadData(module, Arrays.copyOf(text, text.length + 1)), "load");
            try {
                CUfunction axpy = new CUfunction();
                Driver.check(JCudaDriver.cuModuleGetFunction(axpy, module, "axpy"), "axpy");
                JCudaDriver.cuCtxDisablePeerAccess(second.context());  // whatever an earlier test left enabled
                // The planted bug: device 0 reads device 1's memory without cuCtxEnablePeerAccess.
                CudaException e = assertThrows(CudaException.class, () -> axpy(first, axpy, remote, local));
                assertEquals(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, e.result(), e.getMessage());
                if ("0".equals(System.getenv("ANNEAL_CUDA_EMULATOR_PEER"))) {
                    assertEquals(CUresult.CUDA_ERROR_PEER_ACCESS_UNSUPPORTED,
                            JCudaDriver.cuCtxEnablePeerAccess(second.context(), 0));
                    return;
                }
                Driver.check(JCudaDriver.cuCtxEnablePeerAccess(second.context(), 0), "cuCtxEnablePeerAccess");
                assertEquals(CUresult.CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED,
                        JCudaDriver.cuCtxEnablePeerAccess(second.context(), 0));
                axpy(first, axpy, remote, local);
                float[] back = new float[4];
                first.download(local, 0, back, 0, 4);
                assertTrue(Arrays.equals(new float[] {11, 22, 33, 44}, back), Arrays.toString(back));
                Driver.check(JCudaDriver.cuCtxDisablePeerAccess(second.context()), "cuCtxDisablePeerAccess");
                assertEquals(CUresult.CUDA_ERROR_PEER_ACCESS_NOT_ENABLED,
                        JCudaDriver.cuCtxDisablePeerAccess(second.context()));
            } finally {
                first.makeCurrent();
                JCudaDriver.cuModuleUnload(module);
            }
        }
    }

    /** {@code y += x} on {@code on}'s stream, x and y as raw pointers (whatever device they are on). */
    private static void axpy(CudaBackend on, CUfunction axpy, CudaFloats x, CudaFloats y) {
        on.makeCurrent();
        Pointer params = Pointer.to(Pointer.to(new float[] {1f}), Pointer.to(x.base()), Pointer.to(y.base()),
                Pointer.to(new long[] {4}));
        Driver.check(JCudaDriver.cuLaunchKernel(axpy, 1, 1, 1, 32, 1, 1, 0, on.stream(), params, null), "axpy");
    }
}
