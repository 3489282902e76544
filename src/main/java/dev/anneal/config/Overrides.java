package dev.anneal.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --set key.path=value} overrides, applied to the YAML tree before binding so that they are validated
 * exactly like the file. The value is read as YAML: {@code 500}, {@code 1e-3}, {@code true}, {@code adamw},
 * {@code [30, 60]}, {@code {type: linear, steps: 100}}; {@code null} unsets the key, so its default applies
 * ({@code --set train.clip_grad_norm=null}). Paths use dots and list indexes:
 * {@code schedule.schedules[1].t_max}. Missing mappings on the way are created; a list index must exist.
 */
public final class Overrides {
    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)((?:\\[\\d+])*)");
    private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");

    private Overrides() {
    }

    /** Applies each {@code key=value} in order; a later one wins. */
    public static void apply(ConfigDocument doc, List<String> assignments) {
        for (String a : assignments) {
            applyOne(doc, a);
        }
    }

    private static void applyOne(ConfigDocument doc, String assignment) {
        String origin = "--set " + assignment;
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new ConfigError(origin + ": expected key.path=value, e.g. --set schedule.t_max=500");
        }
        String path = assignment.substring(0, eq).trim();
        String text = assignment.substring(eq + 1).trim();
        if (text.isEmpty()) {
            throw new ConfigError(origin + ": " + path + " needs a value after '='");
        }
        JsonNode value;
        try {
            value = YamlTree.read(text).root();
        } catch (YamlTree.Invalid e) {
            String why = e.getMessage().replaceFirst("^not valid YAML: ", "").replace(" on this line", "")
                    .replace("this line", "the value");
            throw new ConfigError(origin + ": the value of " + path + " is not valid YAML: " + why);
        }
        if (value == null || value.isMissingNode()) {
            throw new ConfigError(origin + ": " + path + " needs a value after '=' (null unsets the key)");
        }
        List<Object> steps = parsePath(path, origin);
        JsonNode node = doc.root();
        String at = "";
        for (int i = 0; i < steps.size() - 1; i++) {
            Object step = steps.get(i);
            Object next = steps.get(i + 1);
            at = step instanceof String s ? KeyPath.child(at, s) : KeyPath.index(at, (Integer) step);
            JsonNode child = get(node, step);
            if (child == null || child.isNull()) {
                if (next instanceof Integer) {
                    throw new ConfigError(origin + ": " + at + " has no list to index");
                }
                child = JsonNodeFactory.instance.objectNode();
                put(node, step, child, origin, at);
            } else if (!(child instanceof ObjectNode) && !(child instanceof ArrayNode)) {
                throw new ConfigError(origin + ": " + at + " is a value, not a section, so it has no keys");
            }
            node = child;
        }
        Object last = steps.get(steps.size() - 1);
        if (value.isNull() && last instanceof String key && node instanceof ObjectNode o) {
            o.remove(key);
        } else {
            put(node, last, value, origin, path);
        }
        doc.recordOverride(canonical(steps), origin);
    }

    private static JsonNode get(JsonNode node, Object step) {
        if (step instanceof String s) {
            return node instanceof ObjectNode o ? o.get(s) : null;
        }
        int i = (Integer) step;
        return node instanceof ArrayNode a && i < a.size() ? a.get(i) : null;
    }

    private static void put(JsonNode node, Object step, JsonNode value, String origin, String at) {
        if (step instanceof String s) {
            if (!(node instanceof ObjectNode o)) {
                throw new ConfigError(origin + ": " + at + ": the enclosing value is a list; index it with [i]");
            }
            o.set(s, value);
            return;
        }
        int i = (Integer) step;
        if (!(node instanceof ArrayNode a)) {
            throw new ConfigError(origin + ": " + at + ": the enclosing value is not a list");
        }
        if (i >= a.size()) {
            throw new ConfigError(origin + ": " + at + ": index " + i + " is past the end of a list of " + a.size());
        }
        a.set(i, value);
    }

    private static List<Object> parsePath(String path, String origin) {
        List<Object> steps = new ArrayList<>();
        for (String part : path.split("\\.", -1)) {
            Matcher m = SEGMENT.matcher(part);
            if (!m.matches()) {
                throw new ConfigError(origin + ": '" + path + "' is not a key path like schedule.t_max or "
                        + "schedule.schedules[1].t_max");
            }
            steps.add(m.group(1));
            Matcher idx = INDEX.matcher(m.group(2));
            while (idx.find()) {
                String digits = idx.group(1);
                if (digits.length() > 9) {
                    throw new ConfigError(origin + ": index [" + digits + "] in '" + path + "' is past the end of any "
                            + "list; count from [0]");
                }
                steps.add(Integer.parseInt(digits));
            }
        }
        return steps;
    }

    private static String canonical(List<Object> steps) {
        String path = "";
        for (Object s : steps) {
            path = s instanceof String k ? KeyPath.child(path, k) : KeyPath.index(path, (Integer) s);
        }
        return path;
    }
}
