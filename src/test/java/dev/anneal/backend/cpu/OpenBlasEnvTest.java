package dev.anneal.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/openblas-env.sh}, which {@code bin/anneal} sources: OpenBLAS's idle threads sleep after 2^18 cycles
 * unless the user chose a value (docs/BENCHMARKS.md: the default CNN's step 68 -> 54 ms on 2 cores).
 */
class OpenBlasEnvTest {
    private static final Path SCRIPT = Path.of("scripts/openblas-env.sh");

    @Test
    void setsTheThreadTimeoutWhenTheUserDidNot() throws Exception {
        assertEquals("18", timeoutAfterSourcing(null));
    }

    @Test
    void keepsTheUsersOwnThreadTimeout() throws Exception {
        assertEquals("25", timeoutAfterSourcing("25"));
    }

    /** {@code OPENBLAS_THREAD_TIMEOUT} in a bash that sourced the script, started with {@code given} (or none). */
    private static String timeoutAfterSourcing(String given) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(SCRIPT), SCRIPT.toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                "source \"$1\"; printf '%s' \"${OPENBLAS_THREAD_TIMEOUT-unset}\"", "bash", SCRIPT.toString());
        pb.environment().remove("OPENBLAS_THREAD_TIMEOUT");
        if (given != null) {
            pb.environment().put("OPENBLAS_THREAD_TIMEOUT", given);
        }
        pb.redirectErrorStream(true);
        Process p = pb.start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bash did not end");
            assertEquals(0, p.exitValue(), out);
            return out;
        } finally {
            p.destroyForcibly();
        }
    }
}
