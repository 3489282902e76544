package dev.anneal.train;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.spec.BadInput;

/**
 * JSON read strictly for the files a run keeps (checkpoint headers, {@code trainer.json}): a repeated key or
 * anything after the value is an error, and every error is a {@link BadInput} of one line naming the file, the
 * line and column, and what the parser expected.
 */
final class StrictJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private StrictJson() {
    }

    /** Parses {@code text}, read from {@code what} (a file name, or a file and a part of it). */
    static JsonNode parse(String what, String text) {
        if (text.isBlank()) {
            throw new BadInput(what + " is empty; expected a JSON object");
        }
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String why = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().strip().split("\\R", 2)[0]
                    .replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)", "")
                    .replaceAll("\\s*\\[Source:[^\\]]*\\]", "");
            throw new BadInput(what + " is not valid JSON" + where + ": " + why);
        }
    }

    /** A value as the user wrote it, for messages: {@code "abc"}, {@code -3}, {@code 8.5}, {@code null}. */
    static String shown(JsonNode value) {
        String s = value == null ? "nothing" : value.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
