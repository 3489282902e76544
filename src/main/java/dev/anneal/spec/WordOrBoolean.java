package dev.anneal.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;

/**
 * Reads the keys whose values are a word or a YAML boolean: {@code data.memory_map} ({@code auto}, {@code true},
 * {@code false}), {@code data.normalize} ({@code true}, {@code false}, {@code per_channel}) and
 * {@code train.cuda_graph} ({@code auto}, {@code true}, {@code false}). Every scalar is taken as its text (a boolean
 * as {@code "true"} or {@code "false"}, however YAML spelled it), and the record that holds the key checks it is
 * one of the key's words. A list or a mapping is a type error as for any other text key. {@link Writer} writes
 * {@code true} and {@code false} back as booleans and other words unquoted, so a resolved config says
 * {@code memory_map: true} and {@code normalize: per_channel}.
 */
public final class WordOrBoolean extends JsonDeserializer<String> {
    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
            return Boolean.toString(t == JsonToken.VALUE_TRUE);
        }
        if (t != null && t.isScalarValue()) {
            return p.getText();
        }
        return (String) ctxt.handleUnexpectedToken(String.class, p);
    }

    /** Writes {@code "true"} and {@code "false"} as YAML booleans, anything else as text. */
    public static final class Writer extends JsonSerializer<String> {
        @Override
        public void serialize(String value, com.fasterxml.jackson.core.JsonGenerator gen, SerializerProvider provider)
                throws IOException {
            if ("true".equals(value) || "false".equals(value)) {
                gen.writeBoolean(Boolean.parseBoolean(value));
            } else {
                gen.writeString(value);
            }
        }
    }
}
