package dev.anneal.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;

/**
 * Reads {@code data.memory_map}, whose values are a word ({@code auto}) or a YAML boolean ({@code true},
 * {@code false}): every scalar is taken as its text ({@code true} as {@code "true"}), and {@link DataSpec} checks
 * it is one of the three. A list or a mapping is a type error as for any other text key. {@link Writer} writes
 * {@code true} and {@code false} back as booleans, so a resolved config says {@code memory_map: true}.
 */
final class MemoryMapValue extends JsonDeserializer<String> {
    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonToken t = p.currentToken();
        if (t != null && t.isScalarValue()) {
            return p.getText();
        }
        return (String) ctxt.handleUnexpectedToken(String.class, p);
    }

    /** Writes {@code "true"} and {@code "false"} as YAML booleans, anything else as text. */
    static final class Writer extends JsonSerializer<String> {
        @Override
        public void serialize(String value, com.fasterxml.jackson.core.JsonGenerator gen, SerializerProvider provider)
                throws IOException {
            if (DataSpec.MAP_ALWAYS.equals(value) || DataSpec.MAP_NEVER.equals(value)) {
                gen.writeBoolean(Boolean.parseBoolean(value));
            } else {
                gen.writeString(value);
            }
        }
    }
}
