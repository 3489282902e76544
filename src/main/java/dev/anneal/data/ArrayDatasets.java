package dev.anneal.data;

import dev.anneal.spec.BadInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The datasets {@code npz} and {@code npy}: NumPy arrays {@code x_train, y_train, x_test, y_test}.
 *
 * <p>Sources. {@code npz}: {@code data.path} is an {@code .npz} archive holding the four arrays (the layout of
 * Keras' {@code mnist.npz}). {@code npy}: {@code data.path} is a directory holding {@code x_train.npy},
 * {@code y_train.npy}, {@code x_test.npy} and {@code y_test.npy}. The test pair comes from {@code data.test_path}
 * when set (another archive or directory holding {@code x_test} and {@code y_test}), else from the same source;
 * when neither has it, {@code data.validation_split} holds out a stratified share of the training set
 * ({@link Splits}). Setting both a test set and a split is refused.
 *
 * <p>Features ({@link Npy} dtypes): shape {@code [N]} (one feature), {@code [N, D]}, {@code [N, H, W]} (one
 * channel) or {@code [N, C, H, W]} / {@code [N, H, W, C]} with {@code data.layout: nchw | nhwc} (required for 4-d
 * arrays), converted to NCHW and flattened: {@code d = C*H*W}, feature {@code c*H*W + h*W + w}; 5 or more
 * dimensions are flattened in C order. {@code uint8} features are pixels: mapped exactly as IDX images
 * ({@code x = (p/255 - mean)/std} with the global pixel mean and sample standard deviation of the training set,
 * or {@code p/255} without {@code data.normalize}), so the same images as IDX or NPZ give the same bits. Other
 * dtypes are converted to float32 and, with {@code data.normalize}, standardised by the training set's global mean
 * and standard deviation (one pair for all features and channels, as for the built-in datasets). Labels: an
 * integer dtype, shape {@code [N]} or {@code [N, 1]}, each in {@code [0, classes)} where {@code classes} is
 * {@code data.classes} or else the largest label of train and test + 1; class names are {@code "0".."K-1"}.
 */
public final class ArrayDatasets {
    private static final String[] NAMES = {"x_train", "y_train", "x_test", "y_test"};

    private ArrayDatasets() {
    }

    /** Loads {@code spec} ({@code npz} or {@code npy}); {@code seed} seeds the validation split. */
    public static Datasets load(DataSpec spec, long seed) {
        Path path = Path.of(spec.path());
        boolean npz = DataSpec.NPZ.equals(spec.dataset());
        try (Source main = Source.open(path, npz);
             Source separate = spec.testPath() == null ? null : Source.open(Path.of(spec.testPath()), npz)) {
            NpyArray xTrain = main.read("x_train");
            NpyArray yTrain = main.read("y_train");
            Source testSource = separate != null ? separate : main.has("x_test") || main.has("y_test") ? main : null;
            if (testSource != null && spec.validationSplit() != null) {
                throw new BadInput("data.validation_split: " + (separate != null ? "data.test_path" : path
                        + " (x_test, y_test)") + " already gives a test set; remove data.validation_split or the "
                        + "test set");
            }
            if (testSource == null && spec.validationSplit() == null) {
                throw new BadInput(path + " has no x_test and y_test; add them, set data.test_path, or hold out "
                        + "part of the training set with data.validation_split: 0.1");
            }
            String layout = spec.layout();
            RawFeatures trainX = features(xTrain, layout);
            int[] trainRawLabels = labels(yTrain, trainX.n(), xTrain);
            RawFeatures testX;
            int[] testRawLabels;
            if (testSource != null) {
                NpyArray xTest = testSource.read("x_test");
                NpyArray yTest = testSource.read("y_test");
                testX = features(xTest, layout);
                sameRows(xTrain, trainX, xTest, testX);
                testRawLabels = labels(yTest, testX.n(), xTest);
            } else {
                testX = null;
                testRawLabels = new int[0];
            }
            int classes = classes(spec.classes(), yTrain, trainRawLabels, testSource == null ? null
                    : testSource.sourceOf("y_test"), testRawLabels);
            String statsSource = xTrain.source();
            if (testX == null) {
                Splits split = Splits.stratified(trainRawLabels, classes, spec.validationSplit(), seed,
                        xTrain.source());
                testX = trainX.select(split.heldOut());
                testRawLabels = Splits.select(trainRawLabels, split.heldOut());
                trainX = trainX.select(split.kept());
                trainRawLabels = Splits.select(trainRawLabels, split.kept());
            }
            Normalization norm = trainX.statistics(spec.normalize(), statsSource);
            Dataset train = trainX.toDataset(trainRawLabels, classes, norm);
            Dataset test = testX.toDataset(testRawLabels, classes, norm);
            return new Datasets(train, test, Datasets.describe(spec.dataset(), train, test), norm,
                    Datasets.numberedClasses(classes));
        }
    }

    /**
     * New inputs ({@code anneal predict}): the rows of {@code x} read as {@link #load} reads features (NCHW with
     * {@code layout}, the run's {@code data.layout}) and mapped by the run's {@code norm}: {@code uint8} through its
     * 256-entry table, other dtypes by {@link Normalization#apply}. Row-major {@code N x D}.
     */
    public static float[] inputs(NpyArray x, String layout, Normalization norm) {
        RawFeatures raw = features(x, layout);
        return raw.toDataset(new int[raw.n()], 1, norm).features();
    }

    /** The features of {@code x} as rows, NCHW-flattened. */
    static RawFeatures features(NpyArray x, String layout) {
        long[] s = x.shape();
        if (s.length == 0) {
            throw new BadInput(x.source() + " is a scalar (shape ()); features need one row per sample: [N, D]");
        }
        if (layout != null && s.length != 4) {
            throw new BadInput(x.source() + " has shape " + x.shapeText() + "; data.layout applies to 4-d images "
                    + "[N, C, H, W] or [N, H, W, C] only: remove it");
        }
        if (s.length == 4 && layout == null) {
            throw new BadInput(x.source() + " has shape " + x.shapeText() + "; say which axis holds the channels: "
                    + "data.layout: nchw ([N, C, H, W]) or nhwc ([N, H, W, C])");
        }
        long n = s[0];
        long d = s.length == 1 ? 1 : x.rowSize();
        if (d == 0) {
            throw new BadInput(x.source() + " has shape " + x.shapeText() + ": 0 features per sample");
        }
        if (n * d > DataSpec.MAX_ARRAY) {
            throw new BadInput(x.source() + " has " + n + " x " + d + " = " + (n * d) + " features, more than one "
                    + "array holds (" + DataSpec.MAX_ARRAY + "); use fewer samples");
        }
        int rows = (int) n;
        int width = (int) d;
        int[] map = rowMap(s, DataSpec.NHWC.equals(layout));
        if (x.dtype().unsignedByte()) {
            byte[] px = new byte[rows * width];
            for (int r = 0; r < rows; r++) {
                int base = r * width;
                for (int j = 0; j < width; j++) {
                    px[base + j] = x.byteAt(base + map[j]);
                }
            }
            return new RawFeatures(px, null, rows, width);
        }
        float[] v = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            int base = r * width;
            for (int j = 0; j < width; j++) {
                v[base + j] = (float) x.at(base + map[j]);
            }
        }
        return new RawFeatures(null, v, rows, width);
    }

    /**
     * For output feature {@code j} of a row (NCHW order), the element of the input row it comes from: the
     * identity except for NHWC, where output {@code c*H*W + h*W + w} is input {@code (h*W + w)*C + c}.
     */
    static int[] rowMap(long[] shape, boolean nhwc) {
        int d = (int) (shape.length == 1 ? 1 : new NpyArray("", null, shape, null).rowSize());
        int[] map = new int[d];
        if (!nhwc) {
            for (int j = 0; j < d; j++) {
                map[j] = j;
            }
            return map;
        }
        int h = (int) shape[1];
        int w = (int) shape[2];
        int c = (int) shape[3];
        for (int ch = 0; ch < c; ch++) {
            for (int p = 0; p < h * w; p++) {
                map[ch * h * w + p] = p * c + ch;
            }
        }
        return map;
    }

    /** The class indices of {@code y}: an integer array {@code [n]} or {@code [n, 1]}, each &gt;= 0. */
    static int[] labels(NpyArray y, int n, NpyArray x) {
        long[] s = y.shape();
        if (!y.dtype().integer()) {
            throw new BadInput(y.source() + " holds " + y.dtype().numpyName() + " labels; class labels must be "
                    + "integers 0..K-1: save y.astype('int64')");
        }
        if (s.length == 0 || s.length > 2 || (s.length == 2 && s[1] != 1)) {
            throw new BadInput(y.source() + " has shape " + y.shapeText() + "; labels must be one class index "
                    + "per sample: shape [N] or [N, 1]");
        }
        if (s[0] != n) {
            throw new BadInput(y.source() + " holds " + s[0] + " labels but " + x.source() + " holds " + n
                    + " samples; they must have the same first dimension");
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            long v = y.integerAt(i);
            if (v < 0 || v > Integer.MAX_VALUE - 8) {
                throw new BadInput(y.source() + ": label " + v + " at index " + i + " is out of range; labels "
                        + "must be class indices 0..K-1");
            }
            out[i] = (int) v;
        }
        return out;
    }

    private static int classes(Integer given, NpyArray yTrain, int[] train, String testSource, int[] test) {
        int max = -1;
        for (int v : train) {
            max = Math.max(max, v);
        }
        for (int v : test) {
            max = Math.max(max, v);
        }
        if (given == null) {
            if (max < 1) {
                throw new BadInput(yTrain.source() + ": every label is " + max + ", so there is only one class; "
                        + "classification needs at least two (or set data.classes)");
            }
            return max + 1;
        }
        checkBelow(train, given, yTrain.source());
        checkBelow(test, given, testSource);
        return given;
    }

    private static void checkBelow(int[] labels, int classes, String source) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= classes) {
                throw new BadInput(source + ": label " + labels[i] + " at index " + i + " is out of range 0.."
                        + (classes - 1) + " (data.classes: " + classes + ")");
            }
        }
    }

    private static void sameRows(NpyArray xTrain, RawFeatures train, NpyArray xTest, RawFeatures test) {
        long[] a = xTrain.shape();
        long[] b = xTest.shape();
        boolean same = a.length == b.length;
        for (int i = 1; same && i < a.length; i++) {
            same = a[i] == b[i];
        }
        if (!same) {
            throw new BadInput(xTest.source() + " has shape " + xTest.shapeText() + " but " + xTrain.source()
                    + " has " + xTrain.shapeText() + "; test samples must have the training samples' shape");
        }
        if (train.bytes() != test.bytes()) {
            throw new BadInput(xTest.source() + " is " + xTest.dtype().numpyName() + " but " + xTrain.source()
                    + " is " + xTrain.dtype().numpyName() + "; save both with the same dtype (uint8 pixels are "
                    + "scaled by 1/255, other dtypes are not)");
        }
    }

    /** An {@code .npz} archive or a directory of {@code .npy} files. */
    private interface Source extends AutoCloseable {
        boolean has(String name);

        NpyArray read(String name);

        String sourceOf(String name);

        @Override
        void close();

        static Source open(Path path, boolean npz) {
            if (npz) {
                Npz archive = Npz.open(path);
                return new Source() {
                    public boolean has(String name) {
                        return archive.has(name);
                    }

                    public NpyArray read(String name) {
                        return archive.read(name);
                    }

                    public String sourceOf(String name) {
                        return path + "[" + name + "]";
                    }

                    public void close() {
                        archive.close();
                    }
                };
            }
            if (!Files.isDirectory(path)) {
                throw new BadInput(path + (Files.exists(path) ? " is not a directory" : ": no such directory")
                        + "; for dataset npy, data.path is the directory holding " + String.join(".npy, ", NAMES)
                        + ".npy" + (path.toString().endsWith(".npz") ? " (for an .npz file set data.dataset: npz)"
                        : ""));
            }
            Function<String, Path> file = name -> path.resolve(name + ".npy");
            return new Source() {
                public boolean has(String name) {
                    return Files.isRegularFile(file.apply(name));
                }

                public NpyArray read(String name) {
                    if (!has(name)) {
                        throw new BadInput(path + " has no " + name + ".npy; save it with numpy.save");
                    }
                    return Npy.read(file.apply(name));
                }

                public String sourceOf(String name) {
                    return file.apply(name).toString();
                }

                public void close() {
                }
            };
        }
    }
}
