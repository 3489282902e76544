package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.ConfigBinder;
import dev.anneal.config.ConfigDocument;
import dev.anneal.data.Dataset;
import dev.anneal.data.Datasets;
import dev.anneal.data.NpyFiles;
import dev.anneal.data.Synthetic;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code anneal predict}: the same predictions as {@code anneal eval} on the run's test set (synthetic features as
 * .npy, CSV rows, a folder of images), probabilities that sum to 1, and one line with status 2 for bad input.
 */
class PredictCommandTest {
    @TempDir
    static Path shared;
    static Path base;

    @BeforeAll
    static void train() throws IOException {
        base = ResumeFixture.trainBase(shared);
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

    /** The data rows of a predictions CSV, split on commas (no field here holds one). */
    private static List<String[]> rows(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        return lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)).toList();
    }

    private static AnnealConfig config(Path run) {
        return ConfigBinder.bind(ConfigDocument.load(run.resolve("config.yaml")));
    }

    @Test
    void npyFeaturesGiveEvalsPredictionsAndProbabilitiesSumToOne(@TempDir Path tmp) throws IOException {
        AnnealConfig cfg = config(base);
        Dataset raw = Synthetic.of(cfg.data(), cfg.train().seed()).test(cfg.data().testSamples());
        Path npy = tmp.resolve("x.npy");
        Files.write(npy, NpyFiles.npy("<f4", "(" + raw.n() + ", " + raw.d() + ")",
                NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, raw.features())));
        Path out = tmp.resolve("out/preds.csv");
        CliRun r = CliRun.of("predict", base.toString(), "--input", npy.toString(), "--output", out.toString(),
                "--top-k", "2");
        assertEquals(0, r.status(), r.err());
        assertEquals("input,predicted,probability,top1,p1,top2,p2", Files.readAllLines(out).get(0));
        List<String[]> rows = rows(out);
        assertEquals(raw.n(), rows.size());
        long[][] confusion = new long[2][2];
        for (int i = 0; i < rows.size(); i++) {
            String[] f = rows.get(i);
            assertEquals(Integer.toString(i), f[0]);
            assertEquals(f[1], f[3]);
            assertEquals(f[2], f[4]);
            double p1 = Double.parseDouble(f[4]);
            double p2 = Double.parseDouble(f[6]);
            assertTrue(p1 >= p2 && p1 >= 0.5, String.join(",", f));
            assertEquals(1.0, p1 + p2, 1e-12);
            confusion[raw.label(i)][Integer.parseInt(f[1])]++;
        }
        long[][] eval = evalConfusion(base, tmp.resolve("e.json"));
        assertEquals(java.util.Arrays.deepToString(eval), java.util.Arrays.deepToString(confusion));

        CliRun stdout = CliRun.of("predict", base.resolve(ResumeFixture.NEWEST).toString(), "--input",
                npy.toString());
        assertEquals(0, stdout.status(), stdout.err());
        assertEquals(String.join("\n", Files.readAllLines(out).stream().map(l -> String.join(",",
                List.of(l.split(",")).subList(0, 3))).toList()) + "\n", stdout.out());
    }

    @Test
    void csvRowsAreStandardisedAsTrainingDidAndNamedClassesPrinted(@TempDir Path tmp) throws IOException {
        Random rnd = new Random(7);
        StringBuilder train = new StringBuilder("a,b,kind\n");
        StringBuilder test = new StringBuilder("kind,b,a\n");
        StringBuilder input = new StringBuilder("b,a\n");
        for (int i = 0; i < 120; i++) {
            boolean cat = i % 2 == 0;
            double a = (cat ? 10 : 14) + rnd.nextGaussian() * 2;
            double b = (cat ? 300 : 280) + rnd.nextGaussian() * 15;
            if (i < 90) {
                train.append(a).append(',').append(b).append(',').append(cat ? "cat" : "dog").append('\n');
            } else {
                test.append(cat ? "cat" : "dog").append(',').append(b).append(',').append(a).append('\n');
                input.append(b).append(',').append(a).append('\n');
            }
        }
        Files.writeString(tmp.resolve("train.csv"), train);
        Files.writeString(tmp.resolve("test.csv"), test);
        Files.writeString(tmp.resolve("input.csv"), input);
        Path c = tmp.resolve("c.yaml");
        Files.writeString(c, "optimizer: {type: adam, lr: 0.01}\nmodel: {hidden: [8]}\ntrain: {epochs: 3}\n"
                + "data: {dataset: csv, path: " + tmp.resolve("train.csv") + ", test_path: " + tmp.resolve("test.csv")
                + ", label_column: kind, batch_size: 10, eval_batch_size: 7}\n");
        Path run = tmp.resolve("run");
        CliRun t = CliRun.of("train", "--config", c.toString(), "--run-dir", run.toString());
        assertEquals(0, t.status(), t.err());
        Path out = tmp.resolve("p.csv");
        CliRun r = CliRun.of("predict", run.toString(), "--input", tmp.resolve("input.csv").toString(), "--output",
                out.toString());
        assertEquals(0, r.status(), r.err());
        Datasets data = Datasets.load(config(run).data(), config(run).train().seed());
        List<String[]> rows = rows(out);
        assertEquals(30, rows.size());
        long[][] confusion = new long[2][2];
        for (int i = 0; i < rows.size(); i++) {
            String p = rows.get(i)[1];
            assertTrue(p.equals("cat") || p.equals("dog"), p);
            confusion[data.test().label(i)][data.classNames().indexOf(p)]++;
        }
        assertEquals(java.util.Arrays.deepToString(evalConfusion(run, tmp.resolve("e.json"))),
                java.util.Arrays.deepToString(confusion));
    }

    /** Class "dark" images are mostly black, class "light" mostly white, with noise. */
    private static Path folder(Path root, int perClass, long seed) throws IOException {
        Random r = new Random(seed);
        for (String cls : new String[] {"dark", "light"}) {
            Files.createDirectories(root.resolve(cls));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(12, 10, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 10; y++) {
                    for (int x = 0; x < 12; x++) {
                        int v = Math.max(0, Math.min(255, (cls.equals("dark") ? 100 : 155)
                                + (int) (r.nextGaussian() * 60)));
                        img.getRaster().setSample(x, y, 0, v);
                    }
                }
                ImageIO.write(img, "png", root.resolve(cls).resolve(String.format("%03d.png", i)).toFile());
            }
        }
        return root;
    }

    @Test
    void imagesArePredictedAsEvalPredictsThemAndBadInputIsOneLine(@TempDir Path tmp) throws IOException {
        Path train = folder(tmp.resolve("train"), 24, 1);
        Path test = folder(tmp.resolve("test"), 8, 2);
        Path c = tmp.resolve("c.yaml");
        Files.writeString(c, "optimizer: {type: adam, lr: 0.01}\nmodel: {hidden: [8]}\ntrain: {epochs: 1}\n"
                + "data: {dataset: image_folder, path: " + train + ", test_path: " + test
                + ", image_size: [8, 8], batch_size: 8}\n");
        Path run = tmp.resolve("run");
        CliRun t = CliRun.of("train", "--config", c.toString(), "--run-dir", run.toString());
        assertEquals(0, t.status(), t.err());
        long[][] confusion = new long[2][2];
        String[] classes = {"dark", "light"};
        for (int k = 0; k < 2; k++) {
            Path out = tmp.resolve(classes[k] + ".csv");
            CliRun r = CliRun.of("predict", run.toString(), "--input", test.resolve(classes[k]).toString(),
                    "--output", out.toString());
            assertEquals(0, r.status(), r.err());
            List<String[]> rows = rows(out);
            assertEquals(8, rows.size());
            assertEquals("000.png", rows.get(0)[0]);
            for (String[] f : rows) {
                confusion[k][List.of(classes).indexOf(f[1])]++;
            }
        }
        assertEquals(java.util.Arrays.deepToString(evalConfusion(run, tmp.resolve("e.json"))),
                java.util.Arrays.deepToString(confusion));
        CliRun one = CliRun.of("predict", run.toString(), "--input", test.resolve("light/003.png").toString(),
                "--top-k", "2");
        assertEquals(0, one.status(), one.err());
        String[] f = one.lines()[1].split(",");
        assertEquals("003.png", f[0]);
        assertEquals(1.0, Double.parseDouble(f[4]) + Double.parseDouble(f[6]), 1e-12);

        // With RUN/data.json the training images are not read: the same bytes after they move away.
        Path again = tmp.resolve("again.csv");
        Files.move(train, tmp.resolve("train-moved"));
        CliRun moved = CliRun.of("predict", run.toString(), "--input", test.resolve("dark").toString(), "--output",
                again.toString());
        assertEquals(0, moved.status(), moved.err());
        assertEquals(-1, Files.mismatch(tmp.resolve("dark.csv"), again));

        Path notImage = tmp.resolve("notes.png");
        Files.writeString(notImage, "not an image\n");
        badInput(run, notImage, tmp, "not a PNG, JPEG, BMP or GIF image");
    }

    /**
     * A run on IDX files (here a small MNIST-like set) predicts from PNG images of its test images exactly what it
     * predicts from the same images as a uint8 .npy, and that is what eval counts.
     */
    @Test
    void idxRunsPredictFromImagesAsFromTheirBytes(@TempDir Path tmp) throws IOException {
        int side = 28;
        int d = side * side;
        Random r = new Random(7);
        Path data = Files.createDirectories(tmp.resolve("mnist"));
        byte[][] split = new byte[2][];
        byte[][] labels = new byte[2][];
        int[] counts = {60, 12};
        for (int s = 0; s < 2; s++) {
            split[s] = new byte[counts[s] * d];
            labels[s] = new byte[counts[s]];
            for (int i = 0; i < counts[s]; i++) {
                int label = i % 3;
                labels[s][i] = (byte) label;
                for (int p = 0; p < d; p++) {
                    boolean lit = (p / side) / 10 == label;
                    split[s][i * d + p] = (byte) Math.max(0, Math.min(255, (lit ? 200 : 30) + r.nextInt(60) - 30));
                }
            }
        }
        String[][] names = {{"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
            {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}};
        for (int s = 0; s < 2; s++) {
            java.nio.ByteBuffer img = java.nio.ByteBuffer.allocate(16 + split[s].length);
            img.putInt(0x00000803).putInt(counts[s]).putInt(side).putInt(side).put(split[s]);
            Files.write(data.resolve(names[s][0]), img.array());
            java.nio.ByteBuffer lab = java.nio.ByteBuffer.allocate(8 + counts[s]);
            lab.putInt(0x00000801).putInt(counts[s]).put(labels[s]);
            Files.write(data.resolve(names[s][1]), lab.array());
        }
        Path c = tmp.resolve("c.yaml");
        Files.writeString(c, "optimizer: {type: adam, lr: 0.01}\nmodel: {hidden: [8]}\ntrain: {epochs: 2}\n"
                + "data: {dataset: mnist, path: " + data + ", batch_size: 16}\n");
        Path run = tmp.resolve("run");
        assertEquals(0, CliRun.of("train", "--config", c.toString(), "--run-dir", run.toString()).status());
        Path pngs = Files.createDirectories(tmp.resolve("pngs"));
        for (int i = 0; i < counts[1]; i++) {
            BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
            for (int p = 0; p < d; p++) {
                img.getRaster().setSample(p % side, p / side, 0, split[1][i * d + p] & 0xff);
            }
            ImageIO.write(img, "png", pngs.resolve(String.format("%03d.png", i)).toFile());
        }
        Path npy = tmp.resolve("x.npy");
        Files.write(npy, NpyFiles.npy("|u1", "(" + counts[1] + ", " + side + ", " + side + ")", split[1]));
        Path fromPng = tmp.resolve("png.csv");
        Path fromNpy = tmp.resolve("npy.csv");
        assertEquals(0, CliRun.of("predict", run.toString(), "--input", pngs.toString(), "--output",
                fromPng.toString(), "--top-k", "3").status());
        assertEquals(0, CliRun.of("predict", run.toString(), "--input", npy.toString(), "--output",
                fromNpy.toString(), "--top-k", "3").status());
        List<String[]> a = rows(fromPng);
        List<String[]> b = rows(fromNpy);
        long[][] confusion = new long[10][10];
        for (int i = 0; i < counts[1]; i++) {
            assertEquals(String.format("%03d.png", i), a.get(i)[0]);
            assertEquals(List.of(b.get(i)).subList(1, b.get(i).length), List.of(a.get(i)).subList(1, a.get(i).length),
                    "row " + i);
            confusion[labels[1][i]][Integer.parseInt(a.get(i)[1])]++;
        }
        assertEquals(java.util.Arrays.deepToString(evalConfusion(run, tmp.resolve("e.json"))),
                java.util.Arrays.deepToString(confusion));

        // With RUN/data.json the IDX files are not read: the same bytes after they move away.
        Files.move(data, tmp.resolve("mnist-moved"));
        Path again = tmp.resolve("again.csv");
        CliRun moved = CliRun.of("predict", run.toString(), "--input", pngs.toString(), "--output", again.toString(),
                "--top-k", "3");
        assertEquals(0, moved.status(), moved.err());
        assertFalse(moved.err().contains("data.json"), moved.err());
        assertEquals(-1, Files.mismatch(fromPng, again));
    }

    private static void badInput(Path run, Path input, Path tmp, String expected) {
        Path out = tmp.resolve("never.csv");
        CliRun r = CliRun.of("predict", run.toString(), "--input", input.toString(), "--output", out.toString());
        assertEquals(2, r.status(), r.err());
        String[] lines = r.err().strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("anneal: ") && last.contains(expected), r.err());
        assertEquals(1, r.err().lines().filter(l -> !l.startsWith("anneal: device")).count(), r.err());
        assertFalse(Files.exists(out), "no output file for bad input");
    }

    @Test
    void badInputIsOneLineWithStatusTwoAndWritesNoFile(@TempDir Path tmp) throws IOException {
        badInput(base, tmp.resolve("missing.npy"), tmp, "no such file");
        Path wide = tmp.resolve("wide.npy");
        Files.write(wide, NpyFiles.npy("<f4", "(3, 5)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, new float[15])));
        badInput(base, wide, tmp, "5 features per row, but the run's model takes 4");
        Path text = tmp.resolve("x.txt");
        Files.writeString(text, "1,2,3,4\n");
        badInput(base, text, tmp, "not an .npy file");
        Path csv = tmp.resolve("x.csv");
        Files.writeString(csv, "a,b\n1,2\n");
        badInput(base, csv, tmp, "CSV inputs are for csv runs");
        badInput(base, tmp, tmp, "is a directory");
    }
}
