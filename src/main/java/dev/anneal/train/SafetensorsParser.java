package dev.anneal.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.io.IoProblems;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file strictly, the way the reference implementation validates one: the 8-byte header
 * length must fit the file, the header must be one JSON object of tensor entries (and an optional
 * {@code "__metadata__"} object of strings), each entry an {@code F32} (or {@code I64}) dtype, a shape of
 * non-negative integers and {@code data_offsets [begin, end]} spanning exactly {@code 4 x} (or {@code 8 x}) the
 * shape's size; the entries must tile the
 * data section from 0 to its end without gap or overlap. Every violation is a {@link BadInput} naming the file and
 * what is wrong (a truncated file says so).
 */
public final class SafetensorsParser {
    private static final long MAX_HEADER = 100L << 20;
    private static final long MAX_FILE = Integer.MAX_VALUE - 16;

    /** A file's metadata strings and its tensors by name, in header order. */
    public record Contents(Map<String, String> metadata, Map<String, Safetensors.Tensor> tensors) {
    }

    private record Entry(String name, int[] shape, long begin, long end, boolean int64) {
    }

    private SafetensorsParser() {
    }

    /** The bytes of {@code file}: a missing file, a directory or an unreadable file is a {@link BadInput}. */
    static byte[] bytesOf(Path file) {
        if (Files.isDirectory(file)) {
            throw new BadInput(file + ": is a directory, not a safetensors file");
        }
        try {
            if (Files.size(file) > MAX_FILE) {
                throw new BadInput(file + ": " + Files.size(file) + " bytes is more than this reader takes (2 GiB)");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BadInput(file + ": cannot be read: " + IoProblems.reason(e));
        }
    }

    static Contents parse(Path file, byte[] all) {
        if (all.length == 0) {
            throw new BadInput(file + ": is empty, not a safetensors file");
        }
        if (all.length < 8) {
            throw new BadInput(file + ": is truncated: " + all.length + " bytes, shorter than the 8-byte header "
                    + "length that starts a safetensors file");
        }
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > MAX_HEADER) {
            throw new BadInput(file + ": not a safetensors file (header length " + n + ", expected 2 to "
                    + MAX_HEADER + ")");
        }
        if (8 + n > all.length) {
            throw new BadInput(file + ": is truncated: its header needs " + n + " bytes after the first 8, the file "
                    + "has " + (all.length - 8));
        }
        JsonNode header = StrictJson.parse(file + ": the header", new String(all, 8, (int) n, StandardCharsets.UTF_8));
        if (!header.isObject()) {
            throw new BadInput(file + ": the header is not a JSON object of tensors, got " + StrictJson.shown(header));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                readMetadata(file, e.getValue(), metadata);
            } else {
                entries.add(entry(file, e.getKey(), e.getValue()));
            }
        }
        long dataLength = all.length - 8 - n;
        checkTiling(file, entries, dataLength);
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            ByteBuffer data = ByteBuffer.wrap(all, (int) (8 + n + e.begin()), (int) (e.end() - e.begin()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            if (e.int64()) {
                long[] longs = new long[(int) ((e.end() - e.begin()) / 8)];
                data.asLongBuffer().get(longs);
                tensors.put(e.name(), Safetensors.Tensor.int64(e.name(), e.shape(), longs));
            } else {
                float[] values = new float[(int) ((e.end() - e.begin()) / 4)];
                data.asFloatBuffer().get(values);
                tensors.put(e.name(), new Safetensors.Tensor(e.name(), e.shape(), values));
            }
        }
        return new Contents(metadata, tensors);
    }

    private static void readMetadata(Path file, JsonNode meta, Map<String, String> into) {
        if (!meta.isObject()) {
            throw new BadInput(file + ": the header's __metadata__ must be an object of strings, got "
                    + StrictJson.shown(meta));
        }
        meta.fields().forEachRemaining(m -> {
            if (!m.getValue().isTextual()) {
                throw new BadInput(file + ": the header's __metadata__." + m.getKey() + " must be a string, got "
                        + StrictJson.shown(m.getValue()));
            }
            into.put(m.getKey(), m.getValue().asText());
        });
    }

    private static Entry entry(Path file, String name, JsonNode t) {
        String at = file + ": tensor " + name;
        if (!t.isObject()) {
            throw new BadInput(at + " must be an object of dtype, shape and data_offsets, got " + StrictJson.shown(t));
        }
        JsonNode dtype = t.get("dtype");
        if (dtype == null || !dtype.isTextual()) {
            throw new BadInput(at + " has no dtype string, got " + StrictJson.shown(dtype));
        }
        boolean int64 = dtype.asText().equals("I64");
        if (!dtype.asText().equals("F32") && !int64) {
            throw new BadInput(at + " is " + dtype.asText() + "; anneal reads F32 (and I64 counters) only");
        }
        int width = int64 ? 8 : 4;
        JsonNode shapeNode = t.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new BadInput(at + " has no shape list, got " + StrictJson.shown(shapeNode));
        }
        int[] shape = new int[shapeNode.size()];
        long size = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.asInt() < 0) {
                throw new BadInput(at + " has shape " + StrictJson.shown(shapeNode) + "; dimensions must be "
                        + "non-negative integers");
            }
            shape[i] = d.asInt();
            size = size == 0 || shape[i] == 0 ? 0 : size > MAX_FILE / shape[i] ? MAX_FILE + 1 : size * shape[i];
        }
        JsonNode offsets = t.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offset(offsets.get(0))
                || !offset(offsets.get(1)) || offsets.get(1).asLong() < offsets.get(0).asLong()) {
            throw new BadInput(at + " has data_offsets " + StrictJson.shown(offsets) + "; expected [begin, end], "
                    + "0 <= begin <= end");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (size > MAX_FILE || end - begin != width * size) {
            throw new BadInput(at + " has data_offsets [" + begin + ", " + end + "] (" + (end - begin) + " bytes) but "
                    + "its " + dtype.asText() + " shape " + Arrays.toString(shape) + " needs " + (size > MAX_FILE
                    ? "more than 2 GiB" : width * size + " bytes"));
        }
        return new Entry(name, shape, begin, end, int64);
    }

    private static boolean offset(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToLong() && n.asLong() >= 0;
    }

    /** The entries, by begin, must cover {@code [0, dataLength)} exactly once. */
    private static void checkTiling(Path file, List<Entry> entries, long dataLength) {
        List<Entry> byBegin = new ArrayList<>(entries);
        byBegin.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        for (Entry e : byBegin) {
            if (e.begin() != at) {
                throw new BadInput(file + ": tensor " + e.name() + " starts at byte " + e.begin() + " of the data, "
                        + "expected " + at + (e.begin() < at ? " (it overlaps another tensor)" : " (a gap before it)"));
            }
            if (e.end() > dataLength) {
                throw new BadInput(file + ": is truncated: tensor " + e.name() + " needs data bytes up to " + e.end()
                        + ", the file holds " + dataLength);
            }
            at = e.end();
        }
        if (at != dataLength) {
            throw new BadInput(file + ": has " + (dataLength - at) + " bytes after its last tensor's data; the file "
                    + "is corrupt or not what its header describes");
        }
    }
}
