package dev.anneal.cli;

import static dev.anneal.cli.RunDirSnapshot.assertBadInput;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.config.AnnealConfig;
import dev.anneal.config.ConfigBinder;
import dev.anneal.config.ConfigDocument;
import dev.anneal.data.CsvDatasets;
import dev.anneal.data.DataTransform;
import dev.anneal.data.Datasets;
import dev.anneal.data.Normalization;
import dev.anneal.data.NpyFiles;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code RUN/data.json}: written by a new run with the data's transform (read back bit for bit), left alone by
 * a resumed run; {@code anneal predict} gives the same bytes from it without the training data as with it, and
 * as a run without the file (an earlier anneal's) gives by reading the data again; a malformed file is one line,
 * exit 2.
 */
class DataJsonTest {
    @TempDir
    static Path shared;
    static Path base;

    @BeforeAll
    static void train() throws IOException {
        base = ResumeFixture.trainBase(shared);
    }

    private static AnnealConfig config(Path run) {
        return ConfigBinder.bind(ConfigDocument.load(run.resolve("config.yaml")));
    }

    private static void assertBits(double expected, double actual) {
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
                expected + " vs " + actual);
    }

    @Test
    void newRunWritesTheTransformAndItReadsBackBitForBit() {
        AnnealConfig cfg = config(base);
        Datasets data = Datasets.load(cfg.data(), cfg.train().seed());
        DataTransform t = DataTransform.read(base.resolve("data.json"));
        assertEquals("synthetic", t.dataset());
        assertEquals(data.train().d(), t.features());
        assertEquals(data.classNames(), t.classNames());
        assertNull(t.columns());
        Normalization n = data.normalization();
        assertBits(n.scale(), t.normalization().scale());
        assertBits(n.mean(), t.normalization().mean());
        assertBits(n.std(), t.normalization().std());
    }

    @Test
    void resumeLeavesDataJsonAsItIsAndARunWithoutOneResumesWithoutOne(@TempDir Path tmp) throws IOException {
        Path run = ResumeFixture.copy(base, tmp);
        Path file = run.resolve("data.json");
        byte[] before = Files.readAllBytes(file);
        var time = Files.getLastModifiedTime(file);
        CliRun r = CliRun.of("train", "--resume", run.toString(), "--set", "train.epochs=3");
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(time, Files.getLastModifiedTime(file));

        Path old = ResumeFixture.copy(base, tmp.resolve("old"));
        Files.delete(old.resolve("data.json"));
        CliRun o = CliRun.of("train", "--resume", old.toString(), "--set", "train.epochs=3");
        assertEquals(0, o.status(), o.err());
        assertFalse(Files.exists(old.resolve("data.json")));
    }

    /** Trains a csv run (named classes, standardised columns) in {@code tmp}; returns the run directory. */
    private static Path csvRun(Path tmp, String extra) throws IOException {
        Random rnd = new Random(11);
        StringBuilder train = new StringBuilder("a,b,kind\n");
        StringBuilder test = new StringBuilder("kind,b,a\n");
        StringBuilder input = new StringBuilder("b,a,ignored\n");
        for (int i = 0; i < 120; i++) {
            boolean cat = i % 2 == 0;
            double a = (cat ? 10 : 14) + rnd.nextGaussian() * 2;
            double b = (cat ? 300 : 280) + rnd.nextGaussian() * 15;
            if (i < 90) {
                train.append(a).append(',').append(b).append(',').append(cat ? "cat" : "dog").append('\n');
            } else {
                test.append(cat ? "cat" : "dog").append(',').append(b).append(',').append(a).append('\n');
                input.append(b).append(',').append(a).append(",x\n");
            }
        }
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("train.csv"), train);
        Files.writeString(data.resolve("test.csv"), test);
        Files.writeString(tmp.resolve("input.csv"), input);
        Path c = tmp.resolve("c.yaml");
        Files.writeString(c, "optimizer: {type: adam, lr: 0.01}\nmodel: {hidden: [8]}\ntrain: {epochs: 2}\n"
                + "data: {dataset: csv, path: " + data.resolve("train.csv") + ", test_path: "
                + data.resolve("test.csv") + ", label_column: kind, batch_size: 10" + extra + "}\n");
        Path run = tmp.resolve("run");
        CliRun t = CliRun.of("train", "--config", c.toString(), "--run-dir", run.toString());
        assertEquals(0, t.status(), t.err());
        return run;
    }

    /** Predicts {@code input} with {@code run} into {@code out}; returns stderr. */
    private static String predict(Path run, Path input, Path out) {
        CliRun r = CliRun.of("predict", run.toString(), "--input", input.toString(), "--output", out.toString(),
                "--top-k", "2");
        assertEquals(0, r.status(), r.err());
        return r.err();
    }

    /**
     * Predictions with data.json, with data.json after the training data moved away, and without data.json (the
     * fallback that reads the data again) are the same bytes.
     */
    private static void samePredictionsWithoutTheData(Path tmp, Path run, Path input) throws IOException {
        Path withData = tmp.resolve("with-data.csv");
        assertFalse(predict(run, input, withData).contains("data.json"));
        Path oldRun = ResumeFixture.copy(run, tmp.resolve("old"));
        Files.delete(oldRun.resolve("data.json"));
        Path fallback = tmp.resolve("fallback.csv");
        String err = predict(oldRun, input, fallback);
        assertEquals(1, err.lines().filter(l -> l.contains("has no data.json")).count(), err);
        assertArrayEquals(Files.readAllBytes(withData), Files.readAllBytes(fallback));

        Files.move(tmp.resolve("data"), tmp.resolve("moved"));
        Path without = tmp.resolve("without-data.csv");
        predict(run, input, without);
        assertArrayEquals(Files.readAllBytes(withData), Files.readAllBytes(without));
        CliRun gone = CliRun.of("predict", oldRun.toString(), "--input", input.toString());
        assertEquals(2, gone.status(), "the fallback needs the training data: " + gone.err());
    }

    @Test
    void csvRunPredictsTheSameBytesWithoutItsTrainingData(@TempDir Path tmp) throws IOException {
        Path run = csvRun(tmp, "");
        DataTransform t = DataTransform.read(run.resolve("data.json"));
        CsvDatasets.Loaded loaded = CsvDatasets.loadWithColumns(config(run).data(), config(run).train().seed());
        assertEquals(List.of("cat", "dog"), t.classNames());
        assertEquals(List.of("a", "b"), t.columns().names());
        for (int j = 0; j < 2; j++) {
            assertBits(loaded.columns().mean()[j], t.columns().mean()[j]);
            assertBits(loaded.columns().std()[j], t.columns().std()[j]);
        }
        samePredictionsWithoutTheData(tmp, run, tmp.resolve("input.csv"));
    }

    @Test
    void csvRunWithoutNormalizeSavesNoStatistics(@TempDir Path tmp) throws IOException {
        Path run = csvRun(tmp, ", normalize: false");
        DataTransform t = DataTransform.read(run.resolve("data.json"));
        assertFalse(t.columns().standardised());
        assertTrue(Files.readString(run.resolve("data.json")).contains("\"mean\" : null"));
        samePredictionsWithoutTheData(tmp, run, tmp.resolve("input.csv"));
    }

    @Test
    void npyRunPredictsTheSameBytesWithoutItsTrainingData(@TempDir Path tmp) throws IOException {
        Random rnd = new Random(5);
        int n = 80;
        int d = 3;
        float[] x = new float[n * d];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) ((j == y[i] ? 4 : 0) + rnd.nextGaussian() * 3 + 7);
            }
        }
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.write(data.resolve("x_train.npy"), NpyFiles.npy("<f4", "(" + n + ", " + d + ")",
                NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, x)));
        Files.write(data.resolve("y_train.npy"), NpyFiles.npy("<i8", "(" + n + ",)", NpyFiles.longs(y)));
        Files.write(tmp.resolve("input.npy"), NpyFiles.npy("<f4", "(" + 10 + ", " + d + ")",
                NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, java.util.Arrays.copyOf(x, 10 * d))));
        Path c = tmp.resolve("c.yaml");
        Files.writeString(c, "optimizer: {type: adam, lr: 0.01}\nmodel: {hidden: [8]}\ntrain: {epochs: 2}\n"
                + "data: {dataset: npy, path: " + data + ", validation_split: 0.2, batch_size: 16}\n");
        Path run = tmp.resolve("run");
        CliRun t = CliRun.of("train", "--config", c.toString(), "--run-dir", run.toString());
        assertEquals(0, t.status(), t.err());
        DataTransform saved = DataTransform.read(run.resolve("data.json"));
        Datasets loaded = Datasets.load(config(run).data(), config(run).train().seed());
        assertBits(loaded.normalization().mean(), saved.normalization().mean());
        assertBits(loaded.normalization().std(), saved.normalization().std());
        assertTrue(saved.normalization().std() != 1.0, "standardised: " + saved);
        samePredictionsWithoutTheData(tmp, run, tmp.resolve("input.npy"));
    }

    @Test
    void resumeRefusesDataThatNoLongerMapsAsTheRunsDidAndAcceptsTheSameDataMoved(@TempDir Path tmp)
            throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        writeArrays(data, 0);
        Path c = tmp.resolve("c.yaml");
        Files.writeString(c, "optimizer: {type: adam, lr: 0.01}\nmodel: {hidden: [4]}\ntrain: {epochs: 1}\n"
                + "data: {dataset: npy, path: " + data + ", validation_split: 0.25, batch_size: 16}\n");
        Path run = tmp.resolve("run");
        assertEquals(0, CliRun.of("train", "--config", c.toString(), "--run-dir", run.toString()).status());

        writeArrays(data, 1);
        RunDirSnapshot before = RunDirSnapshot.of(run);
        CliRun changed = CliRun.of("train", "--resume", run.toString(), "--set", "train.epochs=2");
        assertBadInput(changed, run.resolve("data.json").toString(), "transform.mean", "resume on the data the run "
                + "was trained on");
        assertEquals(before, RunDirSnapshot.of(run), "nothing in the run changed");

        writeArrays(data, 0);
        Path moved = tmp.resolve("moved");
        Files.move(data, moved);
        CliRun same = CliRun.of("train", "--resume", run.toString(), "--set", "train.epochs=2", "--set",
                "data.path=" + moved);
        assertEquals(0, same.status(), same.err());
    }

    @Test
    void evalMapsOtherDataWithTheRunsStatisticsNotTheirOwn(@TempDir Path tmp) throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        writeArrays(data, 0);
        writeTest(data);
        Path c = tmp.resolve("c.yaml");
        Files.writeString(c, "optimizer: {type: adam, lr: 0.01}\nmodel: {hidden: [4]}\ntrain: {epochs: 2}\n"
                + "data: {dataset: npy, path: " + data + ", batch_size: 16}\n");
        Path run = tmp.resolve("run");
        assertEquals(0, CliRun.of("train", "--config", c.toString(), "--run-dir", run.toString()).status());
        CliRun same = CliRun.of("eval", run.toString(), "--json", tmp.resolve("same.json").toString());
        assertEquals(0, same.status(), same.err());

        // Other data: the same test rows beside a training set with other statistics. Mapped by the run's
        // statistics, the test rows give exactly the same evaluation; by their own they would not.
        Path other = Files.createDirectories(tmp.resolve("other"));
        writeArrays(other, 5);
        writeTest(other);
        CliRun moved = CliRun.of("eval", run.toString(), "--set", "data.path=" + other, "--json",
                tmp.resolve("other.json").toString());
        assertEquals(0, moved.status(), moved.err());
        assertEquals(Files.readString(tmp.resolve("same.json")), Files.readString(tmp.resolve("other.json")));

        Path wide = Files.createDirectories(tmp.resolve("wide"));
        Files.write(wide.resolve("x_train.npy"), NpyFiles.npy("<f4", "(4, 2)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN,
                new float[] {1, 2, 3, 4, 5, 6, 7, 8})));
        Files.write(wide.resolve("y_train.npy"), NpyFiles.npy("<i8", "(4,)", NpyFiles.longs(0, 1, 0, 1)));
        CliRun refused = CliRun.of("eval", run.toString(), "--set", "data.path=" + wide, "--set",
                "data.validation_split=0.5");
        assertBadInput(refused, "2 features per sample, but the run", run.resolve("data.json").toString());
    }

    /** 10 test samples of 3 features in 2 classes. */
    private static void writeTest(Path dir) throws IOException {
        float[] x = new float[30];
        long[] y = new long[10];
        for (int i = 0; i < 10; i++) {
            y[i] = i % 2;
            for (int j = 0; j < 3; j++) {
                x[i * 3 + j] = (float) (y[i] * 2 + j + 0.13 * i);
            }
        }
        Files.write(dir.resolve("x_test.npy"), NpyFiles.npy("<f4", "(10, 3)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN,
                x)));
        Files.write(dir.resolve("y_test.npy"), NpyFiles.npy("<i8", "(10,)", NpyFiles.longs(y)));
    }

    /** 40 samples of 3 features in 2 classes, shifted by {@code shift} (which changes the statistics). */
    private static void writeArrays(Path dir, int shift) throws IOException {
        int n = 40;
        float[] x = new float[n * 3];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int j = 0; j < 3; j++) {
                x[i * 3 + j] = (float) (y[i] * 2 + j + 0.1 * (i % 7) + shift);
            }
        }
        Files.write(dir.resolve("x_train.npy"), NpyFiles.npy("<f4", "(" + n + ", 3)",
                NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, x)));
        Files.write(dir.resolve("y_train.npy"), NpyFiles.npy("<i8", "(" + n + ",)", NpyFiles.longs(y)));
    }

    private static void malformed(Path tmp, String name, String json, String expected) throws IOException {
        Path run = ResumeFixture.copy(base, tmp.resolve(name));
        Files.writeString(run.resolve("data.json"), json);
        Path out = tmp.resolve(name + ".csv");
        Path input = tmp.resolve("x.npy");
        if (!Files.exists(input)) {
            Files.write(input, NpyFiles.npy("<f4", "(2, 4)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN,
                    new float[8])));
        }
        CliRun r = CliRun.of("predict", run.toString(), "--input", input.toString(), "--output", out.toString());
        assertBadInput(r, "anneal: " + run.resolve("data.json") + ": ", expected);
        assertFalse(Files.exists(out));
    }

    @Test
    void malformedDataJsonIsOneLineWithStatusTwo(@TempDir Path tmp) throws IOException {
        String good = Files.readString(base.resolve("data.json"));
        malformed(tmp, "empty", "", "is empty");
        malformed(tmp, "notjson", "{\"version\": 1,", "not valid JSON");
        malformed(tmp, "array", "[1, 2]", "expected a JSON object");
        malformed(tmp, "trailing", good + "{}", "not valid JSON");
        malformed(tmp, "version", good.replace("\"version\" : 1", "\"version\" : 7"), "version 1");
        malformed(tmp, "nofeatures", good.replace("\"features\" : 4,", ""), "field \"features\" is missing");
        malformed(tmp, "features", good.replace("\"features\" : 4", "\"features\" : \"4\""),
                "field \"features\" is \"4\"");
        malformed(tmp, "names", good.replace("\"class_names\" : [ \"0\", \"1\" ]", "\"class_names\" : [ 0, 1 ]"),
                "field \"class_names\"[0] is 0");
        malformed(tmp, "classes", good.replace("\"class_names\" : [ \"0\", \"1\" ]",
                "\"class_names\" : [ \"0\", \"1\", \"2\" ]"), "names 3 classes, but the checkpoint's model");
        malformed(tmp, "width", good.replace("\"features\" : 4", "\"features\" : 5"),
                "field \"features\" is 5, but the checkpoint's model");
        malformed(tmp, "dataset", good.replace("\"synthetic\"", "\"npy\""), "config.yaml trains on synthetic");
        malformed(tmp, "type", good.replace("\"affine\"", "\"columns\""), "transform is \"affine\"");
        malformed(tmp, "std", good.replace("\"std\" : ", "\"std\" : -"), "std > 0");
        malformed(tmp, "mean", good.replace("\"mean\" : ", "\"mean\" : true, \"x\" : "), "\"transform.mean\" is "
                + "true");
        malformed(tmp, "dup", good.replace("\"version\" : 1", "\"version\" : 1, \"version\" : 1"),
                "Duplicate field");
    }
}
