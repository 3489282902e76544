package dev.anneal.config;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A config as read: the YAML tree, the line where each key path was written, and the origin of values that
 * {@code --set} overrides replaced. Errors found at any later stage are reported against it by {@link #where}.
 */
public final class ConfigDocument {
    private final String source;
    private final ObjectNode root;
    private final Map<String, Integer> lines;
    private final Map<String, String> overrides = new LinkedHashMap<>();

    private ConfigDocument(String source, ObjectNode root, Map<String, Integer> lines) {
        this.source = source;
        this.root = root;
        this.lines = lines;
    }

    /**
     * Reads a YAML config file; a missing, unreadable, binary, non-UTF-8, empty or malformed file is a
     * {@link ConfigError} naming the file and, where there is one, the line.
     */
    public static ConfigDocument load(Path file) {
        return parse(file.toString(), ConfigText.read(file));
    }

    /** Parses YAML text; {@code label} names it in messages. */
    public static ConfigDocument parse(String label, String text) {
        if (text.isBlank()) {
            throw new ConfigError(label + ": the file is empty; a config needs at least an optimizer section "
                    + "(see configs/)");
        }
        YamlTree.Parsed parsed;
        try {
            parsed = YamlTree.read(text);
        } catch (YamlTree.Invalid e) {
            throw new ConfigError(label + (e.line() > 0 ? ":" + e.line() : "") + ": " + e.getMessage());
        }
        JsonNode tree = parsed.root();
        if (tree == null || tree.isMissingNode() || tree.isNull()
                || (tree.isTextual() && tree.asText().isEmpty())) {
            throw new ConfigError(label + ": holds no settings, only comments or blank lines; a config needs at "
                    + "least an optimizer section (see configs/)");
        }
        if (!(tree instanceof ObjectNode obj)) {
            throw new ConfigError(label + (parsed.firstLine() > 0 ? ":" + parsed.firstLine() : "")
                    + ": the top level must be a mapping of sections (optimizer:, schedule:), got " + kind(tree)
                    + "; write 'optimizer:' at the start of a line, its keys indented below it");
        }
        return new ConfigDocument(label, obj, parsed.lines());
    }

    /** An empty document (every value comes from defaults and {@code --set}). */
    public static ConfigDocument empty(String label) {
        return new ConfigDocument(label, JsonNodeFactory.instance.objectNode(), new HashMap<>());
    }

    public ObjectNode root() {
        return root;
    }

    public String source() {
        return source;
    }

    void recordOverride(String path, String origin) {
        overrides.put(path, origin);
    }

    /** Whether any {@code --set} override changed this document. */
    boolean hasOverrides() {
        return !overrides.isEmpty();
    }

    /** The first key path that a {@code --set} override wrote at or under {@code path}, if any. */
    java.util.Optional<String> overriddenUnder(String path) {
        return overrides.keySet().stream().filter(p -> p.equals(path) || p.startsWith(path + ".")
                || p.startsWith(path + "[")).findFirst();
    }

    /** Whether the file or a {@code --set} override wrote {@code path} itself (not only a section around it). */
    boolean written(String path) {
        if (lines.containsKey(path)) {
            return true;
        }
        for (String p = path; !p.isEmpty(); p = KeyPath.parent(p)) {
            if (overrides.containsKey(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where the value at {@code path} came from: {@code --set key=value} if an override wrote it or an enclosing
     * key, else {@code file:line} of the key itself or of its nearest written ancestor.
     */
    public String where(String path) {
        for (String p = path; ; p = KeyPath.parent(p)) {
            if (overrides.containsKey(p)) {
                return overrides.get(p);
            }
            if (p.isEmpty()) {
                break;
            }
        }
        for (String p = path; !p.isEmpty(); p = KeyPath.parent(p)) {
            Integer line = lines.get(p);
            if (line != null) {
                return source + ":" + line;
            }
        }
        return source;
    }

    /** A ready message: {@code where(path): path problem}. */
    public ConfigError error(String path, String problem) {
        return new ConfigError(where(path) + ": " + path + " " + problem);
    }

    static String dotted(JsonPointer pointer) {
        StringBuilder out = new StringBuilder();
        for (JsonPointer p = pointer; p != null && !p.matches(); p = p.tail()) {
            if (p.mayMatchElement()) {
                out.append('[').append(p.getMatchingIndex()).append(']');
            } else {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(p.getMatchingProperty());
            }
        }
        return out.toString();
    }

    static String kind(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return "nothing";
        }
        if (n.isObject()) {
            return "a mapping";
        }
        if (n.isArray()) {
            return "a list";
        }
        return "'" + n.asText() + "'";
    }
}
