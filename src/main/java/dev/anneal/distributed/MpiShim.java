package dev.anneal.distributed;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds and loads {@value #LIBRARY}, the JNI shim of {@link MpiNative}. Places, in order:
 * <ol>
 *   <li>{@code $ANNEAL_MPI_SHIM}, the library's path; when set it is the only place looked at (a wrong value is
 *       reported, never replaced by another copy);</li>
 *   <li>{@code <directory of the running jar>/native/}{@value #LIBRARY}: {@code target/native} for
 *       {@code target/anneal.jar}, and {@code target/native} too when the classes run from {@code target/classes};</li>
 *   <li>{@code <anneal.home>/target/native/}{@value #LIBRARY} ({@code bin/anneal} sets {@code anneal.home}).</li>
 * </ol>
 * The result (loaded, with the library's path and MPI's version line, or why not) is computed once per JVM.
 */
public final class MpiShim {
    public static final String LIBRARY = "libanneal_mpi.so";
    public static final String PATH_VARIABLE = "ANNEAL_MPI_SHIM";
    static final String HOW_TO_BUILD = "install libopenmpi-dev and rebuild with scripts/build.sh";

    /** Loaded ({@code reason} empty), or not ({@code library} and {@code version} empty, {@code reason} says why). */
    public record Status(Optional<Path> library, Optional<String> version, String reason) {
        public boolean loaded() {
            return library.isPresent() && version.isPresent();
        }

        static Status ok(Path library, String version) {
            return new Status(Optional.of(library), Optional.of(version), "");
        }

        static Status failed(String reason) {
            return new Status(Optional.empty(), Optional.empty(), reason);
        }
    }

    /** Where the library was found, or why it was not. */
    record Location(Optional<Path> library, String reason) {
    }

    private static Status status;

    private MpiShim() {
    }

    /** Loads the shim the first time; afterwards returns the same status. */
    public static synchronized Status load() {
        if (status == null) {
            Location where = locate(System.getenv(), codeSourceDirectory(), System.getProperty("anneal.home"));
            status = where.library().map(MpiShim::loadFrom).orElseGet(() -> Status.failed(where.reason()));
        }
        return status;
    }

    /** The search above as a pure function of the environment, the code source's directory and anneal.home. */
    static Location locate(Map<String, String> env, Optional<Path> codeSourceDirectory, String annealHome) {
        String explicit = env.get(PATH_VARIABLE);
        if (explicit != null && !explicit.isEmpty()) {
            Path path = Path.of(explicit);
            return Files.isRegularFile(path) ? new Location(Optional.of(path), "")
                    : new Location(Optional.empty(), PATH_VARIABLE + "=" + explicit + " is not a file (point it at "
                            + LIBRARY + ", or unset it)");
        }
        List<Path> candidates = new ArrayList<>();
        codeSourceDirectory.ifPresent(dir -> candidates.add(dir.resolve("native").resolve(LIBRARY)));
        if (annealHome != null && !annealHome.isEmpty()) {
            candidates.add(Path.of(annealHome, "target", "native", LIBRARY));
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return new Location(Optional.of(candidate), "");
            }
        }
        String looked = candidates.isEmpty() ? "nowhere (no jar directory, no anneal.home; set " + PATH_VARIABLE + ")"
                : String.join(", ", candidates.stream().map(Path::toString).toList());
        return new Location(Optional.empty(), "the MPI shim " + LIBRARY + " is not built (looked at " + looked
                + "); " + HOW_TO_BUILD);
    }

    static Status loadFrom(Path library) {
        try {
            System.load(library.toAbsolutePath().toString());
            return Status.ok(library, MpiNative.libraryVersion());
        } catch (UnsatisfiedLinkError e) {
            return Status.failed("cannot load the MPI shim " + library + ": " + e.getMessage() + "; " + HOW_TO_BUILD);
        }
    }

    /** The directory holding the jar (or the classes directory's parent when running from target/classes). */
    private static Optional<Path> codeSourceDirectory() {
        CodeSource source = MpiShim.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return Optional.empty();
        }
        try {
            Path location = Path.of(source.getLocation().toURI());
            return Optional.ofNullable(location.toAbsolutePath().getParent());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
