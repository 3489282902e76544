package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.config.LoadedConfig;
import dev.anneal.data.DataSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "Your own data" examples: {@code scripts/MakeExampleData.java} writes the same bytes every run, and every
 * {@code configs/examples/data-*.yaml} trains on what it wrote (redirected from {@code data/examples/} to a
 * temporary directory) to a final accuracy well above chance. Fails when a format has no example config or a new
 * example config is not listed here.
 */
class ExampleDataConfigsTest {
    /** Where the configs expect the generated data, relative to the repository root. */
    private static final String DATA_PREFIX = "data/examples/";
    private static final long GENERATOR_TIMEOUT_SECONDS = 180;

    /**
     * Every example config: its dataset and the final accuracy it must reach (chance is 1/4 for the shapes, 1/3 for
     * the blobs; each measured about 10 points above its bar).
     */
    private static final Map<String, Expected> EXPECTED = Map.of(
            "data-npz.yaml", new Expected(DataSpec.NPZ, 0.85),
            "data-npy.yaml", new Expected(DataSpec.NPY, 0.85),
            "data-csv.yaml", new Expected(DataSpec.CSV, 0.85),
            "data-image-folder.yaml", new Expected(DataSpec.IMAGE_FOLDER, 0.70));

    /** The dataset kinds that read the user's own files, each of which needs an example. */
    private static final List<String> OWN_FORMATS = List.of(DataSpec.NPZ, DataSpec.NPY, DataSpec.CSV,
            DataSpec.IMAGE_FOLDER);

    private record Expected(String dataset, double minAccuracy) {
    }

    @TempDir
    static Path dir;

    private static Path data;

    @BeforeAll
    static void generate() throws Exception {
        data = dir.resolve("examples");
        generate(data);
    }

    /** Runs {@code java scripts/MakeExampleData.java OUT} with this JVM's java, killing it if it hangs. */
    private static void generate(Path out) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path log = Files.createTempFile(dir, "generator", ".log");
        Process p = new ProcessBuilder(java, "-Djava.awt.headless=true", "scripts/MakeExampleData.java",
                out.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(GENERATOR_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            ProcessHandle h = p.toHandle();
            h.descendants().forEach(ProcessHandle::destroyForcibly);
            h.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            fail("MakeExampleData did not finish in " + GENERATOR_TIMEOUT_SECONDS + " s and was killed; it printed: "
                    + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), "MakeExampleData failed: " + Files.readString(log));
    }

    private static List<Path> exampleConfigs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("configs", "examples"))) {
            return s.filter(f -> f.getFileName().toString().matches("data-.*\\.yaml")).sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    void theGeneratorWritesTheSameBytesEveryRun() throws Exception {
        Path again = dir.resolve("again");
        generate(again);
        Map<String, byte[]> first = contents(data);
        Map<String, byte[]> second = contents(again);
        assertEquals(first.keySet(), second.keySet(), "the two runs wrote different files");
        for (String name : first.keySet()) {
            assertArrayEquals(first.get(name), second.get(name), name + " differs between two runs");
        }
        for (String name : new String[] {"shapes.npz", "shapes-npy/x_train.npy", "shapes-npy/y_train.npy",
            "blobs.csv", "blobs-test.csv", "SHA256SUMS", "README.txt"}) {
            assertTrue(first.containsKey(name), name + " missing from " + first.keySet());
        }
        for (String cls : new String[] {"bar", "cross", "ring", "square"}) {
            for (String split : new String[] {"train", "test"}) {
                assertTrue(first.keySet().stream().anyMatch(k -> k.startsWith("shapes-images/" + split + "/" + cls
                        + "/")), split + "/" + cls + " has no images");
            }
        }
        long bytes = first.values().stream().mapToLong(b -> b.length).sum();
        assertTrue(bytes < 10_000_000, "the example data should stay small, got " + bytes + " bytes");
        assertTrue(Files.readString(data.resolve("blobs.csv")).startsWith("bill_mm,flipper_mm,mass_g,species\n"));
    }

    /** Relative path (with '/') to content, for every file under {@code root}. */
    private static Map<String, byte[]> contents(Path root) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).collect(Collectors.toList())) {
                m.put(root.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
            }
        }
        return m;
    }

    @Test
    void everyFormatHasAnExampleAndEveryExampleIsKnown() throws IOException {
        TreeSet<String> onDisk = new TreeSet<>();
        TreeSet<String> formats = new TreeSet<>();
        for (Path c : exampleConfigs()) {
            String name = c.getFileName().toString();
            onDisk.add(name);
            Expected e = EXPECTED.get(name);
            assertTrue(e != null, "configs/examples/" + name + " is new: add it to ExampleDataConfigsTest.EXPECTED "
                    + "with its dataset and the accuracy it must reach");
            String dataset = LoadedConfig.load(c, List.of()).config().data().dataset();
            assertEquals(e.dataset(), dataset, name + "'s data.dataset");
            formats.add(dataset);
        }
        assertEquals(new TreeSet<>(EXPECTED.keySet()), onDisk, "example configs listed here but missing on disk");
        assertEquals(new TreeSet<>(OWN_FORMATS), formats, "every format of your own data needs an example config");
    }

    @Test
    void everyExampleConfigTrainsWellAboveChance() throws IOException {
        List<String> failures = new ArrayList<>();
        for (Path c : exampleConfigs()) {
            String name = c.getFileName().toString();
            Expected e = EXPECTED.get(name);
            if (e == null) {
                failures.add(name + ": not listed in EXPECTED");
                continue;
            }
            DataSpec spec = LoadedConfig.load(c, List.of()).config().data();
            List<String> args = new ArrayList<>(List.of("train", "--config", c.toString(), "--run-dir",
                    dir.resolve("run-" + name).toString()));
            args.addAll(redirect("data.path", spec.path(), name));
            if (spec.testPath() != null) {
                args.addAll(redirect("data.test_path", spec.testPath(), name));
            }
            CliRun r = CliRun.of(args.toArray(String[]::new));
            if (r.status() != 0) {
                failures.add(name + ": exit " + r.status() + ": " + r.err());
                continue;
            }
            double accuracy = finalAccuracy(dir.resolve("run-" + name).resolve("metrics.jsonl"));
            if (!(accuracy >= e.minAccuracy())) {
                failures.add(String.format("%s: final accuracy %.4f, expected >= %.2f", name, accuracy,
                        e.minAccuracy()));
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** {@code --set key=TMP/rest} for a path under {@value #DATA_PREFIX}; fails for any other path. */
    private static List<String> redirect(String key, String path, String config) {
        if (path == null || !path.startsWith(DATA_PREFIX)) {
            fail(config + ": " + key + " is " + path + "; example configs must read the generated data under "
                    + DATA_PREFIX + " so that this test can redirect them");
        }
        Path target = data.resolve(path.substring(DATA_PREFIX.length()));
        assertTrue(Files.exists(target), config + ": " + key + " " + path + " is not something the generator writes");
        return List.of("--set", key + "=" + target);
    }

    /** The last metrics line's test accuracy, or its validation accuracy where there is no test set. */
    private static double finalAccuracy(Path metrics) throws IOException {
        List<String> lines = Files.readAllLines(metrics, StandardCharsets.UTF_8);
        JsonNode last = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        for (String key : new String[] {"test_accuracy", "val_accuracy"}) {
            if (last.hasNonNull(key)) {
                return last.get(key).asDouble();
            }
        }
        fail(metrics + "'s last line has no accuracy: " + last);
        return Double.NaN;
    }
}
