package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A finished small run (2 epochs of 4 updates, checkpoints step-000000004 and step-000000008) to damage or resume. */
final class ResumeFixture {
    static final String SYNTHETIC = """
            optimizer: {type: adam, lr: 0.01}
            model: {hidden: [8]}
            data: {dataset: synthetic, train_samples: 100, test_samples: 20, features: 4, classes: 2, batch_size: 25}
            train: {epochs: 2}
            """;
    static final String NEWEST = "checkpoints/step-000000008";
    static final String OLDER = "checkpoints/step-000000004";

    private ResumeFixture() {
    }

    /** Trains the run under {@code shared} and returns its directory. */
    static Path trainBase(Path shared) throws IOException {
        Path config = shared.resolve("c.yaml");
        Files.writeString(config, SYNTHETIC);
        Path base = shared.resolve("base");
        CliRun r = CliRun.of("train", "--config", config.toString(), "--run-dir", base.toString());
        assertEquals(0, r.status(), r.err());
        return base;
    }

    /** A fresh copy of {@code base} at {@code into/run}. */
    static Path copy(Path base, Path into) throws IOException {
        Path run = into.resolve("run");
        try (Stream<Path> all = Files.walk(base)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path to = run.resolve(base.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        return run;
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> all = Files.walk(p)) {
            for (Path x : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(x);
            }
        }
    }
}
