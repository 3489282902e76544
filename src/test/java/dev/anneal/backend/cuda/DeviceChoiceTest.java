package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.config.ConfigError;
import dev.anneal.config.LoadedConfig;
import dev.anneal.spec.BadInput;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class DeviceChoiceTest {
    private static final CudaStatus NO_DRIVER = new CudaStatus(Driver.NO_DRIVER, 0, List.of(), "9.0", null, null);
    private static final CudaStatus TWO_GPUS = new CudaStatus(null, 13000, List.of(
            new CudaDevice(0, "Fake A", 9, 0, 80L << 30, 132), new CudaDevice(1, "Fake B", 8, 0, 40L << 30, 108)),
            "9.0", null, null);
    private static final IntFunction<Backend> NEVER = i -> fail("no CUDA backend should be opened");

    @Test
    void cpuIsTheCpu() {
        DeviceChoice.Choice c = DeviceChoice.open("cpu", () -> fail("cpu needs no probe"), NEVER);
        assertInstanceOf(CpuBackend.class, c.backend());
        assertTrue(c.note().startsWith("cpu; SGEMM "), c.note());
        assertTrue(c.note().endsWith(" threads"), c.note());
    }

    @Test
    void autoFallsBackToTheCpuAndSaysWhy() {
        DeviceChoice.Choice c = DeviceChoice.open("auto", () -> NO_DRIVER, NEVER);
        assertInstanceOf(CpuBackend.class, c.backend());
        assertTrue(c.note().startsWith("cpu (auto: no NVIDIA driver: libcuda.so.1 not found); SGEMM "), c.note());
    }

    @Test
    void explicitCudaThatCannotBeHonouredIsBadInputWithTheReason() {
        BadInput e = assertThrows(BadInput.class, () -> DeviceChoice.open("cuda", () -> NO_DRIVER, NEVER));
        assertEquals("device cuda cannot be used: no NVIDIA driver: libcuda.so.1 not found; use device: cpu, or auto "
                + "to fall back to the CPU", e.getMessage());
    }

    @Test
    void onThisMachineWithoutLibcudaAutoRunsOnTheCpuAndCudaIsRefused() {
        assumeFalse(Machine.libcudaVisible(), "libcuda.so.1 is installed here");
        DeviceChoice.Choice c = DeviceChoice.open("auto");
        assertInstanceOf(CpuBackend.class, c.backend());
        assertTrue(c.note().startsWith("cpu (auto: no NVIDIA driver: libcuda.so.1 not found); SGEMM "), c.note());
        BadInput e = assertThrows(BadInput.class, () -> DeviceChoice.open("cuda:0"));
        assertTrue(e.getMessage().startsWith("device cuda:0 cannot be used: no NVIDIA driver: libcuda.so.1 not found"),
                e.getMessage());
    }

    @Test
    void aDevicePastTheLastSaysHowManyThereAre() {
        BadInput e = assertThrows(BadInput.class, () -> DeviceChoice.open("cuda:5", () -> TWO_GPUS, NEVER));
        assertEquals("device cuda:5 cannot be used: no device cuda:5: there are 2 CUDA devices: cuda:0 to cuda:1; use "
                + "device: cpu, or auto to fall back to the CPU", e.getMessage());
        assertEquals("there is 1 CUDA device: cuda:0", DeviceChoice.count(1));
    }

    @Test
    void cudaNOpensDeviceNAndAutoOpensTheFirst() {
        List<Integer> opened = new ArrayList<>();
        IntFunction<Backend> open = i -> {
            opened.add(i);
            return new CpuBackend();
        };
        DeviceChoice.Choice one = DeviceChoice.open("cuda:1", () -> TWO_GPUS, open);
        DeviceChoice.open("auto", () -> TWO_GPUS, open);
        DeviceChoice.open("cuda", () -> TWO_GPUS, open);
        assertEquals(List.of(1, 0, 0), opened);
        assertEquals("cuda:1 (Fake B, compute capability 8.0, 40.0 GiB, 108 multiprocessors, driver CUDA 13.0); SGEMM ?",
                one.note());
    }

    @Test
    void aDeviceThatRefusesTheKernelsSendsAutoToTheCpu() {
        String tooNew = CudaModules.loadFailure("optim", jcuda.driver.CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION,
                12040);
        IntFunction<Backend> refuse = i -> {
            throw new CudaUnavailable(tooNew);
        };
        DeviceChoice.Choice c = DeviceChoice.open("auto", () -> TWO_GPUS, refuse);
        assertTrue(c.note().startsWith("cpu (auto: the driver supports CUDA 12.4 but the kernels' PTX needs a newer "
                + "driver: update the NVIDIA driver); SGEMM"), c.note());
        BadInput e = assertThrows(BadInput.class, () -> DeviceChoice.open("cuda", () -> TWO_GPUS, refuse));
        assertTrue(e.getMessage().contains(tooNew), e.getMessage());
        IntFunction<Backend> broken = i -> {
            throw new CudaException("cuDevicePrimaryCtxRetain on cuda:0", 46);
        };
        assertEquals("cpu (auto: setting up cuda:0 failed: cuDevicePrimaryCtxRetain on cuda:0: "
                + "CUDA_ERROR_DEVICE_UNAVAILABLE)", DeviceChoice.open("auto", () -> TWO_GPUS, broken).note()
                .split("; SGEMM")[0]);
    }

    @Test
    void theSgemmPropertyIsCheckedAsUserInput() {
        String before = System.getProperty(CudaBackend.GEMM_PROPERTY);
        try {
            System.setProperty(CudaBackend.GEMM_PROPERTY, "kernels");
            assertEquals(CudaBackend.Gemm.KERNELS, CudaBackend.Gemm.fromProperty());
            System.setProperty(CudaBackend.GEMM_PROPERTY, "cuda");
            BadInput e = assertThrows(BadInput.class, CudaBackend.Gemm::fromProperty);
            assertEquals("-Danneal.cuda.gemm must be auto, kernels or cublas, got 'cuda'", e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(CudaBackend.GEMM_PROPERTY);
            } else {
                System.setProperty(CudaBackend.GEMM_PROPERTY, before);
            }
        }
        assertEquals(CudaBackend.Gemm.AUTO, CudaBackend.Gemm.fromProperty());
    }

    @Test
    void configAcceptsAutoCpuCudaAndCudaN() {
        for (String ok : List.of("auto", "cpu", "cuda", "cuda:0", "cuda:7", "cuda:12")) {
            assertEquals(ok, config("device: '" + ok + "'").device());
        }
        assertEquals("cuda:1", config("device: cuda:1").device(), "unquoted YAML");
        assertEquals("auto", config("").device(), "default");
    }

    @Test
    void configRejectsOtherDevicesWithTheNearestValidForm() {
        assertEquals("must be auto | cpu | cuda | cuda:N | cuda:N,M,... (N a device number >= 0), got 'cuda:x'; "
                + "did you mean cuda (the first GPU) or cuda:N?", rejected("cuda:x"));
        assertEquals("must be auto | cpu | cuda | cuda:N | cuda:N,M,... (N a device number >= 0), got 'gpu'; did you "
                + "mean cuda (the first GPU) or cuda:N?", rejected("gpu"));
        assertTrue(rejected("gpu:1").endsWith("got 'gpu:1'; did you mean cuda:1?"), rejected("gpu:1"));
        assertTrue(rejected("cuda1").endsWith("; did you mean cuda:1?"));
        assertTrue(rejected("cuda:01").endsWith("; did you mean cuda:1?"));
        assertTrue(rejected("cuda:-1").endsWith("; did you mean cuda (the first GPU) or cuda:N?"));
        assertTrue(rejected("CUDA").endsWith("; did you mean cuda?"));
        assertTrue(rejected("cpuu").endsWith("; did you mean cpu?"));
        assertTrue(rejected("tpu:0").endsWith("got 'tpu:0'"), rejected("tpu:0"));
    }

    private static dev.anneal.config.AnnealConfig config(String device) {
        return LoadedConfig.parse("t.yaml", "optimizer: {type: sgd, lr: 0.1}\n" + device + "\n", List.of()).config();
    }

    /** The problem part of the config error for {@code device}. */
    private static String rejected(String device) {
        ConfigError e = assertThrows(ConfigError.class, () -> config("device: '" + device + "'"));
        String m = e.getMessage();
        assertFalse(m.isEmpty());
        int at = m.indexOf("must be");
        assertTrue(at >= 0, m);
        return m.substring(at);
    }
}
