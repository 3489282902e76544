package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Your own data's shape is known only once its files are read: a size that fits the config's assumed shape but
 * not the real one is refused then, in one line, before anything is allocated or written.
 */
class RealShapeSizeTest {
    @TempDir
    Path dir;

    @Test
    void aBatchTooLargeForTheRealFeatureCountIsOneLine() throws IOException {
        StringBuilder csv = new StringBuilder("label");
        for (int j = 0; j < 200; j++) {
            csv.append(",f").append(j);
        }
        csv.append('\n');
        for (int i = 0; i < 6; i++) {
            csv.append(i % 2);
            for (int j = 0; j < 200; j++) {
                csv.append(',').append((i * 7 + j) % 5);
            }
            csv.append('\n');
        }
        Path data = dir.resolve("train.csv");
        Files.writeString(data, csv);
        Path c = dir.resolve("c.yaml");
        Files.writeString(c, "optimizer: {type: sgd, lr: 0.1}\nmodel: {hidden: [4]}\ndata: {dataset: csv, path: " + data
                + ", label_column: label, validation_split: 0.5, batch_size: 20000000}\n");
        Path run = dir.resolve("run");
        CliRun r = CliRun.of("train", "--config", c.toString(), "--run-dir", run.toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("anneal: data.batch_size 20000000 is larger than fits"), r.err());
        assertTrue(r.err().contains("200 features"), r.err());
        assertFalse(Files.exists(run), "no run directory is left behind");
    }
}
