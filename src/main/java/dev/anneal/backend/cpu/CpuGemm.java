package dev.anneal.backend.cpu;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * SGEMM on Java arrays, row-major: {@code C = alpha * op(A) * op(B) + beta * C} with {@code op(A)} m x k,
 * {@code op(B)} k x n, leading dimensions {@code lda}, {@code ldb}, {@code ldc} (row strides).
 *
 * <p>Which code runs was chosen by measurement (docs/cpu-gemm-choice.md, {@code GemmBench}): the system BLAS
 * through netlib's JNI binding (Debian's OpenBLAS) when it loads, else {@link BlockedGemm}, a cache-blocked
 * pure-Java kernel with the rows of C split over {@link CpuParallel}'s threads. The system property
 * {@code anneal.cpu.gemm} forces one: {@code auto} (default), {@code native} or {@code java}; forcing
 * {@code native} where it does not load is an error, not a fallback.
 *
 * <p>OpenBLAS picks its kernels from the CPU model when it loads; a model newer than the library (Debian 12's
 * 0.3.21 on Emerald Rapids) falls back to SSE3 "Prescott" kernels, 5 to 6 times slower. The environment
 * variable {@code OPENBLAS_CORETYPE} (for example {@code SkylakeX}, {@code Haswell}) overrides the choice; it
 * must be set before the JVM starts, and {@link #implementation()} shows it when set. So does
 * {@code OPENBLAS_THREAD_TIMEOUT}: OpenBLAS's idle threads spin for {@code 2^value} cycles before they sleep
 * (default 2^28, about 0.1 s), taking a core from this backend's own parallel loops between SGEMMs;
 * {@code scripts/openblas-env.sh} sets 18.
 */
public final class CpuGemm {
    /** The system property that picks the implementation: {@code auto}, {@code native} or {@code java}. */
    public static final String PROPERTY = "anneal.cpu.gemm";

    private static final GemmKernel PURE = new BlockedGemm();

    private CpuGemm() {
    }

    /** The SGEMM in use, for {@code anneal} to print: {@code openblas (JNI, /usr/lib/...)} and the like. */
    public static String implementation() {
        return Active.KERNEL.name() + Active.NOTE;
    }

    /** The system BLAS through JNI, or empty when it does not load. */
    public static Optional<GemmKernel> nativeBlas() {
        return Optional.ofNullable(Native.KERNEL);
    }

    /** Why {@link #nativeBlas} is empty; empty when it loaded. */
    public static Optional<String> nativeBlasProblem() {
        return Optional.ofNullable(Native.PROBLEM);
    }

    /** The pure-Java fallback: {@link BlockedGemm}, C split over {@link CpuParallel}'s threads. */
    public static GemmKernel pureJava() {
        return PURE;
    }

    /** Row-major SGEMM with the active implementation; any of m, n, k may be 0. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        gemm(Active.KERNEL, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * Row-major SGEMM with {@code kernel}. Empty products are done here, since BLAS rejects leading dimensions
     * of 0: {@code m = 0} or {@code n = 0} leaves C alone; {@code k = 0} or {@code alpha = 0} gives
     * {@code C = beta * C} (zeros when {@code beta = 0}). A small {@code A^T B} over a long k and a tall product
     * over a tiny k are cut into pieces that run in parallel ({@link SkinnyGemm}) whatever the kernel.
     */
    static void gemm(GemmKernel kernel, boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff,
                     int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scaleC(m, n, beta, c, cOff, ldc);
            return;
        }
        if (SkinnyGemm.isSmallCLongK(transA, transB, m, n, k)) {
            SkinnyGemm.smallCLongK(kernel, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else if (SkinnyGemm.isTallTinyK(transA, m, n, k)) {
            SkinnyGemm.tallTinyK(kernel, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            kernel.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    private static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else if (beta != 1f) {
                for (int j = row; j < row + n; j++) {
                    c[j] *= beta;
                }
            }
        }
    }

    /** netlib logs a warning for each implementation it fails to load; we report the outcome ourselves. */
    private static <T> T quietly(Supplier<T> load) {
        Logger log = Logger.getLogger("dev.ludovic.netlib.blas.InstanceBuilder");
        Level old = log.getLevel();
        log.setLevel(Level.OFF);
        try {
            return load.get();
        } finally {
            log.setLevel(old);
        }
    }

    /** The shared library that provides BLAS in this process, from /proc/self/maps (Linux), or null. */
    private static String loadedBlasLibrary() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash < 0) {
                    continue;
                }
                String path = line.substring(slash);
                String file = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
                if (file.contains("blas") && !file.contains("netlibblasjni")) {
                    return path;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** {@code ", NAME=value"} when the environment variable is set, else empty. */
    private static String setting(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? "" : ", " + name + "=" + value.trim();
    }

    private static final class Native {
        static final GemmKernel KERNEL;
        static final String PROBLEM;

        static {
            GemmKernel kernel = null;
            String problem = null;
            try {
                BLAS blas = quietly(NativeBLAS::getInstance);
                String lib = loadedBlasLibrary();
                String what = lib != null && lib.toLowerCase(Locale.ROOT).contains("openblas") ? "openblas"
                        : "native BLAS";
                kernel = NetlibGemm.wrap(blas, what + " (JNI" + (lib == null ? "" : ", " + lib)
                        + setting("OPENBLAS_CORETYPE") + setting("OPENBLAS_THREAD_TIMEOUT") + ")");
            } catch (RuntimeException | LinkageError e) {
                problem = e.getMessage() == null ? e.toString() : e.getMessage();
            }
            KERNEL = kernel;
            PROBLEM = problem;
        }
    }

    private static final class Active {
        static final GemmKernel KERNEL;
        static final String NOTE;

        static {
            String choice = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
            switch (choice) {
                case "auto":
                    KERNEL = Native.KERNEL != null ? Native.KERNEL : PURE;
                    NOTE = Native.KERNEL != null ? "" : "; no native BLAS: " + Native.PROBLEM;
                    break;
                case "native":
                    if (Native.KERNEL == null) {
                        throw new IllegalStateException(PROPERTY + "=native but the native BLAS does not load: "
                                + Native.PROBLEM);
                    }
                    KERNEL = Native.KERNEL;
                    NOTE = "";
                    break;
                case "java":
                    KERNEL = PURE;
                    NOTE = "";
                    break;
                default:
                    throw new IllegalArgumentException(PROPERTY + " must be auto, native or java, got '" + choice
                            + "'");
            }
        }
    }
}
