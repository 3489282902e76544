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
 * {@code data.validation_split} holds out a stratified share of the training set as the validation set
 * ({@link Datasets}); a source without a test set needs one.
 *
 * <p>Features ({@link Npy} dtypes): shape {@code [N]} (one feature), {@code [N, D]}, {@code [N, H, W]} (one
 * channel) or {@code [N, C, H, W]} / {@code [N, H, W, C]} with {@code data.layout: nchw | nhwc} (required for 4-d
 * arrays), converted to NCHW and flattened: {@code d = C*H*W}, feature {@code c*H*W + h*W + w}; 5 or more
 * dimensions are flattened in C order. {@code uint8} features are pixels: mapped exactly as IDX images
 * ({@code x = (p/255 - mean)/std} with the global pixel mean and sample standard deviation of the training set,
 * or {@code p/255} without {@code data.normalize}), so the same images as IDX or NPZ give the same bits. Other
 * dtypes are converted to float32 and, with {@code data.normalize: true}, standardised by the training set's global
 * mean and standard deviation (one pair for all features and channels, as for the built-in datasets). With
 * {@code data.normalize: per_channel} each channel has its own pair ({@link Normalization}; pixels from one
 * histogram per channel): {@code [N, C, H, W]} and {@code [N, H, W, C]} have {@code C} channels of {@code H*W}
 * features, {@code [N, D]} has {@code D} channels of one feature (per-feature standardisation, as scikit-learn's
 * {@code StandardScaler}), {@code [N, H, W]} and {@code [N]} one channel (the same bits as {@code true}); 5 or
 * more dimensions are refused, their channel axis being unknown. Labels: an
 * integer dtype, shape {@code [N]} or {@code [N, 1]}, each in {@code [0, classes)} where {@code classes} is
 * {@code data.classes} or else the largest label of train and test + 1; class names are {@code "0".."K-1"}.
 *
 * <p>Memory mapping ({@code data.memory_map}, decided from the headers by {@link MemoryMapChoice}): mapped
 * features stay in their {@code .npy} files (or stored {@code .npz} entries) and are converted, NCHW-ordered and
 * normalised row by row as batches are gathered ({@link MappedFeatures}), to the same bits the in-memory path
 * computes; the statistics are streamed over the file in the same order. The training set may then be larger than
 * the heap and than one Java array (up to {@code 2^31 - 9} samples); only the labels are read into memory. A
 * compressed entry ({@code numpy.savez_compressed}) is always read into memory, and refused where it would have
 * to be mapped.
 */
public final class ArrayDatasets {
    private static final String[] NAMES = {"x_train", "y_train", "x_test", "y_test"};

    private ArrayDatasets() {
    }

    /** Loads {@code spec} ({@code npz} or {@code npy}); {@code seed} seeds the validation split. */
    public static Datasets load(DataSpec spec, long seed) {
        return load(spec, seed, null);
    }

    /** {@link #load(DataSpec, long)} mapped by {@code fixed} when it is not null ({@link Datasets#load}). */
    static Datasets load(DataSpec spec, long seed, Normalization fixed) {
        Path path = Path.of(spec.path());
        boolean npz = DataSpec.NPZ.equals(spec.dataset());
        try (Source main = Source.open(path, npz);
             Source separate = spec.testPath() == null ? null : Source.open(Path.of(spec.testPath()), npz)) {
            Npy.Layout xTrainHeader = main.layout("x_train");
            main.layout("y_train");
            Source testSource = separate != null ? separate : main.has("x_test") || main.has("y_test") ? main : null;
            if (testSource == null && spec.validationSplit() == null) {
                throw new BadInput(path + " has no x_test and y_test; add them, set data.test_path, or hold out "
                        + "part of the training set with data.validation_split: 0.1");
            }
            Npy.Layout xTestHeader = testSource == null ? null : testSource.layout("x_test");
            String mode = spec.memoryMap();
            long heap = Runtime.getRuntime().maxMemory();
            boolean map = MemoryMapChoice.decide(mode, heap, xTrainHeader, xTestHeader);
            NpyRows xTrain = open(main, "x_train", map, mode, heap);
            NpyRows yTrain = main.rows("y_train", false);
            String layout = spec.layout();
            if (spec.perChannel() && xTrain.shape().length > 4) {
                throw new BadInput(xTrain.source() + " has shape " + xTrain.shapeText() + "; data.normalize: "
                        + "per_channel needs features [N], [N, D], [N, H, W] or [N, C, H, W] / [N, H, W, C] (with "
                        + "data.layout) to know the channels: reshape them, or set data.normalize: true");
            }
            RawFeatures trainX = features(xTrain, layout, map);
            int[] trainRawLabels = labels(yTrain, trainX.n(), xTrain);
            RawFeatures testX = null;
            int[] testRawLabels = new int[0];
            if (testSource != null) {
                NpyRows xTest = open(testSource, "x_test", map, mode, heap);
                NpyRows yTest = testSource.rows("y_test", false);
                testX = features(xTest, layout, map);
                sameRows(xTrain, trainX, xTest, testX);
                testRawLabels = labels(yTest, testX.n(), xTest);
            }
            int classes = classes(spec.classes(), yTrain, trainRawLabels, testSource == null ? null
                    : testSource.sourceOf("y_test"), testRawLabels);
            return Datasets.assemble(spec, seed, trainX, trainRawLabels, testX, testRawLabels, classes,
                    xTrain.source(), Datasets.numberedClasses(classes), fixed)
                    .withSampleShape(sampleShape(xTrain.shape(), layout));
        }
    }

    /**
     * The shape of one sample of features of array shape {@code s} as {@link #load} reorders them: {@code [N, H, W]}
     * gives one channel {@code [1, H, W]}, {@code [N, C, H, W]} and (with {@code data.layout: nhwc})
     * {@code [N, H, W, C]} give {@code [C, H, W]}; anything else its flat features {@code [D]}.
     */
    public static int[] sampleShape(long[] s, String layout) {
        if (s.length == 3) {
            return new int[] {1, (int) s[1], (int) s[2]};
        }
        if (s.length == 4) {
            return DataSpec.NHWC.equals(layout) ? new int[] {(int) s[3], (int) s[1], (int) s[2]}
                    : new int[] {(int) s[1], (int) s[2], (int) s[3]};
        }
        long d = 1;
        for (int i = 1; i < s.length; i++) {
            d *= s[i];
        }
        return new int[] {(int) d};
    }

    /**
     * New inputs ({@code anneal predict}): the rows of {@code x} read as {@link #load} reads features (NCHW with
     * {@code layout}, the run's {@code data.layout}) and mapped by the run's {@code norm}, global or per channel:
     * {@code uint8} through its 256-entry tables, other dtypes by {@link Normalization#apply(float[], int, int,
     * double[])}, the bits training computed. Row-major {@code N x D}.
     */
    public static float[] inputs(NpyArray x, String layout, Normalization norm) {
        RawFeatures raw = features(NpyRows.of(x), layout, false);
        return raw.toDataset(new int[raw.n()], 1, norm).features();
    }

    /** Array {@code name} of {@code source}, memory-mapped when {@code map} (refused when it cannot be). */
    private static NpyRows open(Source source, String name, boolean map, String mode, long heap) {
        if (map && !source.mappable(name)) {
            throw MemoryMapChoice.compressed(mode, source.layout(name), heap);
        }
        return source.rows(name, map);
    }

    /**
     * The features of {@code x} as rows, NCHW-flattened: read into memory, or left in the file and converted as
     * they are copied ({@link MappedFeatures}) when {@code map}; the same values either way. Their channels
     * ({@link RawFeatures#channels}): {@code C} of a 4-d array, {@code D} of {@code [N, D]}, else 1.
     */
    static RawFeatures features(NpyRows x, String layout, boolean map) {
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
        if (n > DataSpec.MAX_ARRAY || d > DataSpec.MAX_ARRAY) {
            throw new BadInput(x.source() + " has shape " + x.shapeText() + ": " + (n > DataSpec.MAX_ARRAY
                    ? n + " samples" : d + " features per sample") + ", more than the " + DataSpec.MAX_ARRAY
                    + " a set may have; use fewer");
        }
        if (!map && n * d > DataSpec.MAX_ARRAY) {
            throw new BadInput(x.source() + " has " + n + " x " + d + " = " + (n * d) + " features, more than one "
                    + "array holds (" + DataSpec.MAX_ARRAY + "); set data.memory_map: auto to train from the "
                    + "memory-mapped file");
        }
        int rows = (int) n;
        int width = (int) d;
        int[] order = DataSpec.NHWC.equals(layout) ? rowMap(s, true) : null;
        int channels = s.length == 2 ? width : s.length == 4 ? (int) (DataSpec.NHWC.equals(layout) ? s[3] : s[1]) : 1;
        if (map) {
            return RawFeatures.of(new MappedFeatures(x, order), channels);
        }
        if (x.dtype().unsignedByte()) {
            byte[] px = new byte[rows * width];
            for (int r = 0; r < rows; r++) {
                x.bytes(r, order, width, px, r * width);
            }
            return new RawFeatures(px, null, rows, width, channels);
        }
        float[] v = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            x.floats(r, order, width, v, r * width);
        }
        return new RawFeatures(null, v, rows, width, channels);
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
    static int[] labels(NpyRows y, int n, NpyRows x) {
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
            long v = y.integerAt(i, 0);
            if (v < 0 || v > Integer.MAX_VALUE - 8) {
                throw new BadInput(y.source() + ": label " + v + " at index " + i + " is out of range; labels "
                        + "must be class indices 0..K-1");
            }
            out[i] = (int) v;
        }
        return out;
    }

    private static int classes(Integer given, NpyRows yTrain, int[] train, String testSource, int[] test) {
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

    private static void sameRows(NpyRows xTrain, RawFeatures train, NpyRows xTest, RawFeatures test) {
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

        /** The header of array {@code name} (absent: a {@link BadInput} naming the fix). */
        Npy.Layout layout(String name);

        /** Whether array {@code name} can be memory-mapped (an {@code .npy} file, a stored entry). */
        boolean mappable(String name);

        /** Array {@code name}: memory-mapped when {@code map} (then {@link #mappable}), else as it reads best. */
        NpyRows rows(String name, boolean map);

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

                    public Npy.Layout layout(String name) {
                        return archive.layout(name);
                    }

                    public boolean mappable(String name) {
                        return archive.stored(name);
                    }

                    public NpyRows rows(String name, boolean map) {
                        return map ? archive.map(name) : archive.rows(name);
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

                public Npy.Layout layout(String name) {
                    return Npy.layout(existing(name));
                }

                public boolean mappable(String name) {
                    return true;
                }

                public NpyRows rows(String name, boolean map) {
                    return Npy.map(existing(name));
                }

                private Path existing(String name) {
                    if (!has(name)) {
                        throw new BadInput(path + " has no " + name + ".npy; save it with numpy.save");
                    }
                    return file.apply(name);
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
