package dev.anneal.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code effective} section of a resolved config: values derived from the other keys, written so that a
 * run's {@code config.yaml} shows what actually ran.
 *
 * <pre>
 * effective:
 *   global_batch: 512            # data.batch_size x devices x train.accumulation_steps
 *   lr_scaling_factor: 2.0       # optimizer.lr_scaling: 1, or global_batch / reference_batch (linear)
 *   lr: 0.002                    # optimizer.lr x lr_scaling_factor: the base rate the schedule scales
 *   schedule: {...}              # with devices &gt; 1: the schedule section as run (durations as scaled)
 * </pre>
 *
 * It is never an input: reading a config recomputes these values. So that an edited copy cannot mislead, a
 * config read with an {@code effective} section must agree with it (each key present is compared; a missing one
 * is fine); a disagreement is an error naming the key. {@code --set} overrides change the inputs, so with any
 * override the section is not compared (it then describes the config before the override).
 */
final class EffectiveValues {
    static final String SECTION = "effective";
    private static final List<String> KEYS = List.of("global_batch", "lr_scaling_factor", "lr", "schedule");

    private EffectiveValues() {
    }

    /** The section for {@code config}; {@code withSchedule} adds the schedule as it runs on its devices. */
    static ObjectNode tree(AnnealConfig config, boolean withSchedule) {
        ObjectNode out = ConfigMapper.get().createObjectNode();
        out.put("global_batch", config.globalBatch());
        out.put("lr_scaling_factor", config.lrScalingFactor());
        out.put("lr", config.effectiveLr());
        if (withSchedule) {
            out.set("schedule", ResolvedConfig.toSchedule(config.effectiveSchedule()));
        }
        return out;
    }

    /** Fails at the first key of {@code written} that disagrees with what {@code config} gives. */
    static void check(ConfigDocument doc, JsonNode written, AnnealConfig config) {
        if (!written.isObject()) {
            throw doc.error(SECTION, "must be a mapping of derived values, got " + ConfigDocument.kind(written)
                    + "; delete it (anneal recomputes it)");
        }
        JsonNode expected = reparsed(tree(config, true));
        for (Iterator<String> it = written.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            String path = KeyPath.child(SECTION, key);
            if (!KEYS.contains(key)) {
                throw doc.error(path, "is not a key of effective" + Nearest.hint(key, KEYS));
            }
            String at = firstDifference(path, written.get(key), expected.get(key));
            if (at != null) {
                throw doc.error(at, "is " + show(written.at(pointer(at))) + " but the rest of the config gives "
                        + show(expected.at(pointer(at))) + "; effective only records values derived from the other "
                        + "keys: delete it, or change the keys it derives from");
            }
        }
    }

    /** The tree as it reads back from YAML, so that numbers compare as a written file's do. */
    private static JsonNode reparsed(ObjectNode tree) {
        try {
            return ConfigMapper.get().readTree(ConfigMapper.get().writeValueAsString(tree));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the effective values", e);
        }
    }

    /** The path of the first difference between {@code a} and {@code b} under {@code path}, or null. */
    private static String firstDifference(String path, JsonNode a, JsonNode b) {
        if (a == null || b == null || a.isNull() || b.isNull()) {
            return (a == null || a.isNull()) == (b == null || b.isNull()) ? null : path;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.doubleValue() == b.doubleValue() ? null : path;
        }
        if (a.isObject() && b.isObject()) {
            Set<String> keys = new LinkedHashSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                String d = firstDifference(KeyPath.child(path, k), a.get(k), b.get(k));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                String d = firstDifference(KeyPath.index(path, i), a.get(i), b.get(i));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return a.equals(b) ? null : path;
    }

    private static String show(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return "missing";
        }
        return n.isContainerNode() ? n.toString() : n.asText();
    }

    /** {@code effective.schedule.boundaries[1]} relative to the section's parent, as a JSON pointer. */
    private static String pointer(String path) {
        String rel = path.substring(SECTION.length());
        return rel.replace("[", ".").replace("]", "").replace('.', '/');
    }
}
