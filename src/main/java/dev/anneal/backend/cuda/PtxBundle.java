package dev.anneal.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernels' PTX as the build packed it: the classpath resources {@code ptx/<module>.ptx}, one per
 * {@code cuda-kernels/<module>.cu}, and {@code ptx/BUILD-INFO} (the nvcc that made them). Says whether they are
 * there, which PTX ISA version they need ({@code .version 9.0}) and whether every {@link Kernel} matches its
 * module's {@code .entry} signature ({@link PtxEntries}).
 */
final class PtxBundle {
    static final String NOT_BUILT = "CUDA kernels missing from this build (no ptx/*.ptx resources: build the jar with this "
            + "repository's pom.xml)";
    private static final Pattern VERSION = Pattern.compile("(?m)^\\s*\\.version\\s+(\\d+\\.\\d+)");

    private final Map<String, String> modules;
    private final String buildInfo;

    PtxBundle(Map<String, String> modules, String buildInfo) {
        this.modules = Map.copyOf(modules);
        this.buildInfo = buildInfo;
    }

    /** The PTX packed in the jar (or the build's classes directory). */
    static PtxBundle fromClasspath() {
        Map<String, String> found = new LinkedHashMap<>();
        for (String module : modules()) {
            String text = resource("ptx/" + module + ".ptx");
            if (text != null) {
                found.put(module, text);
            }
        }
        String info = resource("ptx/BUILD-INFO");
        return new PtxBundle(found, info == null ? null : info.strip());
    }

    /** The module names the launchers need, in {@link Kernel} order. */
    static List<String> modules() {
        return Arrays.stream(Kernel.values()).map(Kernel::module).distinct().toList();
    }

    /** Null when every module is there and matches the launchers; otherwise why the kernels cannot be used. */
    String problem() {
        if (modules.isEmpty()) {
            return NOT_BUILT;
        }
        for (String module : modules()) {
            if (!modules.containsKey(module)) {
                return "CUDA kernels incomplete: ptx/" + module + ".ptx is missing from the build";
            }
        }
        for (Kernel k : Kernel.values()) {
            String mismatch = PtxEntries.mismatch(k, PtxEntries.parse(modules.get(k.module())));
            if (mismatch != null) {
                return "CUDA kernels do not match this build's launchers: " + mismatch;
            }
        }
        return null;
    }

    /** The PTX ISA version of the kernels ({@code "9.0"}), or null when none were built. */
    String version() {
        for (String module : modules()) {
            String text = modules.get(module);
            if (text != null) {
                Matcher m = VERSION.matcher(text);
                if (m.find()) {
                    return m.group(1);
                }
            }
        }
        return null;
    }

    /** The {@code nvcc: ...} line the build wrote, or null. */
    String buildInfo() {
        return buildInfo;
    }

    /** The module's PTX text. */
    String text(String module) {
        String text = modules.get(module);
        if (text == null) {
            throw new IllegalStateException("no PTX for module " + module);
        }
        return text;
    }

    /** The module's PTX as {@code cuModuleLoadData} takes it: the text's bytes with a terminating NUL. */
    byte[] image(String module) {
        byte[] text = text(module).getBytes(StandardCharsets.US_ASCII);
        return Arrays.copyOf(text, text.length + 1);
    }

    private static String resource(String name) {
        try (InputStream in = PtxBundle.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("reading " + name, e);
        }
    }
}
