package dev.anneal.tune.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.config.Nearest;
import dev.anneal.spec.BadInput;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A sweep written in the config file, as a {@code sweep:} section in the manner of a W&B sweep configuration:
 * <pre>
 * sweep:
 *   method: grid                 # grid | random (default: random when count is given, else grid)
 *   metric: {name: test_accuracy, goal: maximize}   # or metric: test_loss and goal: min; val_* with
 *                                                   # data.validation_split
 *   count: 20                    # random search: number of trials
 *   seed: 0
 *   early_terminate: {type: asha, min_epochs: 1, eta: 3}
 *   parameters:
 *     optimizer.lr: logspace(-5, 0, 10)          # any form --grid/--space takes
 *     schedule.gamma: {values: [0.9, 0.95, 0.99]}
 *     optimizer.weight_decay: {distribution: log_uniform_values, min: 1e-5, max: 1e-1}
 * </pre>
 * W&B's forms for a key: {@code values}, {@code value}, {@code distribution} {@code uniform},
 * {@code log_uniform_values}, {@code int_uniform} (with {@code min}, {@code max}) or {@code categorical} (with
 * {@code values}); {@code hyperband}'s {@code min_iter} and {@code eta} for {@code early_terminate}. Keys are
 * dotted config paths.
 */
final class SweepSection {
    /** What the section says; null where it says nothing. */
    record Values(String method, List<SweptKey> keys, Integer count, Long seed, String metric, String goal,
                  Asha asha) {
    }

    private static final List<String> KEYS = List.of("method", "parameters", "count", "seed", "metric", "goal",
            "early_terminate");

    private SweepSection() {
    }

    static Values read(JsonNode section, BaseConfig base) {
        String at = base.where(BaseConfig.SECTION);
        if (!section.isObject()) {
            throw new BadInput(at + ": sweep must be a mapping (method:, parameters:, ...)");
        }
        for (Iterator<String> it = section.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new BadInput(base.where("sweep." + k) + ": sweep." + k + " is not a sweep key" + Nearest.to(k,
                        KEYS).map(n -> "; did you mean " + n + "?").orElse("; valid: " + String.join(", ", KEYS)));
            }
        }
        String metric = null;
        String goal = text(section.get("goal"));
        JsonNode m = section.get("metric");
        if (m != null && m.isObject()) {
            metric = text(m.get("name"));
            goal = goal != null ? goal : text(m.get("goal"));
        } else if (m != null) {
            metric = m.asText();
        }
        Integer count = section.has("count") ? integer(section.get("count"), base.where("sweep.count") + ": sweep.count")
                : null;
        Long seed = section.has("seed") ? (long) integer(section.get("seed"), base.where("sweep.seed") + ": sweep.seed")
                : null;
        String method = text(section.get("method"));
        if (method == null) {
            method = count != null ? SweepSpec.RANDOM : SweepSpec.GRID;
        }
        return new Values(method, parameters(section.get("parameters"), base), count, seed, metric, goal,
                asha(section.get("early_terminate"), base));
    }

    private static List<SweptKey> parameters(JsonNode params, BaseConfig base) {
        List<SweptKey> keys = new ArrayList<>();
        if (params == null || params.isNull()) {
            return keys;
        }
        if (!params.isObject()) {
            throw new BadInput(base.where("sweep.parameters") + ": sweep.parameters must be a mapping of config keys "
                    + "to their values");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String origin = base.where("sweep.parameters." + e.getKey()) + ": sweep.parameters." + e.getKey();
            keys.add(new SweptKey(e.getKey(), space(e.getValue(), origin)));
        }
        return keys;
    }

    private static ValueSpace space(JsonNode v, String origin) {
        if (v.isTextual()) {
            return SpaceParser.parse(v.asText(), origin);
        }
        if (!v.isObject()) {
            return SpaceParser.list(v, v.toString(), origin);
        }
        if (v.has("values")) {
            return SpaceParser.list(v.get("values"), v.get("values").toString(), origin);
        }
        if (v.has("value")) {
            return SpaceParser.list(v.get("value"), v.get("value").toString(), origin);
        }
        String d = text(v.get("distribution"));
        String range = "(" + v.path("min").asText() + ", " + v.path("max").asText() + ")";
        if (d == null || !v.has("min") || !v.has("max")) {
            throw new BadInput(origin + ": expected values: [...], value: x, or distribution: uniform | "
                    + "log_uniform_values | int_uniform with min and max");
        }
        return switch (d) {
            case "uniform" -> SpaceParser.parse("uniform" + range, origin);
            case "log_uniform_values", "loguniform" -> SpaceParser.parse("loguniform" + range, origin);
            case "int_uniform" -> SpaceParser.parse("int_uniform" + range, origin);
            default -> throw new BadInput(origin + ": distribution " + d + " is not supported; use uniform, "
                    + "log_uniform_values, int_uniform or values: [...]");
        };
    }

    private static Asha asha(JsonNode et, BaseConfig base) {
        if (et == null || et.isNull()) {
            return null;
        }
        String at = base.where("sweep.early_terminate") + ": sweep.early_terminate";
        String type = text(et.get("type"));
        if (type == null || !(type.equals("asha") || type.equals("hyperband"))) {
            throw new BadInput(at + ": type must be asha (or W&B's hyperband, run as ASHA), got " + type);
        }
        JsonNode min = et.has("min_epochs") ? et.get("min_epochs") : et.get("min_iter");
        return new Asha(min == null ? 1 : integer(min, at + ".min_epochs"),
                et.has("eta") ? integer(et.get("eta"), at + ".eta") : 3);
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static int integer(JsonNode n, String origin) {
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new BadInput(origin + " must be an integer, got " + n);
        }
        return n.asInt();
    }
}
