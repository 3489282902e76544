package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.data.NpyFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code data.memory_map} for real: a directory of {@code .npy} files whose features, as float32, take about
 * 250 MB, four times the 64 MB heap of an {@code anneal train} child JVM. Memory-mapped ({@code auto}) the run
 * trains an epoch and exits 0; with {@code data.memory_map: false} the same child is refused in one line naming
 * the key, which proves the data really does not fit its heap.
 */
class LargerThanHeapTrainTest {
    private static final int SIDE = 28;
    private static final int D = SIDE * SIDE;
    private static final int TRAIN = 72_000;
    private static final int TEST = 8_000;
    private static final int CLASSES = 4;
    private static final String HEAP = "-Xmx64m";

    @TempDir
    Path dir;

    /** Images of class {@code i mod 4}: a bright band in the class's quarter of the rows, on hashed noise. */
    private static void writeImages(Path file, int n, int salt) throws IOException {
        byte[] header = NpyFiles.npy("|u1", "(" + n + ", " + SIDE + ", " + SIDE + ")", new byte[0]);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(header));
            ByteBuffer buf = ByteBuffer.allocate(1024 * D);
            for (int i = 0; i < n; i++) {
                int c = i % CLASSES;
                int h = (i + salt) * 0x9E3779B9;
                for (int p = 0; p < D; p++) {
                    h = h * 1103515245 + 12345;
                    int noise = (h >>> 25) & 0x3f;
                    int row = p / SIDE;
                    buf.put((byte) (row / 7 == c ? 160 + noise : noise));
                }
                if (!buf.hasRemaining() || i == n - 1) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    buf.clear();
                }
            }
        }
    }

    private static void writeLabels(Path file, int n) throws IOException {
        byte[] y = new byte[n];
        for (int i = 0; i < n; i++) {
            y[i] = (byte) (i % CLASSES);
        }
        Files.write(file, NpyFiles.npy("|u1", "(" + n + ",)", y));
    }

    /** {@code anneal train} in a child JVM with a 64 MB heap; its exit status and output. */
    private CliRun train(Path data, String memoryMap, String name) throws Exception {
        Path config = Files.writeString(dir.resolve(name + ".yaml"), """
                optimizer: {type: sgd, lr: 0.05, momentum: 0.9}
                model: {hidden: [16]}
                train: {epochs: 1, seed: 3}
                data: {dataset: npy, path: %s, batch_size: 256, eval_batch_size: 500, memory_map: %s}
                device: cpu
                """.formatted(data, memoryMap));
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, HEAP, "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), "dev.anneal.cli.Main", "train", "--config", config.toString(),
                "--run-dir", dir.resolve(name).toString()));
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(150, TimeUnit.SECONDS)) {
                throw new AssertionError("anneal train did not finish in 150 s: " + Files.readString(log));
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        return new CliRun(p.exitValue(), Files.readString(log), "");
    }

    @Test
    void featuresFourTimesTheHeapTrainMemoryMappedAndAreRefusedInMemory() throws Exception {
        Path data = Files.createDirectories(dir.resolve("arrays"));
        writeImages(data.resolve("x_train.npy"), TRAIN, 0);
        writeLabels(data.resolve("y_train.npy"), TRAIN);
        writeImages(data.resolve("x_test.npy"), TEST, 1);
        writeLabels(data.resolve("y_test.npy"), TEST);
        long float32 = 4L * D * (TRAIN + TEST);
        assertTrue(float32 > 3.5 * (64L << 20), "the float32 features (" + float32 + " bytes) exceed the heap");

        CliRun mapped = train(data, "auto", "mapped");
        assertEquals(0, mapped.status(), mapped.out());
        assertTrue(mapped.out().contains("72000 train, 8000 test, 784 features, 4 classes, features memory-mapped"),
                mapped.out());
        String done = mapped.out().lines().filter(l -> l.startsWith("anneal: done: test accuracy")).findFirst()
                .orElseThrow(() -> new AssertionError("no final line: " + mapped.out()));
        double accuracy = Double.parseDouble(done.replaceAll(".*test accuracy ([0-9.]+)%.*", "$1"));
        assertTrue(accuracy > 90, done);
        Path metrics = dir.resolve("mapped").resolve("metrics.jsonl");
        assertTrue(Files.size(metrics) > 0, "metrics.jsonl is empty");

        CliRun inMemory = train(data, "false", "in-memory");
        assertEquals(2, inMemory.status(), inMemory.out());
        List<String> lines = inMemory.out().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), inMemory.out());
        assertTrue(lines.get(0).contains("data.memory_map: false") && lines.get(0).contains("more than this JVM may "
                + "use"), lines.get(0));
    }
}
