package dev.anneal.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anneal.optim.OptimizerSpec;
import dev.anneal.optim.OptimizerTypes;
import dev.anneal.schedule.ScheduleConfig;
import dev.anneal.schedule.ScheduleTypes;
import java.util.Map;

/**
 * The fully resolved config as YAML: every key with its value after defaults and overrides, in the layout of
 * the input, so that it reads back to the same {@link AnnealConfig} (a run's provenance record). It ends with the
 * {@code effective} section ({@link EffectiveValues}): the global batch, the lr scaling factor, the effective
 * base rate and, with {@code devices > 1}, the schedule with its durations as they run on those devices.
 */
public final class ResolvedConfig {
    private ResolvedConfig() {
    }

    public static String toYaml(AnnealConfig config) {
        try {
            return ConfigMapper.get().writeValueAsString(toTree(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the resolved config", e);
        }
    }

    public static ObjectNode toTree(AnnealConfig config) {
        ObjectMapper m = ConfigMapper.get();
        ObjectNode root = m.createObjectNode();
        ObjectNode optimizer = typed(nameOf(config.optimizer()), m.valueToTree(config.optimizer()));
        optimizer.put("lr_scaling", config.lrScaling().rule());
        if (config.lrScaling().referenceBatch() != null) {
            optimizer.put("reference_batch", config.lrScaling().referenceBatch());
        }
        root.set("optimizer", optimizer);
        root.set("schedule", toSchedule(config.schedule()));
        root.set("model", m.valueToTree(config.model()));
        root.set("data", m.valueToTree(config.data()));
        root.set("train", m.valueToTree(config.train()));
        root.put("device", config.device());
        root.put("devices", config.devices());
        root.set(EffectiveValues.SECTION, EffectiveValues.tree(config, config.devices() > 1));
        return root;
    }

    /** The {@code schedule} section alone, resolved. */
    public static ObjectNode toSchedule(ScheduleConfig s) {
        ObjectMapper m = ConfigMapper.get();
        ObjectNode out = typed(ScheduleTypes.nameOf(s.spec()), m.valueToTree(s.spec()));
        if (s.warmup() != null) {
            out.set("warmup", m.valueToTree(s.warmup()));
        }
        out.put("unit", s.unit());
        out.put("scale_with_devices", s.scaleWithDevices());
        return out;
    }

    /** {@code type} first, then the record's keys (Jackson may or may not have written a type id already). */
    private static ObjectNode typed(String type, JsonNode fields) {
        ObjectNode out = ConfigMapper.get().createObjectNode();
        out.put("type", type);
        fields.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("type")) {
                out.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    private static String nameOf(OptimizerSpec spec) {
        for (Map.Entry<String, Class<? extends OptimizerSpec>> e : OptimizerTypes.all().entrySet()) {
            if (e.getValue() == spec.getClass()) {
                return e.getKey();
            }
        }
        throw new IllegalArgumentException("unregistered optimizer " + spec.getClass().getName());
    }
}
