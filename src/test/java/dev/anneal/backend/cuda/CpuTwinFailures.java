package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs calls on the CPU backend and on the CUDA backend's host half ({@link PlannedBackend}, 132 SMs) and
 * compares how they fail: the validation tests' one rule, that the CUDA backend refuses what the CPU backend
 * refuses, in the same way. Each call allocates its buffers on the backend it is given.
 */
final class CpuTwinFailures {
    private CpuTwinFailures() {
    }

    /** Every call throws on both backends, the same exception class with the same message. */
    static void assertSameFailures(Map<String, Consumer<Backend>> calls) {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, Consumer<Backend>> e : calls.entrySet()) {
            RuntimeException cpu = failure(e.getValue(), new CpuBackend());
            RuntimeException cuda = failure(e.getValue(), new PlannedBackend(132));
            if (cpu == null || cuda == null) {
                differences.add(e.getKey() + ": cpu threw " + cpu + ", cuda threw " + cuda);
            } else if (cpu.getClass() != cuda.getClass() || !cpu.getMessage().equals(cuda.getMessage())) {
                differences.add(e.getKey() + ":\n  cpu  " + cpu + "\n  cuda " + cuda);
            }
        }
        assertTrue(differences.isEmpty(), String.join("\n", differences));
    }

    /** Every call throws on both backends, the same exception class (the messages may differ). */
    static void assertSameExceptionTypes(Map<String, Consumer<Backend>> calls) {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, Consumer<Backend>> e : calls.entrySet()) {
            RuntimeException cpu = failure(e.getValue(), new CpuBackend());
            RuntimeException cuda = failure(e.getValue(), new PlannedBackend(132));
            if (cpu == null || cuda == null || cpu.getClass() != cuda.getClass()) {
                differences.add(e.getKey() + ": cpu threw " + cpu + ", cuda threw " + cuda);
            }
        }
        assertTrue(differences.isEmpty(), String.join("\n", differences));
    }

    /** What {@code call} threw on {@code b}, or null when it returned. */
    static RuntimeException failure(Consumer<Backend> call, Backend b) {
        try {
            call.accept(b);
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }
}
