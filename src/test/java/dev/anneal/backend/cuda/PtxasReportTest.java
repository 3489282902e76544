package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The ptxas report of this build (scripts/check-ptx.sh): every kernel assembled for sm_75, sm_80 and sm_90, and the
 * optimizer and SGEMM kernels never spill.
 */
class PtxasReportTest {
    private static final Pattern ENTRY = Pattern.compile("Compiling entry function '(\\w+)' for '(sm_\\d+)'");
    private static final Pattern SPILL = Pattern.compile("(\\d+) bytes spill stores, (\\d+) bytes spill loads");
    private static final Set<String> OPTIMIZER = Set.of("sgd_step", "adam_step", "rmsprop_step",
            "finalize_step_scalars");

    @Test
    void optimizerKernelsDoNotSpillOnAnyArchitecture() throws IOException {
        assertNoSpills("optimizer", OPTIMIZER);
    }

    @Test
    void sgemmKernelsDoNotSpillOnAnyArchitecture() throws IOException {
        Set<String> sgemm = new HashSet<>();
        for (Kernel k : Kernel.values()) {
            if (k.module().equals("matmul")) {
                sgemm.add(k.entry());
            }
        }
        assertEquals(17, sgemm.size(), "4 tiles x 4 transpose cases and the split-K reduction");
        assertNoSpills("sgemm", sgemm);
    }

    private static void assertNoSpills(String family, Set<String> entries) throws IOException {
        List<String> lines = Files.readAllLines(BuiltPtx.ptxasReport());
        List<String> spills = new ArrayList<>();
        int builds = 0;
        String current = null;
        for (String line : lines) {
            Matcher e = ENTRY.matcher(line);
            if (e.find()) {
                current = e.group(1) + " for " + e.group(2);
                if (entries.contains(e.group(1))) {
                    builds++;
                }
                continue;
            }
            Matcher s = SPILL.matcher(line);
            if (s.find() && current != null && entries.contains(current.split(" ")[0])
                    && (!s.group(1).equals("0") || !s.group(2).equals("0"))) {
                spills.add(current + ": " + s.group());
            }
        }
        assertEquals(entries.size() * 3, builds, "each " + family + " kernel on sm_75, sm_80, sm_90");
        assertTrue(spills.isEmpty(), family + " kernels spill: " + spills);
    }

    @Test
    void everyKernelWasAssembledForEveryArchitecture() throws IOException {
        String report = Files.readString(BuiltPtx.ptxasReport());
        for (Kernel k : Kernel.values()) {
            for (String arch : List.of("sm_75", "sm_80", "sm_90")) {
                assertTrue(report.contains("Compiling entry function '" + k.entry() + "' for '" + arch + "'"),
                        k.entry() + " for " + arch);
            }
        }
    }
}
