package dev.anneal.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a non-finite number ({@code .nan}, {@code .inf}, {@code -.inf}, or a float too large for a double) in a
 * config tree. Each key's own rule rejects such a value first, naming what the key needs; this is the net under
 * those rules, so that no non-finite number reaches training through a key whose rule does not mention it.
 */
final class NonFiniteNumbers {
    private NonFiniteNumbers() {
    }

    /** The dotted key path of the first non-finite number in {@code node}, if there is one. */
    static Optional<String> first(JsonNode node) {
        return find(node, "");
    }

    /** The JSON pointer of a dotted key path such as {@code schedule.schedules[1].gamma}. */
    static String pointer(String path) {
        if (path.isEmpty()) {
            return "";
        }
        return "/" + path.replace("[", ".").replace("]", "").replace('.', '/');
    }

    private static Optional<String> find(JsonNode node, String path) {
        if (node.isNumber() && node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            return Optional.of(path);
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                Optional<String> found = find(f.getValue(), KeyPath.child(path, f.getKey()));
                if (found.isPresent()) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                Optional<String> found = find(node.get(i), KeyPath.index(path, i));
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }
}
