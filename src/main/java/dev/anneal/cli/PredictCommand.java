package dev.anneal.cli;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cuda.DeviceChoice;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.ConfigBinder;
import dev.anneal.config.ConfigDocument;
import dev.anneal.data.ArrayDatasets;
import dev.anneal.data.CsvDatasets;
import dev.anneal.data.DataSpec;
import dev.anneal.data.DataTransform;
import dev.anneal.data.Datasets;
import dev.anneal.data.ImageFolderReader;
import dev.anneal.data.Normalization;
import dev.anneal.data.Npy;
import dev.anneal.data.NpyArray;
import dev.anneal.spec.BadInput;
import dev.anneal.train.RunDirectory;
import dev.anneal.train.PredictProbabilities;
import dev.anneal.train.SavedCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code anneal predict}: class probabilities of new inputs with a run's newest checkpoint (or a given checkpoint
 * directory). The inputs are mapped exactly as training mapped its features, with the transform and class names
 * that {@code anneal train} saved in {@code RUN/data.json} ({@link DataTransform}); the training data is not read.
 * A run from an earlier anneal, without {@code data.json}, recovers them by loading its data again
 * ({@link Datasets#load} with the run's config and seed; one line on stderr says so), so its training data must
 * still be where its config says. Output: a CSV with columns {@code input} (row index or image
 * file name), {@code predicted} (class name), {@code probability} and, with {@code --top-k K}, {@code top1,p1, ...}.
 * Nothing in the run is written.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Class probabilities for new inputs (.npy, .csv, an image or a folder of images) with a run's "
                + "newest checkpoint (or RUN/checkpoints/step-N, RUN/checkpoints/best).")
final class PredictCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR|CHECKPOINT_DIR", description = "A run directory or one of its checkpoints.")
    Path target;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "An .npy file of features "
            + "([N, D] or the run's image shape), a CSV with the run's feature columns by name, an image file, or a "
            + "folder of images (image_folder runs).")
    Path input;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the predictions CSV here (default: "
            + "standard output).")
    Path output;

    @Option(names = "--top-k", paramLabel = "K", description = "Also list the K most probable classes and their "
            + "probabilities: top1,p1,...,topK,pK.")
    Integer topK;

    @Option(names = "--device", paramLabel = "D", description = "auto, cpu, cuda or cuda:N (default: the run's "
            + "device when it names one, else auto).")
    String device;

    @Spec
    CommandSpec spec;

    /** Inputs mapped as training mapped its features, the shape of one row, and the name of each row. */
    private record Inputs(float[] x, int n, int d, int[] shape, List<String> names) {
    }

    @Override
    public Integer call() throws IOException {
        OutputPath.check("--output", output);
        if (!Files.exists(input)) {
            throw new BadInput("--input " + input + ": no such file or directory");
        }
        TrainedRun trained = TrainedRun.of(target);
        Path run = trained.dir();
        Path configFile = trained.configFile();
        AnnealConfig cfg = ConfigBinder.bind(ConfigDocument.load(configFile));
        SavedCheckpoint checkpoint = trained.checkpoint("predict with");
        DataTransform transform = transform(run, cfg, checkpoint);
        int classes = transform.classes();
        if (topK != null && (topK < 1 || topK > classes)) {
            throw new BadInput("--top-k " + topK + ": must be 1.." + classes + " (the run's classes)");
        }
        Inputs in = inputs(cfg, transform);
        PredictProbabilities.Result result;
        DeviceChoice.Choice choice = DeviceChoice.open(TrainedRun.device(device, cfg));
        try (Backend backend = choice.backend()) {
            spec.commandLine().getErr().println("anneal: device " + choice.note());
            result = PredictProbabilities.run(cfg, in.x(), in.shape(), classes, checkpoint, backend);
        }
        String csv = csv(in.names(), result, transform.classNames());
        if (output == null) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(csv);
            out.flush();
        } else {
            byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
            OutputPath.write("--output", output, o -> o.write(bytes));
        }
        return 0;
    }

    /**
     * The run's saved transform, checked against its config and the checkpoint's model; for a run without
     * {@code data.json}, the transform of its training data loaded again.
     */
    private DataTransform transform(Path run, AnnealConfig cfg, SavedCheckpoint checkpoint) {
        Path file = new RunDirectory(run).dataFile();
        if (!Files.exists(file)) {
            spec.commandLine().getErr().println("anneal: " + run + " has no " + DataTransform.FILE + " (a run "
                    + "from an earlier anneal); reading its training data again for the feature transform");
            return DataTransform.load(cfg.data(), cfg.train().seed()).transform();
        }
        DataTransform t = DataTransform.read(file);
        String fix = "; the file does not belong to this run: restore it, or delete it to recover the transform "
                + "from the training data";
        if (!t.dataset().equals(cfg.data().dataset())) {
            throw new BadInput(file + ": field \"dataset\" is \"" + t.dataset() + "\", but config.yaml trains on "
                    + cfg.data().dataset() + fix);
        }
        var in = checkpoint.model().get("0.weight");
        if (in != null && in.shape().length == 2 && in.shape()[1] != t.features()) {
            throw new BadInput(file + ": field \"features\" is " + t.features() + ", but the checkpoint's model ("
                    + checkpoint.dir() + ") takes " + in.shape()[1] + fix);
        }
        var out = lastWeight(checkpoint);
        if (out != null && out.shape().length == 2 && out.shape()[0] != t.classes()) {
            throw new BadInput(file + ": field \"class_names\" names " + t.classes() + " classes, but the "
                    + "checkpoint's model (" + checkpoint.dir() + ") has " + out.shape()[0] + fix);
        }
        return t;
    }

    /** The weight of the model's last linear layer (the 2-d {@code N.weight} with the largest N), or null. */
    private static dev.anneal.train.Safetensors.Tensor lastWeight(SavedCheckpoint checkpoint) {
        for (int l = checkpoint.model().size(); l >= 0; l--) {
            var w = checkpoint.model().get(l + ".weight");
            if (w != null && w.shape().length == 2) {
                return w;
            }
        }
        return null;
    }

    private Inputs inputs(AnnealConfig cfg, DataTransform data) {
        DataSpec ds = cfg.data();
        int d = data.features();
        boolean idx = DataSpec.FASHION_MNIST.equals(ds.dataset()) || DataSpec.MNIST.equals(ds.dataset());
        boolean images = DataSpec.IMAGE_FOLDER.equals(ds.dataset()) || idx;
        String name = input.getFileName() == null ? "" : input.getFileName().toString().toLowerCase(Locale.ROOT);
        float[] x;
        List<String> names = null;
        String shown = "--input " + input;
        int[] shape = imageShape(ds, d, idx);
        if (Files.isDirectory(input)) {
            if (!images) {
                throw new BadInput(shown + ": is a directory; a folder of images is for image runs (image_folder, "
                        + "fashion-mnist, mnist), this run was trained on " + ds.dataset() + ": pass an .npy"
                        + (DataSpec.CSV.equals(ds.dataset()) ? " or .csv" : "") + " file");
            }
            List<Path> files = imageFiles();
            names = new ArrayList<>();
            x = new float[Math.multiplyExact(files.size(), d)];
            for (int i = 0; i < files.size(); i++) {
                System.arraycopy(image(files.get(i), ds, d, data.normalization()), 0, x, i * d, d);
                names.add(files.get(i).getFileName().toString());
            }
        } else if (name.endsWith(".npy")) {
            NpyArray a = Npy.read(input);
            x = ArrayDatasets.inputs(a, ds.layout(), data.normalization());
            long rows = a.shape()[0];
            int[] own = ArrayDatasets.sampleShape(a.shape(), ds.layout());
            if (own.length == 3 && (long) own[0] * own[1] * own[2] == d) {
                shape = own;
            }
            if (rows > 0 && x.length / rows != d) {
                throw new BadInput(shown + " has shape " + a.shapeText() + ": " + (x.length / rows) + " features per "
                        + "row, but the run's model takes " + d + "; save the inputs with the training features' "
                        + "shape");
            }
        } else if (name.endsWith(".csv")) {
            if (!DataSpec.CSV.equals(ds.dataset())) {
                throw new BadInput(shown + ": CSV inputs are for csv runs, this run was trained on " + ds.dataset()
                        + ": pass an .npy file" + (images ? " or images" : ""));
            }
            x = CsvDatasets.inputs(data.columns(), input);
        } else if (images) {
            x = image(input, ds, d, data.normalization());
            names = List.of(input.getFileName().toString());
        } else {
            throw new BadInput(shown + ": not an .npy" + (DataSpec.CSV.equals(ds.dataset()) ? " or .csv" : "")
                    + " file; a run trained on " + ds.dataset() + " predicts from " + (DataSpec.CSV.equals(
                    ds.dataset()) ? "a CSV with its feature columns or " : "") + "an .npy array of its features");
        }
        int n = x.length / d;
        if (n == 0) {
            throw new BadInput(shown + ": holds no inputs (0 rows); give at least one");
        }
        if (x.length % d != 0) {
            throw new BadInput(shown + ": " + x.length + " values are not whole rows of the run's " + d
                    + " features");
        }
        if (names == null) {
            names = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                names.add(Integer.toString(i));
            }
        }
        return new Inputs(x, n, d, shape, names);
    }

    /**
     * The shape of one of the run's samples as its model reads it: an IDX run's square grayscale image
     * {@code [1, side, side]}, an image_folder run's {@code [C, H, W]}, else the flat features {@code [d]} (an
     * {@code .npy} input of image shape gives its own, as training read its arrays).
     */
    private static int[] imageShape(DataSpec ds, int d, boolean idx) {
        int side = (int) Math.round(Math.sqrt(d));
        if (idx && side * side == d) {
            return new int[] {1, side, side};
        }
        if (DataSpec.IMAGE_FOLDER.equals(ds.dataset())) {
            int h = ds.imageSize().get(0);
            int w = ds.imageSize().get(1);
            if (d % (h * w) == 0) {
                return new int[] {d / (h * w), h, w};
            }
        }
        return new int[] {d};
    }

    /** The image files directly in {@link #input}, by name. */
    private List<Path> imageFiles() {
        List<Path> files;
        try (Stream<Path> s = Files.list(input)) {
            files = s.filter(p -> Files.isRegularFile(p)
                            && ImageFolderReader.isImageName(p.getFileName().toString()))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new BadInput("--input " + input + ": cannot list the folder (" + e.getMessage() + ")");
        }
        if (files.isEmpty()) {
            throw new BadInput("--input " + input + ": holds no image files (.png, .jpg, .jpeg, .bmp, .gif)");
        }
        return files;
    }

    /**
     * One image as the run's features. An image_folder run resizes and converts it as its training images were.
     * An IDX run (fashion-mnist, mnist) reads it as a square grayscale image of the training images' size (28 x 28),
     * resized the same way, and maps its 0-255 levels through the run's pixel normalisation, as the IDX bytes were.
     * The map is the run's, global or per channel (value {@code k} of the NCHW planes is feature {@code k}).
     */
    private static float[] image(Path file, DataSpec ds, int d, Normalization norm) {
        boolean folder = DataSpec.IMAGE_FOLDER.equals(ds.dataset());
        int side = (int) Math.round(Math.sqrt(d));
        if (!folder && side * side != d) {
            throw new BadInput("--input " + file + ": the run's " + d + " features are not a square image; pass an "
                    + ".npy array of its features");
        }
        float[] v = folder ? ImageFolderReader.readImage(file, ds.imageSize().get(0), ds.imageSize().get(1),
                ds.color()) : ImageFolderReader.readImage(file, side, side, "grayscale");
        for (int k = 0; k < v.length; k++) {
            v[k] = norm.apply(folder ? v[k] : Math.round(v[k] * 255f), k);
        }
        return v;
    }

    private String csv(List<String> names, PredictProbabilities.Result r, List<String> classNames) {
        StringBuilder b = new StringBuilder("input,predicted,probability");
        int k = topK == null ? 0 : topK;
        for (int j = 1; j <= k; j++) {
            b.append(",top").append(j).append(",p").append(j);
        }
        b.append('\n');
        for (int i = 0; i < names.size(); i++) {
            double[] p = r.probabilities()[i];
            int c = r.predicted()[i];
            b.append(cell(names.get(i))).append(',').append(cell(classNames.get(c))).append(',').append(p[c]);
            if (k > 0) {
                Integer[] order = new Integer[p.length];
                for (int j = 0; j < order.length; j++) {
                    order[j] = j;
                }
                // Most probable first; ties by class index, so top1 is the predicted class.
                java.util.Arrays.sort(order, Comparator.<Integer>comparingInt(u -> u == c ? 0 : 1)
                        .thenComparing(u -> p[u], Comparator.reverseOrder()).thenComparingInt(u -> u));
                for (int j = 0; j < k; j++) {
                    b.append(',').append(cell(classNames.get(order[j]))).append(',').append(p[order[j]]);
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** A CSV field, quoted when it holds a comma, a quote or a line break. */
    private static String cell(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
