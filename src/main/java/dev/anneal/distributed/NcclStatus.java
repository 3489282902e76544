package dev.anneal.distributed;

import dev.anneal.spec.BadInput;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Whether NCCL, the collective library of GPU clusters, is loaded in this process, and whether a run may use it
 * (the switch {@code -D}{@value #PROPERTY}). NCCL is {@code dlopen}ed at run time ({@value #DEFAULT_LIBRARY}, or the
 * path in {@code $}{@value #LIBRARY_VARIABLE}) through the MPI shim, which holds its natives; it is never linked,
 * so every build runs where it is absent.
 *
 * <p>The switch is {@code off} by default: this project's NCCL path has run only against a test stand-in
 * ({@code src/test/native/fake_nccl.cpp}, collectives over MPI on the CUDA emulation's host memory), never on a
 * GPU. With {@code on}, a multi-process run with one CUDA device per process sums gradients through NCCL
 * ({@code dev.anneal.backend.cuda.NcclChainAllReduce}) and stops with one line saying why where it cannot.
 */
public final class NcclStatus {
    /** The switch: {@code off} (default) or {@code on}. */
    public static final String PROPERTY = "anneal.nccl";
    /** Overrides the library's path (or soname). */
    public static final String LIBRARY_VARIABLE = "ANNEAL_NCCL_LIBRARY";
    public static final String DEFAULT_LIBRARY = "libnccl.so.2";

    /** Loaded ({@code version} present, {@code reason} empty) or not (why); {@code library} is what was opened. */
    public record Status(Optional<String> version, String library, String reason) {
        public boolean loaded() {
            return version.isPresent();
        }
    }

    private static Status status;

    private NcclStatus() {
    }

    /** Loads NCCL the first time (never throws); afterwards returns the same status. */
    public static synchronized Status load() {
        if (status == null) {
            status = load(System.getenv());
        }
        return status;
    }

    static Status load(Map<String, String> env) {
        String override = env.get(LIBRARY_VARIABLE);
        String library = override == null || override.isEmpty() ? DEFAULT_LIBRARY : override;
        MpiShim.Status shim = MpiShim.load();
        if (!shim.loaded()) {
            return new Status(Optional.empty(), library, "its natives are in the MPI shim, which is not loaded: "
                    + shim.reason());
        }
        String[] loaded = NcclNative.load(library);
        if (loaded[0] == null) {
            return new Status(Optional.empty(), library, loaded[1] + (override == null || override.isEmpty()
                    ? " (install NCCL 2.7+, or set " + LIBRARY_VARIABLE + " to its path)" : ""));
        }
        return new Status(Optional.of(loaded[0]), library, "");
    }

    /**
     * The switch: true for {@code -Danneal.nccl=on}, false for {@code off} or unset.
     *
     * @throws BadInput for any other value
     */
    public static boolean requested() {
        String v = System.getProperty(PROPERTY, "off").trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new BadInput("-D" + PROPERTY + " must be off or on, got '" + System.getProperty(PROPERTY)
                    + "'");
        };
    }

    /**
     * The line of {@code anneal devices}: {@code NCCL: loaded 2.21.5 (libnccl.so.2); used with -Danneal.nccl=on
     * in multi-process runs, one CUDA device per process} or {@code NCCL: not loaded: <reason>}.
     */
    public static String describe() {
        return describe(load());
    }

    static String describe(Status s) {
        if (!s.loaded()) {
            return "NCCL: not loaded: " + s.reason();
        }
        return "NCCL: loaded " + s.version().orElseThrow() + " (" + s.library() + "); used with -D" + PROPERTY
                + "=on in multi-process runs, one CUDA device per process (off by default: not yet run on a GPU)";
    }
}
