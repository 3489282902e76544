package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code data.normalize: per_channel} against PyTorch: {@code golden/normalization/per_channel.json}, written by
 * {@code scripts/per_channel_golden.py} (torch 1.13, float64: {@code x.mean(dim=(0, 2, 3))}, {@code x.std(dim=(0, 2,
 * 3))}, and a few samples mapped as {@code transforms.Normalize} maps them), for uint8 NHWC and [N, H, W] images,
 * float32 NCHW and NHWC images and float32 [N, D] vectors, each loaded as an npy dataset in memory and memory-mapped.
 * The statistics agree with torch's to a few units in the last place (torch sums in its own order and computes the
 * variance by Welford's method, Anneal in index order in two passes) and with the exact statistics (rational
 * arithmetic, rounded once; also in the fixture) to one; the float32 features are torch's bits.
 */
class PerChannelGoldenTest {
    /** Units in the last place the statistics may differ from torch's by (observed: at most 3, in std). */
    private static final int TORCH_ULPS = 4;
    /** ... and from the exact statistics rounded once (observed: at most 1). */
    private static final int EXACT_ULPS = 1;

    @TempDir
    Path dir;

    private static JsonNode golden() throws IOException {
        String fixture = "/golden/normalization/per_channel.json";
        try (InputStream in = PerChannelGoldenTest.class.getResourceAsStream(fixture)) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** The case as an npy directory (x_train, y_train; the same rows as x_test, y_test). */
    private Path write(JsonNode c) throws IOException {
        Path out = Files.createDirectories(dir.resolve(c.get("name").asText()));
        JsonNode shape = c.get("shape");
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.size(); i++) {
            s.append(shape.get(i).asInt()).append(shape.size() == 1 || i < shape.size() - 1 ? ", " : "");
        }
        String shapeText = s.append(')').toString().replace(", )", ",)");
        JsonNode values = c.get("values");
        byte[] data;
        String descr;
        if (c.get("dtype").asText().equals("uint8")) {
            descr = "|u1";
            data = new byte[values.size()];
            for (int k = 0; k < data.length; k++) {
                data[k] = (byte) values.get(k).asInt();
            }
        } else {
            descr = "<f4";
            float[] v = new float[values.size()];
            for (int k = 0; k < v.length; k++) {
                v[k] = (float) values.get(k).asDouble();
                assertEquals(values.get(k).asDouble(), v[k], 0.0, "a float32 value in the fixture");
            }
            data = NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, v);
        }
        int n = shape.get(0).asInt();
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
        }
        for (String split : new String[] {"train", "test"}) {
            Files.write(out.resolve("x_" + split + ".npy"), NpyFiles.npy(descr, shapeText, data));
            Files.write(out.resolve("y_" + split + ".npy"), NpyFiles.npy("<i8", "(" + n + ",)", NpyFiles.longs(y)));
        }
        return out;
    }

    static DataSpec spec(Path path, String layout, String normalize, String memoryMap) {
        return new DataSpec("npy", path.toString(), null, null, normalize, null, null, null, null, null, null, layout,
                null, null, null, null, null, memoryMap);
    }

    private static void assertClose(double expected, double actual, int allowed, String what) {
        double ulps = Math.abs(expected - actual) / Math.ulp(expected);
        assertTrue(ulps <= allowed, what + " " + expected + ": " + actual + " (" + ulps + " ulps)");
    }

    @Test
    void statisticsAndFeaturesMatchTorchInMemoryAndMapped() throws IOException {
        int cases = 0;
        int features = 0;
        for (JsonNode c : golden().get("cases")) {
            String name = c.get("name").asText();
            Path path = write(c);
            String layout = c.get("layout").isNull() ? null : c.get("layout").asText();
            Datasets heap = Datasets.load(spec(path, layout, "per_channel", "false"), 0);
            Datasets mapped = Datasets.load(spec(path, layout, "per_channel", "true"), 0);
            assertTrue(mapped.train().mapped() && !heap.train().mapped(), name);
            for (Datasets ds : new Datasets[] {heap, mapped}) {
                Normalization norm = ds.normalization();
                String where = name + (ds.train().mapped() ? " mapped" : " in memory");
                assertTrue(norm.perChannel(), where);
                assertEquals(c.get("scale").asDouble(), norm.scale(), 0.0, where);
                assertEquals(c.get("channels").asInt(), norm.channels(), where);
                assertEquals(c.get("channel_size").asInt(), norm.channelSize(), where);
                for (int ch = 0; ch < norm.channels(); ch++) {
                    String at = where + " channel " + ch;
                    assertClose(c.get("mean").get(ch).asDouble(), norm.mean(ch), TORCH_ULPS, at + " mean vs torch's");
                    assertClose(c.get("std").get(ch).asDouble(), norm.std(ch), TORCH_ULPS, at + " std vs torch's");
                    assertClose(c.get("exact_mean").get(ch).asDouble(), norm.mean(ch), EXACT_ULPS,
                            at + " mean vs the exact");
                    assertClose(c.get("exact_std").get(ch).asDouble(), norm.std(ch), EXACT_ULPS,
                            at + " std vs the exact");
                }
                int d = ds.train().d();
                float[] row = new float[d];
                JsonNode samples = c.get("samples");
                for (int k = 0; k < samples.size(); k++) {
                    int i = samples.get(k).asInt();
                    ds.train().copyRange(i, 1, row, 0);
                    JsonNode expected = c.get("normalized").get(k);
                    assertEquals(d, expected.size(), where);
                    for (int j = 0; j < d; j++) {
                        float e = (float) expected.get(j).asDouble();
                        assertEquals(Float.floatToRawIntBits(e), Float.floatToRawIntBits(row[j]),
                                where + " sample " + i + " feature " + j + ": " + row[j] + " vs torch's " + e);
                        features++;
                    }
                }
            }
            assertEquals(heap.normalization(), mapped.normalization(), name + ": the same bits mapped");
            float[] all = new float[heap.train().n() * heap.train().d()];
            mapped.train().copyRange(0, heap.train().n(), all, 0);
            assertArrayEquals(heap.train().features(), all, name);
            cases++;
        }
        assertEquals(5, cases);
        assertTrue(features > 400, "checked " + features);
    }

    @Test
    void oneChannelIsTheGlobalStatisticsBitForBit() throws IOException {
        for (JsonNode c : golden().get("cases")) {
            if (c.get("channels").asInt() != 1) {
                continue;
            }
            Path path = write(c);
            Datasets perChannel = Datasets.load(spec(path, null, "per_channel", "false"), 0);
            Datasets global = Datasets.load(spec(path, null, "true", "false"), 0);
            assertEquals(Double.doubleToRawLongBits(global.normalization().mean()),
                    Double.doubleToRawLongBits(perChannel.normalization().mean(0)));
            assertEquals(Double.doubleToRawLongBits(global.normalization().std()),
                    Double.doubleToRawLongBits(perChannel.normalization().std(0)));
            assertArrayEquals(global.train().features(), perChannel.train().features());
            return;
        }
        throw new AssertionError("the fixture has a one-channel case");
    }
}
