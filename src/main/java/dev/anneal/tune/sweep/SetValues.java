package dev.anneal.tune.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.config.ConfigMapper;
import java.io.IOException;

/**
 * A swept value as the text of {@code --set key=value}, which reads back (as YAML, the way {@code --set} reads
 * it) to the same node: numbers in Java's shortest round-trip form ({@code 1.0E-4}, {@code 0.95}, {@code 100}),
 * strings plain where YAML reads them back as the same string and double-quoted otherwise, lists and mappings in
 * flow style (JSON).
 */
final class SetValues {
    private SetValues() {
    }

    static String text(JsonNode value) {
        if (value.isTextual()) {
            String plain = value.asText();
            return value.equals(read(plain)) ? plain : value.toString();
        }
        return value.toString();
    }

    /** The node that YAML text reads to, or null when it is not valid YAML. */
    static JsonNode read(String text) {
        try {
            return ConfigMapper.get().readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
