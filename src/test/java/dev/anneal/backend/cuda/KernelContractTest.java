package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Activation;
import dev.anneal.backend.StepScalars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class KernelContractTest {

    @Test
    void everyLaunchedKernelExistsInThePtxWithExactlyThePackedParameters() throws IOException {
        for (Kernel k : Kernel.values()) {
            Map<String, List<String>> entries = PtxEntries.parse(BuiltPtx.ptx(k.module()));
            assertNull(PtxEntries.mismatch(k, entries), k.name());
        }
    }

    @Test
    void everyPtxEntryIsLaunchedBySomeKernel() throws IOException {
        Set<String> modules = Arrays.stream(Kernel.values()).map(Kernel::module).collect(Collectors.toSet());
        Set<String> launched = Arrays.stream(Kernel.values()).map(Kernel::entry).collect(Collectors.toSet());
        Set<String> unlaunched = new TreeSet<>();
        for (String m : modules) {
            unlaunched.addAll(PtxEntries.parse(BuiltPtx.ptx(m)).keySet());
        }
        unlaunched.removeAll(launched);
        assertTrue(unlaunched.isEmpty(), "kernels no launcher knows: " + unlaunched);
    }

    @Test
    void aWrongParameterListIsDetected() {
        String ptx = ".visible .entry fill(\n .param .u64 fill_param_0,\n .param .f32 fill_param_1\n)\n{ ret; }";
        String problem = PtxEntries.mismatch(Kernel.FILL, PtxEntries.parse(ptx));
        assertEquals("fill takes 2 parameters in the PTX, the launcher packs 3", problem);
        String swapped = ".entry fill(.param .u64 a, .param .f32 b, .param .u64 c)";
        assertEquals("fill parameter 1 is .f32 in the PTX, the launcher packs I64",
                PtxEntries.mismatch(Kernel.FILL, PtxEntries.parse(swapped)));
    }

    @Test
    void stepScalarSlotsAndActivationCodesAgreeWithTheKernelHeader() throws Exception {
        String header = Files.readString(Path.of("cuda-kernels/common.cuh"));
        Map<String, Integer> defines = defines(header);
        for (String name : List.of("LR", "STEP_SIZE", "BIAS_CORRECTION2_SQRT", "DECAY_FACTOR", "GRAD_SCALE", "SKIP",
                "MOMENTUM", "FIRST_STEP", "ONE_MINUS_MOMENTUM", "APPLIED", "SPECULATIVE", "LIVE", "IF_SKIPPED",
                "IF_APPLIED")) {
            int java = StepScalars.class.getField(name).getInt(null);
            assertEquals(java, defines.get("SS_" + name), "slot " + name);
        }
        for (Activation a : Activation.values()) {
            assertEquals(a.ordinal(), defines.get("ACT_" + a.name()), "activation " + a);
        }
    }

    private static Map<String, Integer> defines(String header) {
        Matcher m = Pattern.compile("#define (\\w+) (\\d+)").matcher(header);
        Map<String, Integer> out = new java.util.HashMap<>();
        while (m.find()) {
            out.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return out;
    }
}
