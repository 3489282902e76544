package dev.anneal.backend.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One golden case of {@code src/test/resources/golden/ops/}, written by {@code scripts/op_goldens.py} with
 * PyTorch's own functions: its kind ({@code conv2d}, {@code max_pool2d}, {@code avg_pool2d}, {@code batch_norm}),
 * its parameters, and its tensors by name, in PyTorch's layout (NCHW images). {@code cases.json} lists, per case,
 * the binary file and its tensors as {name, shape, dtype, offset}; the file is little-endian float32 / int32.
 */
record OpGolden(String name, String kind, JsonNode params, Map<String, float[]> floats, Map<String, int[]> ints) {
    private static final String DIR = "/golden/ops/";

    static List<OpGolden> all() {
        try (InputStream in = resource("cases.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<OpGolden> cases = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                cases.add(read(c));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int param(String key) {
        return params.get(key).asInt();
    }

    /** Element {@code i} of a two-element parameter such as {@code kernel: [kH, kW]}. */
    int param(String key, int i) {
        return params.get(key).get(i).asInt();
    }

    double number(String key) {
        return params.get(key).asDouble();
    }

    float[] f(String tensor) {
        float[] v = floats.get(tensor);
        if (v == null) {
            throw new IllegalStateException(name + " has no float tensor " + tensor);
        }
        return v;
    }

    private static OpGolden read(JsonNode c) throws IOException {
        String name = c.get("name").asText();
        ByteBuffer bytes;
        try (InputStream in = resource(c.get("file").asText())) {
            bytes = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
        }
        Map<String, float[]> floats = new LinkedHashMap<>();
        Map<String, int[]> ints = new LinkedHashMap<>();
        int words = 0;
        for (JsonNode t : c.get("tensors")) {
            int size = 1;
            for (JsonNode d : t.get("shape")) {
                size *= d.asInt();
            }
            int offset = t.get("offset").asInt();
            if (offset != words) {
                throw new IllegalStateException(name + ": tensor " + t.get("name") + " at word " + offset
                        + ", expected " + words);
            }
            if (t.get("dtype").asText().equals("i32")) {
                int[] v = new int[size];
                bytes.position(4 * offset);
                bytes.asIntBuffer().get(v);
                ints.put(t.get("name").asText(), v);
            } else {
                float[] v = new float[size];
                bytes.position(4 * offset);
                bytes.asFloatBuffer().get(v);
                floats.put(t.get("name").asText(), v);
            }
            words += size;
        }
        if (bytes.capacity() != 4 * words) {
            throw new IllegalStateException(name + ": " + bytes.capacity() + " bytes, expected " + 4 * words);
        }
        return new OpGolden(name, c.get("kind").asText(), c.get("params"), floats, ints);
    }

    private static InputStream resource(String file) {
        InputStream in = OpGolden.class.getResourceAsStream(DIR + file);
        if (in == null) {
            throw new IllegalStateException("missing test resource " + DIR + file
                    + " (regenerate with /usr/bin/python3 scripts/op_goldens.py)");
        }
        return in;
    }

    @Override
    public String toString() {
        return name;
    }
}
