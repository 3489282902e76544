package dev.anneal.tune.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** Comparisons of run directories and sweep tables for the sweep tests. */
public final class SweepRuns {
    private SweepRuns() {
    }

    /** The same weights and optimizer state in every checkpoint kept, and the same metrics (speed aside). */
    public static void assertSameRun(Path expected, Path actual) throws IOException {
        List<Path> a = checkpointFiles(expected);
        assertEquals(a.stream().map(p -> expected.relativize(p).toString()).toList(),
                checkpointFiles(actual).stream().map(p -> actual.relativize(p).toString()).toList());
        assertFalse(a.isEmpty());
        for (Path p : a) {
            byte[] x = Files.readAllBytes(p);
            byte[] y = Files.readAllBytes(actual.resolve(expected.relativize(p)));
            assertEquals(header(x), header(y), p.toString());
            assertArrayEquals(data(x), data(y), p.toString());
        }
        assertEquals(metricsWithoutSpeed(expected), metricsWithoutSpeed(actual));
        assertEquals(Files.readString(expected.resolve("config.yaml")), Files.readString(actual.resolve("config.yaml")));
    }

    /**
     * A safetensors file's JSON header as a tree: its {@code __metadata__} keys are written in {@code Map.of}'s
     * order, which changes from one JVM to the next, so headers are compared as JSON, not as bytes.
     */
    private static JsonNode header(byte[] file) throws IOException {
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new ObjectMapper().readTree(new String(file, 8, (int) n, StandardCharsets.UTF_8));
    }

    /** The tensor bytes after the header: compared bit for bit. */
    private static byte[] data(byte[] file) {
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return Arrays.copyOfRange(file, 8 + (int) n, file.length);
    }

    private static List<Path> checkpointFiles(Path run) throws IOException {
        try (Stream<Path> s = Files.walk(run.resolve("checkpoints"))) {
            return s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
    }

    private static List<String> metricsWithoutSpeed(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream()
                .map(l -> l.replaceAll("\"samples_per_second\":[^,}]*", "")).toList();
    }

    /** The rows of a sweep.csv without the last column (seconds, the only one that depends on the machine's speed). */
    public static List<String> withoutSeconds(Path csv) throws IOException {
        return Files.readAllLines(csv).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

}
