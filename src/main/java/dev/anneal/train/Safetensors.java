package dev.anneal.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anneal.io.AtomicFiles;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format (Hugging Face), for float32 tensors (and int64 ones, such as batch norm's
 * {@code num_batches_tracked}): an 8-byte little-endian header length {@code N},
 * {@code N} bytes of JSON mapping each tensor name to {@code {"dtype": "F32", "shape": [...], "data_offsets":
 * [begin, end]}} (plus optional {@code "__metadata__"} strings), padded with spaces to a multiple of 8, then the
 * little-endian data. {@code safetensors.torch.load_file} reads what this writes.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One tensor: its name, shape and values: {@code values} for F32, {@code longs} for I64 (the other null). */
    public record Tensor(String name, int[] shape, float[] values, long[] longs) {
        public Tensor {
            if ((values == null) == (longs == null)) {
                throw new IllegalArgumentException(name + ": a tensor holds floats or longs");
            }
            long size = 1;
            for (int d : shape) {
                size *= d;
            }
            long n = values != null ? values.length : longs.length;
            if (size != n) {
                throw new IllegalArgumentException(name + ": shape holds " + size + " values, got " + n);
            }
        }

        /** A float32 tensor. */
        public Tensor(String name, int[] shape, float[] values) {
            this(name, shape, values, null);
        }

        /** An int64 tensor. */
        public static Tensor int64(String name, int[] shape, long[] longs) {
            return new Tensor(name, shape, null, longs);
        }

        /** {@code F32} or {@code I64}. */
        public String dtype() {
            return longs != null ? "I64" : "F32";
        }

        /** Bytes of the data. */
        long bytes() {
            return values != null ? 4L * values.length : 8L * longs.length;
        }
    }

    private Safetensors() {
    }

    /** Writes the tensors in order, atomically (the old file stays whole until the new one is complete). */
    public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            // Sorted, so that the same checkpoint is the same bytes in every JVM (Map.of iterates in a per-JVM order).
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Tensor t : tensors) {
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", t.dtype());
            ArrayNode shape = e.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            long bytes = t.bytes();
            e.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            headerBytes[i] = ' ';
        }
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(headerBytes);
            for (Tensor t : tensors) {
                if (t.values() != null) {
                    writeFloats(out, t.values());
                } else {
                    ByteBuffer buf = ByteBuffer.allocate(8 * t.longs().length).order(ByteOrder.LITTLE_ENDIAN);
                    for (long v : t.longs()) {
                        buf.putLong(v);
                    }
                    out.write(buf.array());
                }
            }
        });
    }

    private static void writeFloats(OutputStream out, float[] values) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            if (!buf.hasRemaining()) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            buf.putFloat(v);
        }
        out.write(buf.array(), 0, buf.position());
    }

    /** Reads every F32 tensor of a file, by name in file order; a malformed file is a {@link BadInput}. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return readAll(file).tensors();
    }

    /** The {@code __metadata__} strings of a file; a malformed file is a {@link BadInput}. */
    public static Map<String, String> metadata(Path file) throws IOException {
        return readAll(file).metadata();
    }

    /** Reads and checks a whole file: header, every tensor's dtype, shape and data ({@link SafetensorsParser}). */
    public static SafetensorsParser.Contents readAll(Path file) {
        return SafetensorsParser.parse(file, SafetensorsParser.bytesOf(file));
    }
}
