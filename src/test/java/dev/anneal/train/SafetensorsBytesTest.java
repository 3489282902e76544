package dev.anneal.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same tensors and metadata are the same bytes, whatever order the metadata map iterates in. */
class SafetensorsBytesTest {
    @TempDir
    Path dir;

    @Test
    void metadataIsWrittenInKeyOrder() throws IOException {
        List<Safetensors.Tensor> tensors = List.of(new Safetensors.Tensor("w", new int[] {2}, new float[] {1, 2}));
        Map<String, String> forward = new LinkedHashMap<>();
        forward.put("format", "pt");
        forward.put("producer", "anneal");
        Map<String, String> backward = new LinkedHashMap<>();
        backward.put("producer", "anneal");
        backward.put("format", "pt");
        Safetensors.write(dir.resolve("a.safetensors"), tensors, forward);
        Safetensors.write(dir.resolve("b.safetensors"), tensors, backward);
        byte[] a = Files.readAllBytes(dir.resolve("a.safetensors"));
        assertArrayEquals(a, Files.readAllBytes(dir.resolve("b.safetensors")));
        String header = new String(a, 8, a.length - 8, StandardCharsets.US_ASCII);
        assertTrue(header.indexOf("\"format\"") < header.indexOf("\"producer\""), header);
    }

    @Test
    void int64CountersRoundTripBesideFloats() throws IOException {
        List<Safetensors.Tensor> tensors = List.of(new Safetensors.Tensor("1.running_mean", new int[] {2},
                new float[] {0.5f, -1}), Safetensors.Tensor.int64("1.num_batches_tracked", new int[0],
                new long[] {1L << 40}));
        Path f = dir.resolve("c.safetensors");
        Safetensors.write(f, tensors, Map.of());
        Map<String, Safetensors.Tensor> back = Safetensors.read(f);
        assertEquals("I64", back.get("1.num_batches_tracked").dtype());
        assertArrayEquals(new int[0], back.get("1.num_batches_tracked").shape());
        assertArrayEquals(new long[] {1L << 40}, back.get("1.num_batches_tracked").longs());
        assertArrayEquals(new float[] {0.5f, -1}, back.get("1.running_mean").values());
        byte[] bytes = Files.readAllBytes(f);
        String header = new String(bytes, 8, bytes.length - 8, StandardCharsets.US_ASCII);
        assertTrue(header.contains("\"1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],"
                + "\"data_offsets\":[8,16]}"), header);
    }
}
