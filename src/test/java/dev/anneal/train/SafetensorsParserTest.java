package dev.anneal.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.spec.BadInput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Safetensors files as the reference implementation validates them; each defect is one line naming the file. */
class SafetensorsParserTest {
    private static final Path FILE = Path.of("ck/model.safetensors");

    /** A file of the given header JSON (length field computed) followed by {@code dataBytes} zero bytes. */
    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h)
                .array();
    }

    @Test
    void readsWellFormedTensorsAndMetadata() {
        SafetensorsParser.Contents c = SafetensorsParser.parse(FILE, file("{\"__metadata__\":{\"k\":\"v\"},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}  ", 16));
        assertEquals(Map.of("k", "v"), c.metadata());
        assertArrayEquals(new int[] {1, 2}, c.tensors().get("a").shape());
        assertEquals(2, c.tensors().get("b").values().length);
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '|', value = {
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}|4|is truncated: tensor a needs data bytes up to 8",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}|12|4 bytes after its last tensor",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}|8|needs 12 bytes",
        "{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}|4|tensor a is BF16",
        "{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}|8|tensor a has no dtype",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}|8|has no shape list",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}|8|dimensions must be non-negative integers",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}|8|expected [begin, end]",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}|8|expected [begin, end]",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}|8|expected [begin, end]",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}|12|(a gap before it)",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}|8|overlaps another tensor",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536],\"data_offsets\":[0,8]}}|8|more than 2 GiB",
        "{\"a\":7}|0|tensor a must be an object",
        "{\"__metadata__\":[1]}|0|__metadata__ must be an object of strings",
        "{\"__metadata__\":{\"k\":1}}|0|__metadata__.k must be a string",
        "[1, 2]|0|not a JSON object",
        "{\"a\":|0|not valid JSON",
        "{} {}|0|not valid JSON",
        "{\"a\":{},\"a\":{}}|0|not valid JSON",
    })
    void malformedFileIsOneLineNamingTheFile(String header, int dataBytes, String what) {
        BadInput e = assertThrows(BadInput.class, () -> SafetensorsParser.parse(FILE, file(header, dataBytes)));
        assertTrue(e.getMessage().startsWith(FILE.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(what), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void headerLengthThatDoesNotFitIsTruncationOrNotSafetensors() {
        byte[] b = file("{}", 0);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 64);
        assertTrue(assertThrows(BadInput.class, () -> SafetensorsParser.parse(FILE, b)).getMessage()
                .contains("is truncated: its header needs 64 bytes"));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1);
        assertTrue(assertThrows(BadInput.class, () -> SafetensorsParser.parse(FILE, b)).getMessage()
                .contains("not a safetensors file (header length -1"));
        assertTrue(assertThrows(BadInput.class, () -> SafetensorsParser.parse(FILE, new byte[0])).getMessage()
                .contains("is empty"));
        assertTrue(assertThrows(BadInput.class, () -> SafetensorsParser.parse(FILE, new byte[5])).getMessage()
                .contains("5 bytes, shorter than the 8-byte header length"));
    }
}
