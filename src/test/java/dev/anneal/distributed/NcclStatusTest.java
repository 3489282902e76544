package dev.anneal.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anneal.spec.BadInput;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The NCCL switch and the {@code anneal devices} line; and, where the MPI shim builds, that a missing library or
 * one without NCCL's entry points is reported with the reason (NCCL is never required to build or run).
 */
class NcclStatusTest {
    @Test
    void theSwitchIsOffUnlessSetToOnAndRejectsOtherValues() {
        String before = System.getProperty(NcclStatus.PROPERTY);
        try {
            System.clearProperty(NcclStatus.PROPERTY);
            assertFalse(NcclStatus.requested());
            System.setProperty(NcclStatus.PROPERTY, "off");
            assertFalse(NcclStatus.requested());
            System.setProperty(NcclStatus.PROPERTY, "ON");
            assertTrue(NcclStatus.requested());
            System.setProperty(NcclStatus.PROPERTY, "yes");
            BadInput e = assertThrows(BadInput.class, NcclStatus::requested);
            assertEquals("-Danneal.nccl must be off or on, got 'yes'", e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(NcclStatus.PROPERTY);
            } else {
                System.setProperty(NcclStatus.PROPERTY, before);
            }
        }
    }

    @Test
    void theDevicesLineNamesVersionLibraryAndSwitchOrWhyNot() {
        assertEquals("NCCL: loaded 2.21.5 (libnccl.so.2); used with -Danneal.nccl=on in multi-process runs, one CUDA "
                + "device per process (off by default: not yet run on a GPU)",
                NcclStatus.describe(new NcclStatus.Status(Optional.of("2.21.5"), "libnccl.so.2", "")));
        assertEquals("NCCL: not loaded: libnccl.so.2: cannot open shared object file",
                NcclStatus.describe(new NcclStatus.Status(Optional.empty(), "libnccl.so.2",
                        "libnccl.so.2: cannot open shared object file")));
    }

    @Test
    void aMissingLibraryOrOneWithoutNcclIsReported() throws Exception {
        MpiRun.shimOrSkip();
        assumeTrue(MpiShim.load().loaded(), () -> "the MPI shim does not load: " + MpiShim.load().reason());
        assumeTrue(!NcclStatus.load().loaded(), "NCCL (or its stand-in) is loaded in this JVM, and loads once");
        NcclStatus.Status missing = NcclStatus.load(Map.of(NcclStatus.LIBRARY_VARIABLE, "/nonexistent/libnccl.so.2"));
        assertFalse(missing.loaded());
        assertEquals("/nonexistent/libnccl.so.2: cannot open shared object file: No such file or directory",
                missing.reason());
        NcclStatus.Status notNccl = NcclStatus.load(Map.of(NcclStatus.LIBRARY_VARIABLE, "libm.so.6"));
        assertEquals("libm.so.6 has no ncclGetVersion (Anneal needs NCCL 2.7 or later)", notNccl.reason());
        NcclStatus.Status byDefault = NcclStatus.load(Map.of());
        assertTrue(byDefault.reason().endsWith("(install NCCL 2.7+, or set ANNEAL_NCCL_LIBRARY to its path)"),
                byDefault.reason());
    }
}
