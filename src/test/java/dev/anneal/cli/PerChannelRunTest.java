package dev.anneal.cli;

import static dev.anneal.cli.BadInputAssert.oneLine;
import static dev.anneal.cli.RunDirSnapshot.assertBadInput;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.ConfigBinder;
import dev.anneal.config.ConfigDocument;
import dev.anneal.data.DataTransform;
import dev.anneal.data.Datasets;
import dev.anneal.data.Normalization;
import dev.anneal.data.NpyFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code data.normalize: per_channel} end to end: a run saves its per-channel statistics in {@code RUN/data.json}
 * (read back bit for bit), {@code anneal predict} maps inputs with them and predicts what {@code anneal eval}
 * counts, without the training data; memory-mapped features train to the in-memory weights; a resumed run keeps
 * its data.json and refuses data whose channel statistics changed; an rgb image folder trains; bad values of the
 * key, arrays without known channels, constant channels and malformed per-channel data.json are one line.
 */
class PerChannelRunTest {
    @TempDir
    Path dir;

    private static AnnealConfig config(Path run) {
        return ConfigBinder.bind(ConfigDocument.load(run.resolve("config.yaml")));
    }

    private static long bits(double v) {
        return Double.doubleToRawLongBits(v);
    }

    private Path train(String data, String name) throws IOException {
        Path c = Files.writeString(dir.resolve(name + ".yaml"), """
                optimizer: {type: adam, lr: 0.01}
                model: {hidden: [8]}
                train: {epochs: 2, seed: 3}
                data: {batch_size: 10, eval_batch_size: 7, %s}
                device: cpu
                """.formatted(data));
        Path run = dir.resolve(name);
        CliRun r = CliRun.of("train", "--config", c.toString(), "--run-dir", run.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        return run;
    }

    private static long[][] evalConfusion(Path run, Path json) throws IOException {
        CliRun r = CliRun.of("eval", run.toString(), "--json", json.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode m = new ObjectMapper().readTree(json.toFile()).get("confusion_matrix");
        long[][] out = new long[m.size()][m.size()];
        for (int t = 0; t < m.size(); t++) {
            for (int p = 0; p < m.size(); p++) {
                out[t][p] = m.get(t).get(p).asLong();
            }
        }
        return out;
    }

    /** The predicted class index of every row of a predictions CSV whose classes are numbered. */
    private static int[] predicted(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        return lines.subList(1, lines.size()).stream().mapToInt(l -> Integer.parseInt(l.split(",")[1])).toArray();
    }

    /** The newest checkpoint's weights. */
    private static byte[] weights(Path run) throws IOException {
        try (Stream<Path> files = Files.walk(run)) {
            List<Path> w = files.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
            assertFalse(w.isEmpty(), "no safetensors in " + run);
            return Files.readAllBytes(w.get(w.size() - 1));
        }
    }

    /**
     * {@code n} images of 4 x 4 pixels in 3 channels in three classes, class {@code k} brightest in channel
     * {@code k}, the channels of very different levels; {@code shift} changes the statistics of channel 1.
     */
    private static byte[] rgbNhwc(int n, long seed, int shift) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] px = new byte[n * 48];
        for (int i = 0; i < n; i++) {
            int k = i % 3;
            for (int p = 0; p < 16; p++) {
                for (int c = 0; c < 3; c++) {
                    int base = new int[] {60, 150, 20}[c] + (c == k ? 50 : 0) + (c == 1 ? shift : 0);
                    px[i * 48 + p * 3 + c] = (byte) Math.max(0, Math.min(255, base + rnd.nextInt(41) - 20));
                }
            }
        }
        return px;
    }

    private static long[] labels(int n) {
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
        }
        return y;
    }

    private Path arrays(String name, int shift) throws IOException {
        Path out = Files.createDirectories(dir.resolve(name));
        int[] counts = {90, 30};
        String[] sets = {"train", "test"};
        for (int s = 0; s < 2; s++) {
            int n = counts[s];
            Files.write(out.resolve("x_" + sets[s] + ".npy"), NpyFiles.npy("|u1", "(" + n + ", 4, 4, 3)",
                    rgbNhwc(n, s + 1, shift)));
            Files.write(out.resolve("y_" + sets[s] + ".npy"), NpyFiles.npy("<i8", "(" + n + ",)",
                    NpyFiles.longs(labels(n))));
        }
        return out;
    }

    @Test
    void aPerChannelRunSavesItsStatisticsPredictsAsEvalAndResumes() throws IOException {
        Path data = arrays("data", 0);
        String spec = "dataset: npy, path: " + data + ", layout: nhwc, normalize: per_channel";
        Path run = train(spec, "run");
        assertTrue(Files.readString(run.resolve("config.yaml")).contains("normalize: per_channel\n"));

        // data.json: the per-channel transform, bit for bit what loading the data gives.
        String json = Files.readString(run.resolve("data.json"));
        assertTrue(json.contains("\"type\" : \"per_channel\"") && json.contains("\"channel_size\" : 16"), json);
        DataTransform saved = DataTransform.read(run.resolve("data.json"));
        Normalization loaded = Datasets.load(config(run).data(), config(run).train().seed()).normalization();
        Normalization n = saved.normalization();
        assertTrue(n.perChannel());
        assertEquals(3, n.channels());
        assertEquals(loaded, n);
        for (int c = 0; c < 3; c++) {
            assertEquals(bits(loaded.mean(c)), bits(n.mean(c)));
            assertEquals(bits(loaded.std(c)), bits(n.std(c)));
        }
        assertTrue(n.mean(1) > 2 * n.mean(0) && n.mean(0) > 2 * n.mean(2), "the channels differ: " + n);

        // predict maps the test images as evaluation did: eval's confusion matrix; without the training data too.
        Path preds = dir.resolve("preds.csv");
        CliRun p = CliRun.of("predict", run.toString(), "--input", data.resolve("x_test.npy").toString(), "--output",
                preds.toString());
        assertEquals(0, p.status(), p.err());
        int[] predicted = predicted(preds);
        long[][] confusion = new long[3][3];
        for (int i = 0; i < predicted.length; i++) {
            confusion[i % 3][predicted[i]]++;
        }
        assertEquals(30, predicted.length);
        assertEquals(java.util.Arrays.deepToString(evalConfusion(run, dir.resolve("e.json"))),
                java.util.Arrays.deepToString(confusion));
        Path input = Files.copy(data.resolve("x_test.npy"), dir.resolve("input.npy"));
        Path moved = dir.resolve("moved");
        Files.move(data, moved);
        Path again = dir.resolve("again.csv");
        CliRun q = CliRun.of("predict", run.toString(), "--input", input.toString(), "--output", again.toString());
        assertEquals(0, q.status(), q.err());
        assertEquals(-1, Files.mismatch(preds, again));

        // Resume on the same data (moved): data.json stays; on data whose channel 1 changed: refused, naming it.
        byte[] before = Files.readAllBytes(run.resolve("data.json"));
        CliRun resumed = CliRun.of("train", "--resume", run.toString(), "--set", "train.epochs=3", "--set",
                "data.path=" + moved);
        assertEquals(0, resumed.status(), resumed.err());
        assertArrayEquals(before, Files.readAllBytes(run.resolve("data.json")));
        Path shifted = arrays("shifted", 30);
        RunDirSnapshot snapshot = RunDirSnapshot.of(run);
        CliRun refused = CliRun.of("train", "--resume", run.toString(), "--set", "train.epochs=4", "--set",
                "data.path=" + shifted);
        assertBadInput(refused, run.resolve("data.json").toString(), "transform.mean[1] ", "where the run has",
                "resume on the data the run was trained on");
        assertEquals(snapshot, RunDirSnapshot.of(run), "nothing in the run changed");
        CliRun global = CliRun.of("train", "--resume", run.toString(), "--set", "train.epochs=4", "--set",
                "data.path=" + moved, "--set", "data.normalize=true");
        assertBadInput(global, "cannot change data.normalize on --resume");
    }

    @Test
    void memoryMappedPerChannelFeaturesTrainToTheInMemoryWeights() throws IOException {
        Path data = arrays("u8", 0);
        String u8 = "dataset: npy, path: " + data + ", layout: nhwc, normalize: per_channel, validation_split: 0.2, "
                + "memory_map: ";
        assertArrayEquals(weights(train(u8 + "false", "u8-heap")), weights(train(u8 + "true", "u8-mapped")));

        Path floats = Files.createDirectories(dir.resolve("f4"));
        SplittableRandom rnd = new SplittableRandom(4);
        for (String set : List.of("train", "test")) {
            int n = set.equals("train") ? 60 : 15;
            float[] x = new float[n * 3 * 3 * 2];
            for (int i = 0; i < x.length; i++) {
                int c = i % 2;
                x[i] = (float) (rnd.nextGaussian() * (c == 0 ? 0.1 : 30) + (c == 0 ? 5 : -200) + (i / 18) % 3);
            }
            Files.write(floats.resolve("x_" + set + ".npy"), NpyFiles.npy("<f4", "(" + n + ", 3, 3, 2)",
                    NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, x)));
            Files.write(floats.resolve("y_" + set + ".npy"), NpyFiles.npy("<i8", "(" + n + ",)",
                    NpyFiles.longs(labels(n))));
        }
        String f4 = "dataset: npy, path: " + floats + ", layout: nhwc, normalize: per_channel, memory_map: ";
        Path heap = train(f4 + "false", "f4-heap");
        Path mapped = train(f4 + "true", "f4-mapped");
        assertArrayEquals(weights(heap), weights(mapped));
        assertArrayEquals(Files.readAllBytes(heap.resolve("data.json")), Files.readAllBytes(mapped.resolve(
                "data.json")));
    }

    /** Class "red" images are mostly red, class "blue" mostly blue, with noise. */
    private Path rgbFolder(String name, int perClass, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        Path root = dir.resolve(name);
        for (String cls : new String[] {"blue", "red"}) {
            Files.createDirectories(root.resolve(cls));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(9, 7, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 7; y++) {
                    for (int x = 0; x < 9; x++) {
                        int red = (cls.equals("red") ? 170 : 90) + r.nextInt(61) - 30;
                        int green = 200 + r.nextInt(21) - 10;
                        int blue = (cls.equals("blue") ? 60 : 30) + r.nextInt(21) - 10;
                        img.setRGB(x, y, (red << 16) | (green << 8) | blue);
                    }
                }
                ImageIO.write(img, "png", root.resolve(cls).resolve(String.format("%03d.png", i)).toFile());
            }
        }
        return root;
    }

    @Test
    void anRgbImageFolderTrainsPerChannelAndPredictsAsEval() throws IOException {
        Path train = rgbFolder("train", 20, 1);
        Path test = rgbFolder("test", 6, 2);
        Path run = train("dataset: image_folder, path: " + train + ", test_path: " + test + ", image_size: [6, 6], "
                + "color: rgb, normalize: per_channel", "rgb");
        Normalization n = DataTransform.read(run.resolve("data.json")).normalization();
        assertEquals(3, n.channels());
        assertEquals(36, n.channelSize());
        assertTrue(n.mean(1) > n.mean(0) && n.mean(0) > n.mean(2), n.toString());
        long[][] confusion = new long[2][2];
        String[] classes = {"blue", "red"};
        for (int k = 0; k < 2; k++) {
            Path out = dir.resolve(classes[k] + ".csv");
            CliRun r = CliRun.of("predict", run.toString(), "--input", test.resolve(classes[k]).toString(),
                    "--output", out.toString());
            assertEquals(0, r.status(), r.err());
            List<String> lines = Files.readAllLines(out);
            for (String l : lines.subList(1, lines.size())) {
                confusion[k][List.of(classes).indexOf(l.split(",")[1])]++;
            }
        }
        long[][] eval = evalConfusion(run, dir.resolve("e.json"));
        assertEquals(java.util.Arrays.deepToString(eval), java.util.Arrays.deepToString(confusion));
        assertEquals(12, eval[0][0] + eval[1][1], "the colours separate: " + java.util.Arrays.deepToString(eval));
    }

    private CliRun check(String data) throws IOException {
        Path c = Files.writeString(dir.resolve("bad.yaml"), "optimizer: {type: sgd, lr: 0.1}\ndata: " + data
                + "\n");
        return CliRun.of("train", "--config", c.toString(), "--run-dir", dir.resolve("bad").toString());
    }

    @Test
    void badValuesAndDataWithoutUsableChannelsAreOneLine() throws IOException {
        oneLine(check("{dataset: synthetic, normalize: sometimes}"),
                "data.normalize must be one of true | false | per_channel, got 'sometimes'");
        oneLine(check("{dataset: synthetic, normalize: 1}"), "data.normalize must be one of true | false | "
                + "per_channel, got '1'");
        oneLine(check("{dataset: synthetic, normalize: [per_channel]}"), "data.normalize must be a name, got a "
                + "list");
        Path c = Files.writeString(dir.resolve("ok.yaml"), "optimizer: {type: sgd, lr: 0.1}\n");
        oneLine(CliRun.of("train", "--config", c.toString(), "--run-dir", dir.resolve("bad").toString(), "--set",
                "data.normalize=perchannel"), "--set data.normalize=perchannel", "data.normalize must be one of");

        Path five = Files.createDirectories(dir.resolve("five"));
        Files.write(five.resolve("x_train.npy"), NpyFiles.npy("<f4", "(10, 2, 1, 1, 2)",
                NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, new float[40])));
        Files.write(five.resolve("y_train.npy"), NpyFiles.npy("<i8", "(10,)", NpyFiles.longs(labels(10))));
        oneLine(check("{dataset: npy, path: " + five + ", validation_split: 0.3, normalize: per_channel}"),
                five.resolve("x_train.npy") + " has shape (10, 2, 1, 1, 2); data.normalize: per_channel needs");

        Path constant = Files.createDirectories(dir.resolve("constant"));
        byte[] px = rgbNhwc(30, 5, 0);
        for (int k = 2; k < px.length; k += 3) {
            px[k] = 7;
        }
        Files.write(constant.resolve("x_train.npy"), NpyFiles.npy("|u1", "(30, 4, 4, 3)", px));
        Files.write(constant.resolve("y_train.npy"), NpyFiles.npy("<i8", "(30,)", NpyFiles.longs(labels(30))));
        String spec = "{dataset: npy, path: " + constant + ", layout: nhwc, validation_split: 0.3, normalize: ";
        oneLine(check(spec + "per_channel}"), constant.resolve("x_train.npy") + ": every training value of channel 2"
                + " of 3 is 7,", "set data.normalize: true");
        assertFalse(Files.exists(dir.resolve("bad")), "nothing written");
        CliRun global = check(spec + "true}");
        assertEquals(0, global.status(), "the global statistics of the same data are fine: " + global.err());
    }

    private CliRun predictWith(Path run, String json) throws IOException {
        Files.writeString(run.resolve("data.json"), json);
        Path input = dir.resolve("x.npy");
        if (!Files.exists(input)) {
            Files.write(input, NpyFiles.npy("<f4", "(2, 4)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, new float[8])));
        }
        return CliRun.of("predict", run.toString(), "--input", input.toString());
    }

    @Test
    void malformedPerChannelDataJsonIsOneLine() throws IOException {
        Path run = train("dataset: synthetic, train_samples: 60, test_samples: 12, features: 4, classes: 2, "
                + "normalize: per_channel", "synthetic");
        String good = Files.readString(run.resolve("data.json"));
        DataTransform t = DataTransform.read(run.resolve("data.json"));
        assertEquals(4, t.normalization().channels());
        assertEquals(1, t.normalization().channelSize());
        String[][] cases = {
            {"\"channel_size\" : 1", "\"channel_size\" : 3", "\"transform.channel_size\" is 3, which does not divide "
                + "\"features\" 4"},
            {"\"channel_size\" : 1", "\"channel_size\" : 0", "\"transform.channel_size\" is 0; expected a whole "
                + "number >= 1"},
            {"\"channel_size\" : 1,", "", "field \"transform.channel_size\" is missing"},
            {"\"channel_size\" : 1", "\"channel_size\" : 2", "field \"transform.mean\" is ["},
            {"\"std\" : [ ", "\"std\" : [ -", "a finite mean and a finite std > 0 for every channel"},
            {"\"mean\" : [", "\"mean\" : [ true,", "\"transform.mean\" is"},
            {"\"mean\" : [", "\"mean\" : null, \"x\" : [", "must be arrays of 4 numbers"},
            {"\"per_channel\"", "\"columns\"", "transform is \"affine\" or \"per_channel\""},
        };
        for (String[] c : cases) {
            assertTrue(good.contains(c[0]), c[0] + " in " + good);
            CliRun r = predictWith(run, good.replaceFirst(java.util.regex.Pattern.quote(c[0]),
                    java.util.regex.Matcher.quoteReplacement(c[1])));
            oneLine(r, run.resolve("data.json") + ": ", c[2]);
        }
        CliRun ok = predictWith(run, good);
        assertEquals(0, ok.status(), ok.err());
    }
}
