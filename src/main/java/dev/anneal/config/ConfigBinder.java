package dev.anneal.config;

import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anneal.data.DataSpec;
import dev.anneal.model.LayerSpec;
import dev.anneal.model.ModelSpec;
import dev.anneal.optim.LrScaling;
import dev.anneal.optim.OptimizerSpec;
import dev.anneal.optim.OptimizerTypes;
import dev.anneal.schedule.ScheduleConfig;
import dev.anneal.schedule.ScheduleSpec;
import dev.anneal.schedule.ScheduleTypes;
import dev.anneal.schedule.Warmup;
import dev.anneal.schedule.torch.Plateau;
import dev.anneal.spec.Format;
import dev.anneal.spec.SpecException;
import dev.anneal.train.TrainSpec;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds a {@link ConfigDocument} to an {@link AnnealConfig}.
 *
 * <p>Keys are checked against the records before Jackson binds them, so that an unknown key is reported as such
 * with the nearest valid key (Jackson would first complain about the required key it then misses). Every
 * failure becomes one {@link ConfigError}: {@code file:line: schedule.t_max must be > 0, got 0}.
 */
public final class ConfigBinder {
    /** Keys of the {@code schedule} section that belong to {@link ScheduleConfig}, not to the type's record. */
    static final List<String> SCHEDULE_KEYS = List.of("warmup", "unit", "scale_with_devices");
    /** Keys of the {@code optimizer} section that belong to {@link LrScaling}, not to the type's record. */
    static final List<String> OPTIMIZER_KEYS = List.of("lr_scaling", "reference_batch");
    /** The top-level sections, in the order a resolved config prints them. */
    static final List<String> SECTIONS = List.of("optimizer", "schedule", "model", "data", "train", "device",
            "devices", EffectiveValues.SECTION);
    /** Hugging Face's timescale when there is no warmup to take it from. */
    static final long INVERSE_SQRT_DEFAULT_TIMESCALE = 10_000;

    private final ConfigDocument doc;
    private final boolean metricsGiven;

    private ConfigBinder(ConfigDocument doc, boolean metricsGiven) {
        this.doc = doc;
        this.metricsGiven = metricsGiven;
    }

    public static AnnealConfig bind(ConfigDocument doc) {
        return new ConfigBinder(doc, false).bindRoot();
    }

    /**
     * Binds a config whose plateau schedule observes metric values given from outside ({@code anneal schedule
     * --metrics FILE}): {@code train.plateau_metric} does not choose them, so it is taken to agree with
     * {@code schedule.mode} instead of being checked against it.
     */
    public static AnnealConfig bindWithGivenMetrics(ConfigDocument doc) {
        return new ConfigBinder(doc, true).bindRoot();
    }

    private AnnealConfig bindRoot() {
        ObjectNode root = doc.root();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (key.equals("sweep")) {
                throw doc.error(key, "describes a sweep, which anneal sweep --config FILE runs; to train one "
                        + "configuration, remove the section (anneal sweep writes each trial's config without it)");
            }
            if (!SECTIONS.contains(key)) {
                throw doc.error(key, "is not a config section" + Nearest.hint(key, SECTIONS));
            }
        }
        JsonNode optimizerNode = section("optimizer", true);
        checkPolymorphic(optimizerNode, OptimizerTypes.all(), "optimizer", Set.copyOf(OPTIMIZER_KEYS));
        ObjectNode optimizerFields = optimizerNode.deepCopy();
        optimizerFields.remove(OPTIMIZER_KEYS);
        OptimizerSpec optimizer = bindChecked(optimizerFields, OptimizerSpec.class, "optimizer");
        LrScaling lrScaling = bindLrScaling((ObjectNode) optimizerNode);
        JsonNode scheduleNode = section("schedule", false);
        ScheduleConfig schedule = scheduleNode == null ? null : bindSchedule((ObjectNode) scheduleNode, "schedule");
        ModelSpec model = optionalRecord("model", ModelSpec.class);
        DataSpec data = optionalRecord("data", DataSpec.class);
        TrainSpec train = optionalRecord("train", TrainSpec.class);
        if (metricsGiven && schedule != null && schedule.spec() instanceof Plateau p) {
            train = withPlateauMetric(train == null ? TrainSpec.defaults() : train,
                    p.mode().equals("max") ? "test_accuracy" : "test_loss");
        }
        if (root.path("device").isArray()) {
            throw doc.error("device", "must be one name, got a list; write several GPUs as cuda:0,1 (distinct "
                    + "numbers after cuda:)");
        }
        String device = scalar(root, "device", String.class, "");
        Integer devices = scalar(root, "devices", Integer.class, "");
        AnnealConfig config;
        try {
            config = AnnealConfig.of(optimizer, schedule, model, data, train, device, devices, lrScaling);
        } catch (SpecException e) {
            throw doc.error(e.key(), e.problem());
        }
        NonFiniteNumbers.first(root).ifPresent(p -> {
            throw doc.error(p, "must be a finite number, got " + Format.number(root.at(NonFiniteNumbers.pointer(p))
                    .doubleValue()));
        });
        ModelShapes.check(config).ifPresent(e -> {
            throw doc.error(e.key(), e.problem());
        });
        SizeLimits.check(config, doc::written).ifPresent(e -> {
            throw doc.error(e.key(), e.problem());
        });
        doc.overriddenUnder(EffectiveValues.SECTION).ifPresent(p -> {
            throw doc.error(p, "cannot be set: effective only records values derived from the other keys; set "
                    + "optimizer.lr, optimizer.lr_scaling, data.batch_size, devices or the schedule instead");
        });
        JsonNode effective = root.get(EffectiveValues.SECTION);
        if (effective != null && !effective.isNull() && !doc.hasOverrides()) {
            EffectiveValues.check(doc, effective, config);
        }
        return config;
    }

    private static TrainSpec withPlateauMetric(TrainSpec t, String metric) {
        return new TrainSpec(t.epochs(), t.accumulationSteps(), t.clipGradNorm(), t.maxSkippedSteps(), metric,
                t.checkpointEvery(), t.keepCheckpoints(), t.seed(), t.cudaGraph(), t.checkReplicasEvery(), t.keepBest(),
                t.bestMetric(), t.earlyStopping(), t.collectiveTimeout());
    }

    private LrScaling bindLrScaling(ObjectNode node) {
        String rule = scalar(node, "lr_scaling", String.class, "optimizer");
        Long reference = scalar(node, "reference_batch", Long.class, "optimizer");
        try {
            return new LrScaling(rule, reference);
        } catch (SpecException e) {
            String hint = e.key().equals("lr_scaling") && rule != null
                    ? Nearest.to(rule, List.of("none", "linear")).map(n -> "; did you mean " + n + "?").orElse("")
                    : "";
            throw doc.error(KeyPath.child("optimizer", e.key()), e.problem() + hint);
        }
    }

    private <T> T optionalRecord(String name, Class<T> type) {
        JsonNode n = section(name, false);
        return n == null ? null : bindRecord(n, type, name);
    }

    private JsonNode section(String name, boolean required) {
        JsonNode n = doc.root().get(name);
        if (n == null || n.isNull()) {
            if (!required) {
                return null;
            }
            throw doc.error(name, "is required");
        }
        if (!n.isObject()) {
            throw doc.error(name, "must be a mapping of keys, got " + ConfigDocument.kind(n));
        }
        return n;
    }

    private ScheduleConfig bindSchedule(ObjectNode node, String path) {
        ObjectNode specNode = node.deepCopy();
        specNode.remove(SCHEDULE_KEYS);
        Warmup warmup = null;
        JsonNode warmupNode = node.get("warmup");
        if (warmupNode != null && !warmupNode.isNull()) {
            warmup = bindRecord(warmupNode, Warmup.class, KeyPath.child(path, "warmup"));
        }
        if ("inverse_sqrt".equals(specNode.path("type").asText()) && !specNode.has("timescale")) {
            specNode.put("timescale", warmup != null ? warmup.steps() : INVERSE_SQRT_DEFAULT_TIMESCALE);
        }
        checkPolymorphic(node, ScheduleTypes.all(), path, Set.copyOf(SCHEDULE_KEYS));
        ScheduleSpec spec = bindChecked(specNode, ScheduleSpec.class, path);
        String unit = scalar(node, "unit", String.class, path);
        Boolean scale = scalar(node, "scale_with_devices", Boolean.class, path);
        try {
            return new ScheduleConfig(spec, warmup, unit, scale);
        } catch (SpecException e) {
            throw doc.error(KeyPath.join(path, e.key()), e.problem());
        }
    }

    private <T> T scalar(ObjectNode node, String key, Class<T> type, String path) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        return bindChecked(v, type, KeyPath.child(path, key));
    }

    private <T> T bindRecord(JsonNode node, Class<T> type, String path) {
        checkKeys(node, type, path);
        return bindChecked(node, type, path);
    }

    /** Jackson binding with every failure turned into a {@link ConfigError} at the right key. */
    private <T> T bindChecked(JsonNode node, Class<T> type, String path) {
        try {
            return ConfigMapper.get().treeToValue(node, type);
        } catch (JsonMappingException e) {
            throw translate(e, node, path);
        } catch (IOException e) {
            throw doc.error(path, "cannot be read: " + e.getMessage());
        }
    }

    private ConfigError translate(JsonMappingException e, JsonNode node, String path) {
        StringBuilder rel = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (rel.length() > 0) {
                    rel.append('.');
                }
                rel.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                rel.append('[').append(r.getIndex()).append(']');
            }
        }
        String at = KeyPath.join(path, rel.toString());
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SpecException s) {
                return doc.error(KeyPath.join(at, s.key()), s.problem());
            }
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof InputCoercionException range) {
                JsonNode value = node.at(pointer(rel.toString()));
                boolean negative = value.asText().startsWith("-");
                return doc.error(at, value.asText() + (negative ? " is out of range" : " is larger than "
                        + largest(range.getTargetType()) + ", the most this key holds") + "; use a smaller value");
            }
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            JsonNode value = node.at(pointer(rel.toString()));
            return doc.error(at, "must be " + describe(m.getTargetType()) + ", got " + ConfigDocument.kind(value));
        }
        return doc.error(at, "is invalid: " + e.getOriginalMessage().split("\n")[0]);
    }

    /** Rejects unknown keys in a record-shaped node, recursing into nested records, lists and typed specs. */
    private void checkKeys(JsonNode node, Type type, String path) {
        Class<?> raw = raw(type);
        if (raw == ScheduleSpec.class) {
            checkPolymorphic(node, ScheduleTypes.all(), path, Set.of());
        } else if (raw == OptimizerSpec.class) {
            checkPolymorphic(node, OptimizerTypes.all(), path, Set.of());
        } else if (raw == LayerSpec.class) {
            checkPolymorphic(node, LayerSpec.TYPES, path, Set.of());
        } else if (raw.isRecord()) {
            if (!node.isObject()) {
                throw doc.error(path, "must be a mapping of keys, got " + ConfigDocument.kind(node));
            }
            checkFields(node, raw, path, Set.of(), path);
        } else if (List.class.isAssignableFrom(raw) && node.isArray() && type instanceof ParameterizedType pt) {
            Type element = pt.getActualTypeArguments()[0];
            for (int i = 0; i < node.size(); i++) {
                checkKeys(node.get(i), element, KeyPath.index(path, i));
            }
        }
    }

    private void checkPolymorphic(JsonNode node, Map<String, ? extends Class<?>> types, String path,
                                  Set<String> extraKeys) {
        if (!node.isObject()) {
            throw doc.error(path, "must be a mapping with a type key, got " + ConfigDocument.kind(node));
        }
        String typePath = KeyPath.child(path, "type");
        JsonNode t = node.get("type");
        if (t == null || t.isNull()) {
            throw doc.error(typePath, "is required; one of: " + String.join(", ", types.keySet()));
        }
        if (!t.isTextual()) {
            throw doc.error(typePath, "must be a type name, got " + ConfigDocument.kind(t));
        }
        Class<?> cls = types.get(t.asText());
        if (cls == null) {
            throw doc.error(typePath, "'" + t.asText() + "' is not a known type" + Nearest.hint(t.asText(),
                    types.keySet()));
        }
        Set<String> skip = new HashSet<>(extraKeys);
        skip.add("type");
        checkFields(node, cls, path, skip, t.asText());
    }

    /** {@code owner} names the record in messages: a type name ({@code step}) or a section path. */
    private void checkFields(JsonNode node, Class<?> record, String path, Set<String> extraKeys, String owner) {
        Map<String, Type> fields = new LinkedHashMap<>();
        for (RecordComponent c : record.getRecordComponents()) {
            fields.put(SnakeCaseNames.INSTANCE.translate(c.getName()), c.getGenericType());
        }
        List<String> valid = new ArrayList<>(fields.keySet());
        extraKeys.stream().filter(k -> !k.equals("type")).sorted().forEach(valid::add);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = f.getKey();
            if (extraKeys.contains(key)) {
                continue;
            }
            Type fieldType = fields.get(key);
            if (fieldType == null) {
                throw doc.error(KeyPath.child(path, key), "is not a key of " + owner + Nearest.hint(key, valid));
            }
            if (!f.getValue().isNull()) {
                checkKeys(f.getValue(), fieldType, KeyPath.child(path, key));
            }
        }
    }

    private static Class<?> raw(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return Object.class;
    }

    private static String describe(Class<?> target) {
        if (target == Long.class || target == long.class || target == Integer.class || target == int.class) {
            return "a whole number";
        }
        if (target == Double.class || target == double.class) {
            return "a number";
        }
        if (target == Boolean.class || target == boolean.class) {
            return "true or false";
        }
        if (target == String.class) {
            return "a name";
        }
        if (List.class.isAssignableFrom(target)) {
            return "a list";
        }
        return "a mapping";
    }

    private static String largest(Class<?> target) {
        if (target == Integer.class || target == int.class) {
            return Integer.toString(Integer.MAX_VALUE);
        }
        if (target == Long.class || target == long.class) {
            return Long.toString(Long.MAX_VALUE);
        }
        return "what " + target.getSimpleName() + " holds";
    }

    private static String pointer(String relPath) {
        if (relPath.isEmpty()) {
            return "";
        }
        return "/" + relPath.replace("[", ".").replace("]", "").replace('.', '/');
    }
}
