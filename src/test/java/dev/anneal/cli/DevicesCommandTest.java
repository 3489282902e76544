package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anneal.backend.cuda.CudaStatus;
import org.junit.jupiter.api.Test;

class DevicesCommandTest {
    @Test
    void listsTheSetupAndSaysWhyCudaIsOffOrThatItIsOnAndExitsZero() {
        CliRun r = CliRun.of("devices");
        assertEquals(0, r.status(), r.err());
        CudaStatus s = CudaStatus.probe();
        String[] lines = r.lines();
        assertTrue(lines[0].startsWith("driver: "), r.out());
        assertEquals("kernels: " + s.kernels(), lines[1]);
        assertTrue(lines[2].startsWith("cuBLAS: "), r.out());
        assertEquals("cuDNN: not used: Anneal's own PTX kernels run every convolution (im2col + SGEMM); no cuDNN "
                + "binding is loaded (JCuda's jcudnn jar stops at 11.7.0, cuDNN 8, on Maven Central)", lines[3]);
        assertEquals(s.devices().size(), r.out().lines().filter(l -> l.startsWith("cuda:")).count(), r.out());
        assertTrue(r.out().contains("\ncpu: SGEMM "), r.out());
        String last = lines[lines.length - 1];
        if (s.usable()) {
            assertTrue(last.startsWith("CUDA: "), last);
        } else {
            assertEquals("CUDA: off: " + s.problem() + " (device: auto runs on the CPU)", last);
        }
    }

    @Test
    void withoutADriverTheReasonIsPrinted() {
        CudaStatus s = CudaStatus.probe();
        assumeTrue(s.driverVersion() == 0, "a CUDA driver answered here");
        CliRun r = CliRun.of("devices");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("driver: none\n"), r.out());
        assertTrue(r.out().contains("CUDA: off: " + s.problem()), r.out());
    }

    @Test
    void helpListsTheDevicesCommand() {
        assertTrue(CliRun.of("--help").out().contains("devices"));
    }
}
