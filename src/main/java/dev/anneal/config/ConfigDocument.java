package dev.anneal.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

    /** Reads a YAML config file; a missing, unreadable, empty or malformed file is a {@link ConfigError}. */
    public static ConfigDocument load(Path file) {
        String label = file.toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigError(label + ": no such file; pass an existing YAML config (see configs/)");
        } catch (IOException e) {
            throw new ConfigError(label + ": cannot read: " + e.getMessage());
        }
        return parse(label, text);
    }

    /** Parses YAML text; {@code label} names it in messages. */
    public static ConfigDocument parse(String label, String text) {
        if (text.isBlank()) {
            throw new ConfigError(label + ": the file is empty; a config needs at least an optimizer section");
        }
        try {
            Map<String, Integer> lines = new HashMap<>();
            try (JsonParser p = ConfigMapper.get().createParser(text)) {
                JsonToken t;
                while ((t = p.nextToken()) != null) {
                    if (t == JsonToken.FIELD_NAME || p.getParsingContext().inArray()) {
                        String path = dotted(p.getParsingContext().pathAsPointer());
                        lines.putIfAbsent(path, p.currentTokenLocation().getLineNr());
                    }
                }
            }
            JsonNode tree = ConfigMapper.get().readTree(text);
            if (!(tree instanceof ObjectNode obj)) {
                throw new ConfigError(label + ": the top level must be a mapping of sections "
                        + "(optimizer:, schedule:), got " + kind(tree));
            }
            return new ConfigDocument(label, obj, lines);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            String what = e.getOriginalMessage().split("\n")[0];
            throw new ConfigError(label + (line > 0 ? ":" + line : "") + ": not valid YAML: " + what);
        } catch (IOException e) {
            throw new ConfigError(label + ": cannot parse: " + e.getMessage());
        }
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
