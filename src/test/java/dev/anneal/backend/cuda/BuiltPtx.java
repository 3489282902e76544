package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The PTX this build packed ({@code ${anneal.build.dir}/classes/ptx}, copied from the committed
 * {@code cuda-kernels/ptx/}) and the ptxas report of {@code scripts/check-ptx.sh}. The PTX is always there, nvcc
 * or not; the report only where ptxas is installed, and tests that read it skip with that reason elsewhere.
 */
final class BuiltPtx {
    private BuiltPtx() {
    }

    static Path buildDir() {
        return Path.of(System.getProperty("anneal.build.dir", "target"));
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** The ptxas report, or a skip (no ptxas) or a failure (ptxas present but no report: a broken build). */
    static Path ptxasReport() {
        Path p = buildDir().resolve("ptxas-report.txt");
        if (!Files.exists(p)) {
            assumeTrue(onPath("ptxas"), "ptxas is not installed: the PTX was not assembled by this build");
            fail(p + " is missing although ptxas is installed: scripts/check-ptx.sh did not run");
        }
        return p;
    }

    /** A module's packed PTX; its absence is a broken build, never a skip. */
    static String ptx(String module) throws IOException {
        Path p = buildDir().resolve("classes/ptx/" + module + ".ptx");
        if (!Files.exists(p)) {
            fail(p + " is missing: the build must copy cuda-kernels/ptx/ into the classes (pom.xml)");
        }
        return Files.readString(p);
    }
}
