package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.spec.BadInput;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** {@link DeviceChoice#openAll}: one backend per data-parallel replica, through the fake status/opener seam. */
class DeviceChoiceReplicasTest {
    private static final CudaStatus NO_DRIVER = new CudaStatus(Driver.NO_DRIVER, 0, List.of(), "9.0", null, null);
    private static final CudaStatus TWO_GPUS = new CudaStatus(null, 13000, List.of(
            new CudaDevice(0, "Fake A", 9, 0, 80L << 30, 132), new CudaDevice(1, "Fake B", 8, 0, 40L << 30, 108)),
            "9.0", null, null);
    private static final CudaStatus FOUR_SAME = new CudaStatus(null, 12040, List.of(
            new CudaDevice(0, "Fake H", 9, 0, 80L << 30, 132), new CudaDevice(1, "Fake H", 9, 0, 80L << 30, 132),
            new CudaDevice(2, "Fake H", 9, 0, 80L << 30, 132), new CudaDevice(3, "Fake H", 9, 0, 80L << 30, 132)),
            "9.0", null, null);
    private static final IntFunction<Backend> NEVER = i -> fail("no CUDA backend should be opened");

    /** Fake GPU backends that record which ordinals were opened and which closed. */
    private static final class Fakes implements IntFunction<Backend> {
        final List<Integer> opened = new ArrayList<>();
        final List<Integer> closed = new ArrayList<>();
        final int failAt;
        final RuntimeException failure;

        Fakes(int failAt, RuntimeException failure) {
            this.failAt = failAt;
            this.failure = failure;
        }

        @Override
        public Backend apply(int ordinal) {
            if (ordinal == failAt) {
                throw failure;
            }
            opened.add(ordinal);
            return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "close" -> {
                            closed.add(ordinal);
                            yield null;
                        }
                        case "name" -> "cuda:" + ordinal;
                        case "toString" -> "fake cuda:" + ordinal;
                        case "hashCode" -> ordinal;
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    @Test
    void cpuOpensOneCpuBackendPerReplica() {
        DeviceChoice.Choices c = DeviceChoice.openAll("cpu", 4, () -> fail("cpu needs no probe"), NEVER);
        assertEquals(4, c.backends().size());
        for (Backend b : c.backends()) {
            assertInstanceOf(CpuBackend.class, b);
        }
        assertNotSame(c.backends().get(0), c.backends().get(1));
        assertTrue(c.note().startsWith("cpu x 4 replicas; SGEMM "), c.note());
        assertTrue(c.note().endsWith(" threads"), c.note());
        c.backends().forEach(Backend::close);
    }

    @Test
    void oneReplicaIsExactlyWhatOpenGives() {
        Fakes fakes = new Fakes(-1, null);
        DeviceChoice.Choices all = DeviceChoice.openAll("cuda:1", 1, () -> TWO_GPUS, fakes);
        DeviceChoice.Choice one = DeviceChoice.open("cuda:1", () -> TWO_GPUS, fakes);
        assertEquals(one.note(), all.note());
        assertEquals(List.of(1, 1), fakes.opened);
        assertTrue(DeviceChoice.openAll("cpu", 1, () -> fail("cpu needs no probe"), NEVER).note()
                .startsWith("cpu; SGEMM "));
    }

    @Test
    void theSecondProcessOnAMachineTakesTheGpusAfterTheFirstOnes() {
        Fakes fakes = new Fakes(-1, null);
        DeviceChoice.Choices c = DeviceChoice.openAll("cuda", 2, 2, () -> FOUR_SAME, fakes);
        assertEquals(List.of(2, 3), fakes.opened);
        assertEquals(List.of("cuda:2", "cuda:3"), c.backends().stream().map(Backend::name).toList());
        Fakes named = new Fakes(-1, null);
        DeviceChoice.openAll("cuda:1", 1, 3, () -> FOUR_SAME, named);
        assertEquals(List.of(1), named.opened, "a GPU named explicitly stays what it names");
        BadInput e = assertThrows(BadInput.class, () -> DeviceChoice.openAll("cuda", 2, 2, () -> TWO_GPUS, NEVER));
        assertTrue(e.getMessage().contains("2 replicas need 4 CUDA devices: there are 2 CUDA devices"),
                e.getMessage());
        DeviceChoice.Choices cpu = DeviceChoice.openAll("auto", 2, 2, () -> TWO_GPUS, NEVER);
        assertTrue(cpu.note().startsWith("cpu x 2 replicas"), "auto falls back to the CPU: " + cpu.note());
    }

    @Test
    void cudaAndAutoOpenTheFirstNGpusInReplicaOrder() {
        Fakes fakes = new Fakes(-1, null);
        DeviceChoice.Choices c = DeviceChoice.openAll("cuda", 4, () -> FOUR_SAME, fakes);
        assertEquals(List.of(0, 1, 2, 3), fakes.opened);
        assertEquals(List.of("cuda:0", "cuda:1", "cuda:2", "cuda:3"), c.backends().stream().map(Backend::name).toList());
        assertEquals("cuda:0,1,2,3 (4 x Fake H, compute capability 9.0, 80.0 GiB, 132 multiprocessors, driver CUDA "
                + "12.4); SGEMM ?", c.note());
        Fakes auto = new Fakes(-1, null);
        DeviceChoice.Choices a = DeviceChoice.openAll("auto", 2, () -> TWO_GPUS, auto);
        assertEquals(List.of(0, 1), auto.opened);
        assertEquals("cuda:0,1 (cuda:0 Fake A, compute capability 9.0, 80.0 GiB, 132 multiprocessors; cuda:1 Fake B, "
                + "compute capability 8.0, 40.0 GiB, 108 multiprocessors, driver CUDA 13.0); SGEMM ?", a.note());
    }

    @Test
    void aListOpensThoseGpusInItsOrder() {
        Fakes fakes = new Fakes(-1, null);
        DeviceChoice.Choices c = DeviceChoice.openAll("cuda:3,1", 2, () -> FOUR_SAME, fakes);
        assertEquals(List.of(3, 1), fakes.opened);
        assertEquals(List.of("cuda:3", "cuda:1"), c.backends().stream().map(Backend::name).toList());
        assertTrue(c.note().startsWith("cuda:3,1 (2 x Fake H"), c.note());
    }

    @Test
    void autoWithTooFewGpusRunsTheReplicasOnTheCpuAndSaysWhy() {
        DeviceChoice.Choices c = DeviceChoice.openAll("auto", 4, () -> TWO_GPUS, NEVER);
        assertEquals(4, c.backends().size());
        assertInstanceOf(CpuBackend.class, c.backends().get(3));
        assertTrue(c.note().startsWith("cpu x 4 replicas (auto: 4 replicas need 4 CUDA devices: there are 2 CUDA "
                + "devices: cuda:0 to cuda:1); SGEMM "), c.note());
        DeviceChoice.Choices none = DeviceChoice.openAll("auto", 2, () -> NO_DRIVER, NEVER);
        assertTrue(none.note().startsWith("cpu x 2 replicas (auto: no NVIDIA driver: libcuda.so.1 not found); SGEMM"),
                none.note());
    }

    @Test
    void explicitCudaWithTooFewGpusIsBadInputWithTheCount() {
        BadInput e = assertThrows(BadInput.class, () -> DeviceChoice.openAll("cuda", 4, () -> TWO_GPUS, NEVER));
        assertEquals("device cuda (devices: 4) cannot be used: 4 replicas need 4 CUDA devices: there are 2 CUDA "
                + "devices: cuda:0 to cuda:1; use device: cpu, or auto to fall back to the CPU", e.getMessage());
        BadInput past = assertThrows(BadInput.class, () -> DeviceChoice.openAll("cuda:0,2", 2, () -> TWO_GPUS, NEVER));
        assertEquals("device cuda:0,2 cannot be used: no device cuda:2: there are 2 CUDA devices: cuda:0 to cuda:1; "
                + "use device: cpu, or auto to fall back to the CPU", past.getMessage());
    }

    @Test
    void aGpuThatFailsToOpenClosesTheOnesAlreadyOpenedThenFallsBackOrFails() {
        Fakes refusing = new Fakes(2, new CudaUnavailable("the kernels' PTX needs a newer driver"));
        DeviceChoice.Choices c = DeviceChoice.openAll("auto", 4, () -> FOUR_SAME, refusing);
        assertEquals(List.of(0, 1), refusing.opened);
        assertEquals(List.of(1, 0), refusing.closed, "opened backends are closed, last first");
        assertTrue(c.note().startsWith("cpu x 4 replicas (auto: the kernels' PTX needs a newer driver); SGEMM "),
                c.note());
        assertEquals(4, c.backends().size());

        Fakes broken = new Fakes(3, new CudaException("cuDevicePrimaryCtxRetain on cuda:3", 46));
        BadInput e = assertThrows(BadInput.class, () -> DeviceChoice.openAll("cuda", 4, () -> FOUR_SAME, broken));
        assertEquals("device cuda (devices: 4) cannot be used: setting up cuda:3 failed: cuDevicePrimaryCtxRetain on "
                + "cuda:3: CUDA_ERROR_DEVICE_UNAVAILABLE; use device: cpu, or auto to fall back to the CPU",
                e.getMessage());
        assertEquals(List.of(2, 1, 0), broken.closed);

        Fakes bug = new Fakes(1, new IllegalStateException("bug"));
        assertThrows(IllegalStateException.class, () -> DeviceChoice.openAll("auto", 2, () -> TWO_GPUS, bug));
        assertEquals(List.of(0), bug.closed, "an unexpected failure still closes what was opened");
    }

    @Test
    void deviceAndReplicaCountThatDisagreeAreBadInput() {
        assertEquals("device cuda:1 names one GPU but devices is 2; use device: cuda (cuda:0 to cuda:1) or list the "
                + "GPUs, e.g. cuda:0,1", assertThrows(BadInput.class,
                        () -> DeviceChoice.openAll("cuda:1", 2, () -> TWO_GPUS, NEVER)).getMessage());
        assertEquals("device cuda:0,1 lists 2 GPUs but devices is 3; list one GPU per replica", assertThrows(
                BadInput.class, () -> DeviceChoice.openAll("cuda:0,1", 3, () -> TWO_GPUS, NEVER)).getMessage());
        assertEquals("device cuda:1,1 names a GPU twice; list each GPU once", assertThrows(BadInput.class,
                () -> DeviceChoice.openAll("cuda:1,1", 2, () -> TWO_GPUS, NEVER)).getMessage());
        assertEquals("devices must be >= 1, got 0", assertThrows(BadInput.class,
                () -> DeviceChoice.openAll("cpu", 0, () -> TWO_GPUS, NEVER)).getMessage());
        assertEquals("device must be auto | cpu | cuda | cuda:N | cuda:N,M,..., got 'cuda:0,'", assertThrows(
                BadInput.class, () -> DeviceChoice.openAll("cuda:0,", 1, () -> TWO_GPUS, NEVER)).getMessage());
    }
}
