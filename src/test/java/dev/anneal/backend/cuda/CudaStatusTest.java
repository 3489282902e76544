package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.List;
import java.util.Map;
import jcuda.driver.CUresult;
import org.junit.jupiter.api.Test;

class CudaStatusTest {
    /** JCuda 12.6's message on a machine without libcuda.so.1 (stack lines shortened). */
    static final String NO_LIBCUDA = """
            Error while loading native library "JCudaDriver-12.6.0-linux-x86_64"
            Operating system name: Linux
            Architecture         : amd64
            Architecture bit size: 64
            ---(start of nested stack traces)---
            Stack trace from the attempt to load the library as a file:
            java.lang.UnsatisfiedLinkError: no JCudaDriver-12.6.0-linux-x86_64 in java.library.path: /usr/lib
            \tat java.base/java.lang.ClassLoader.loadLibrary(ClassLoader.java:2434)
            Stack trace from the attempt to load the library as a resource:
            java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open \
            shared object file: No such file or directory
            \tat java.base/jdk.internal.loader.NativeLibraries.load(Native Method)
            ---(end of nested stack traces)---
            """;

    private static final PtxBundle BUILT = FakePtx.matching("9.0");

    @Test
    void aMissingLibcudaIsReportedAsNoDriver() {
        assertEquals("no NVIDIA driver: libcuda.so.1 not found", Driver.describeLinkError(
                new UnsatisfiedLinkError(NO_LIBCUDA), "libcuda.so.1", Driver.NO_DRIVER, "other"));
    }

    @Test
    void anotherLoadFailureQuotesTheMostSpecificLine() {
        String message = NO_LIBCUDA.replace("libcuda.so.1: cannot open shared object file: No such file or directory",
                "undefined symbol: cuMemAllocAsync");
        assertEquals("JCuda's CUDA driver bindings did not load: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: "
                + "undefined symbol: cuMemAllocAsync", Driver.describeLinkError(new UnsatisfiedLinkError(message),
                "libcuda.so.1", Driver.NO_DRIVER, "JCuda's CUDA driver bindings did not load"));
        assertEquals("x: Could not initialize class jcuda.driver.JCudaDriver", Driver.describeLinkError(
                new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver"), "libcuda.so.1", "-",
                "x"));
    }

    @Test
    void aMissingCublasIsNamed() {
        String message = NO_LIBCUDA.replace("JCudaDriver", "JCublas2").replace("libcuda.so.1", "libcublas.so.12");
        assertEquals("libcublas.so.12 not found", Driver.describeLinkError(new UnsatisfiedLinkError(message),
                "libcublas.so.12", Cublas.NOT_FOUND, "other"));
    }

    @Test
    void onThisMachineWithoutLibcudaTheProbeSaysSo() {
        assumeFalse(Machine.libcudaVisible(), "libcuda.so.1 is installed here");
        CudaStatus s = CudaStatus.probe();
        assertEquals("no NVIDIA driver: libcuda.so.1 not found", s.problem());
        assertFalse(s.usable());
        assertEquals(List.of(), s.devices());
        assertEquals("none", s.driver());
    }

    @Test
    void reasonsComeInOrderDriverInitDevicesKernels() {
        assertEquals("no NVIDIA driver: libcuda.so.1 not found",
                CudaStatus.probe(Driver.NO_DRIVER, new FakeDriver(0, 1), BUILT, null).problem());
        assertEquals("no CUDA device",
                CudaStatus.probe(null, new FakeDriver(CUresult.CUDA_ERROR_NO_DEVICE, 0), BUILT, null).problem());
        assertEquals("cuInit failed: CUDA_ERROR_SYSTEM_DRIVER_MISMATCH", CudaStatus.probe(null,
                new FakeDriver(CUresult.CUDA_ERROR_SYSTEM_DRIVER_MISMATCH, 1), BUILT, null).problem());
        assertEquals("no CUDA device", CudaStatus.probe(null, new FakeDriver(0, 0), BUILT, null).problem());
        CudaStatus notBuilt = CudaStatus.probe(null, new FakeDriver(0, 2), new PtxBundle(Map.of(), null), null);
        assertEquals("CUDA kernels missing from this build (no ptx/*.ptx resources: build the jar with this "
                + "repository's pom.xml)", notBuilt.problem());
        assertEquals(2, notBuilt.devices().size(), "devices are listed even when the kernels are missing");
        assertEquals("CUDA kernels missing from this build (no ptx/*.ptx resources: build the jar with this "
                + "repository's pom.xml)", notBuilt.kernels());
    }

    @Test
    void aWorkingSetupIsUsableAndDescribesItself() {
        CudaStatus s = CudaStatus.probe(null, new FakeDriver(0, 2), BUILT, Cublas.NOT_FOUND);
        assertTrue(s.usable());
        assertNull(s.problem());
        assertEquals("CUDA 12.4", s.driver());
        assertEquals("PTX ISA 9.0 (nvcc: fake)", s.kernels());
        assertEquals("cuda:1", s.devices().get(1).id());
        assertEquals("Fake GPU 1, compute capability 8.6, 24.0 GiB, 84 multiprocessors", s.devices().get(1).describe());
        assertEquals(Cublas.NOT_FOUND, s.cublasProblem());
    }

    @Test
    void aDriverOlderThanThePtxIsToldToUpdate() {
        assertEquals("the driver supports CUDA 12.4 but the kernels' PTX needs a newer driver: update the NVIDIA "
                + "driver", CudaModules.loadFailure("optim", CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION, 12040));
        assertEquals("loading the CUDA kernels (optim.ptx) failed: CUDA_ERROR_INVALID_PTX",
                CudaModules.loadFailure("optim", CUresult.CUDA_ERROR_INVALID_PTX, 13000));
        assertEquals("13.0", Driver.cudaVersion(13000));
    }

    /** A driver with {@code count} devices whose cuInit returns {@code init}. */
    record FakeDriver(int init, int count) implements DeviceQueries {
        @Override
        public int driverVersion() {
            return 12040;
        }

        @Override
        public int deviceCount() {
            return count;
        }

        @Override
        public CudaDevice device(int ordinal) {
            return new CudaDevice(ordinal, "Fake GPU " + ordinal, 8, 6, 24L << 30, 84);
        }
    }
}
