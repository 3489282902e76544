package dev.anneal.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.anneal.model.LayerSpec;
import dev.anneal.optim.OptimizerSpec;
import dev.anneal.optim.OptimizerTypes;
import dev.anneal.schedule.ScheduleSpec;
import dev.anneal.schedule.ScheduleTypes;
import java.util.Map;

/**
 * The one Jackson mapper for configs: YAML, snake_case keys, strict types (no float truncated to an int, no
 * string taken for a boolean, duplicate keys rejected, unknown keys rejected), and {@code type} selecting the
 * schedule, optimizer and layer record.
 */
public final class ConfigMapper {
    private static final ObjectMapper MAPPER = build();

    private ConfigMapper() {
    }

    public static ObjectMapper get() {
        return MAPPER;
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
    private interface TypedByName {
    }

    private static ObjectMapper build() {
        YAMLFactory factory = YAMLFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .build();
        YAMLMapper mapper = YAMLMapper.builder(factory)
                .propertyNamingStrategy(SnakeCaseNames.INSTANCE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .addMixIn(ScheduleSpec.class, TypedByName.class)
                .addMixIn(OptimizerSpec.class, TypedByName.class)
                .addMixIn(LayerSpec.class, TypedByName.class)
                .build();
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        for (Map.Entry<String, Class<? extends ScheduleSpec>> e : ScheduleTypes.all().entrySet()) {
            mapper.registerSubtypes(new NamedType(e.getValue(), e.getKey()));
        }
        for (Map.Entry<String, Class<? extends OptimizerSpec>> e : OptimizerTypes.all().entrySet()) {
            mapper.registerSubtypes(new NamedType(e.getValue(), e.getKey()));
        }
        for (Map.Entry<String, Class<? extends LayerSpec>> e : LayerSpec.TYPES.entrySet()) {
            mapper.registerSubtypes(new NamedType(e.getValue(), e.getKey()));
        }
        return mapper;
    }
}
