package dev.anneal.data;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.anneal.spec.Format;
import dev.anneal.spec.Require;
import dev.anneal.spec.SpecException;
import dev.anneal.spec.WordOrBoolean;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The config section {@code data}: which dataset to train on, where its files are, the batch sizes and
 * whether to normalise. Defaults are defined here and only here.
 *
 * <pre>
 * data:
 *   dataset: fashion-mnist        # fashion-mnist | mnist | synthetic | npz | npy | csv | image_folder
 *   path: /usr/share/datasets/fashion-mnist
 *   batch_size: 128
 *   eval_batch_size: 1000
 *   normalize: true               # true | false | per_channel
 * </pre>
 *
 * <p>The synthetic parameters ({@code train_samples}, {@code test_samples}, {@code features}, {@code classes},
 * {@code noise}) belong to {@code dataset: synthetic} only: they get their defaults there, and setting one for an
 * image dataset is an error rather than a silently ignored key. {@code path} is ignored for {@code synthetic}.
 * {@code validation_split} applies to every dataset.
 *
 * <p>Your own data ({@code npz}, {@code npy}, {@code csv}, read by {@link ArrayDatasets} and {@link CsvDatasets}):
 * {@code path} is required (the {@code .npz} file, the directory of {@code .npy} files, the training CSV);
 * {@code test_path} names a separate test set (another {@code .npz}, directory or CSV); {@code classes} overrides the class count (else the largest label + 1);
 * {@code layout} ({@code nchw} | {@code nhwc}) says how 4-d image arrays are laid out; {@code label_column} and
 * {@code feature_columns} pick a CSV's columns; {@code image_size} ([height, width], required) and {@code color}
 * ({@code grayscale}, the default, or {@code rgb}) say how {@code image_folder} images are resized and converted
 * ({@link ImageFolderReader}); {@code memory_map} ({@code auto}, the default, {@code true} or {@code false}) says
 * whether {@code npz} / {@code npy} training features stay in their files, memory-mapped, instead of being read
 * into the heap ({@link ArrayDatasets}). Each of these keys is refused for the datasets it does not apply to.
 *
 * <p>{@code normalize}, like {@code memory_map}, takes a YAML boolean or a word ({@link WordOrBoolean} reads
 * both and writes {@code true} and {@code false} back as booleans): {@code true} standardises every feature with
 * the training set's global mean and standard deviation, {@code per_channel} with one mean and standard deviation
 * per channel ({@link Normalization}: 1 channel for the IDX datasets, {@code [N, H, W]} and {@code [N]} arrays and
 * grayscale image folders, so the same bits as {@code true}; {@code C} for {@code [N, C, H, W]} and
 * {@code [N, H, W, C]} arrays; 3 for rgb image folders; one per feature for {@code [N, D]} arrays and synthetic
 * data; csv columns are standardised one by one either way), {@code false} only scales ({@code uint8} pixels by
 * 1/255). {@link #normalize()} is the word; {@link #normalizes()} and {@link #perChannel()} say what it means.
 *
 * @param dataset {@code dataset}: {@code fashion-mnist} (default), {@code mnist} or {@code synthetic}
 * @param path {@code path}: the directory holding the four IDX files; defaults to
 *     {@value #FASHION_MNIST_DIR} for fashion-mnist (Debian package {@code dataset-fashion-mnist}) and
 *     {@value #MNIST_DIR} for mnist; null for synthetic unless given
 * @param batchSize {@code batch_size}: training samples per micro-batch, &gt; 0, default 128
 * @param evalBatchSize {@code eval_batch_size}: samples per evaluation batch, &gt; 0, default 1000
 * @param normalize {@code normalize}: {@code "true"} (default: standardise features with the training set's
 *     global mean and standard deviation, see {@link Normalization}), {@code "per_channel"} (one mean and standard
 *     deviation per channel) or {@code "false"} (scale only)
 * @param trainSamples {@code train_samples}: synthetic training samples, &gt; 0, default 2048
 * @param testSamples {@code test_samples}: synthetic test samples, &gt; 0, default 512
 * @param features {@code features}: synthetic feature dimension, &gt; 0, default 32
 * @param classes {@code classes}: synthetic classes, &gt;= 2, default 4
 * @param noise {@code noise}: standard deviation of the synthetic Gaussian noise, &gt;= 0, default 0.5
 * @param testPath {@code test_path}: npz, npy, csv only: the separate test set
 * @param layout {@code layout}: npz, npy only: {@code nchw} or {@code nhwc}, required for 4-d feature arrays
 * @param labelColumn {@code label_column}: csv only, required: the header name of the label column
 * @param featureColumns {@code feature_columns}: csv only: the feature columns in order; default all but the label
 * @param validationSplit {@code validation_split}: any dataset: in (0, 1), the share of the training set held out
 *     (stratified by class, seeded by {@code train.seed}) as the validation set that training evaluates after every
 *     epoch, the test set then being evaluated once at the end ({@link Datasets}); a dataset without a test set of
 *     its own needs it
 * @param imageSize {@code image_size}: image_folder only, required: {@code [height, width]}
 * @param color {@code color}: image_folder only: {@code grayscale} (default) or {@code rgb}
 * @param memoryMap {@code memory_map}: npz, npy only: {@code auto} (default: map when the features as float32
 *     would take more than a quarter of the heap or more than one Java array holds), {@code true} (always map) or
 *     {@code false} (never: data too large for the heap is refused, naming this key); see {@link ArrayDatasets}
 */
public record DataSpec(String dataset, String path, Integer batchSize, Integer evalBatchSize,
                       @JsonDeserialize(using = WordOrBoolean.class)
                       @JsonSerialize(using = WordOrBoolean.Writer.class) String normalize,
                       Integer trainSamples, Integer testSamples, Integer features, Integer classes, Double noise,
                       String testPath, String layout, String labelColumn,
                       List<String> featureColumns, Double validationSplit, List<Integer> imageSize,
                       String color, @JsonDeserialize(using = WordOrBoolean.class)
                       @JsonSerialize(using = WordOrBoolean.Writer.class) String memoryMap) {
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String MNIST = "mnist";
    public static final String SYNTHETIC = "synthetic";
    public static final String NPZ = "npz";
    public static final String NPY = "npy";
    public static final String CSV = "csv";
    public static final String IMAGE_FOLDER = "image_folder";
    public static final String NCHW = "nchw";
    public static final String NHWC = "nhwc";
    /** {@code memory_map} values: decide by size, always, never. */
    public static final String MAP_AUTO = "auto";
    public static final String MAP_ALWAYS = "true";
    public static final String MAP_NEVER = "false";
    /** {@code normalize} values: the global statistics, none (scale only), one pair per channel. */
    public static final String NORMALIZE_GLOBAL = "true";
    public static final String NORMALIZE_OFF = "false";
    public static final String NORMALIZE_PER_CHANNEL = "per_channel";
    public static final String FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
    public static final String MNIST_DIR = "/usr/share/datasets/mnist";

    /**
     * Largest float array the JVM allocates reliably. Sizes that depend on several keys (a synthetic set's
     * {@code samples x features}, batch buffers, the model) are checked against it, and against the heap, by
     * {@code dev.anneal.config.SizeLimits}.
     */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8L;

    public DataSpec {
        dataset = dataset == null ? FASHION_MNIST : dataset;
        Require.oneOf("dataset", dataset, FASHION_MNIST, MNIST, SYNTHETIC, NPZ, NPY, CSV, IMAGE_FOLDER);
        boolean ownFiles = isOwnFiles(dataset);
        if (path == null && ownFiles) {
            throw new SpecException("path", "is required for dataset " + dataset + ": " + pathMeaning(dataset));
        }
        if (path == null) {
            path = FASHION_MNIST.equals(dataset) ? FASHION_MNIST_DIR : MNIST.equals(dataset) ? MNIST_DIR : null;
        } else if (path.isBlank()) {
            throw new SpecException("path", "must name a directory, got an empty string");
        }
        batchSize = batchSize == null ? 128 : batchSize;
        evalBatchSize = evalBatchSize == null ? 1000 : evalBatchSize;
        normalize = normalize == null ? NORMALIZE_GLOBAL : normalize;
        Require.oneOf("normalize", normalize, NORMALIZE_GLOBAL, NORMALIZE_OFF, NORMALIZE_PER_CHANNEL);
        positive("batch_size", batchSize);
        positive("eval_batch_size", evalBatchSize);
        if (SYNTHETIC.equals(dataset)) {
            trainSamples = trainSamples == null ? 2048 : trainSamples;
            testSamples = testSamples == null ? 512 : testSamples;
            features = features == null ? 32 : features;
            classes = classes == null ? 4 : classes;
            noise = noise == null ? 0.5 : noise;
            positive("train_samples", trainSamples);
            positive("test_samples", testSamples);
            positive("features", features);
            if (classes < 2) {
                throw new SpecException("classes", "must be >= 2, got " + classes);
            }
            Require.nonNegative("noise", noise);
        } else {
            syntheticOnly("train_samples", trainSamples, dataset);
            syntheticOnly("test_samples", testSamples, dataset);
            syntheticOnly("features", features, dataset);
            if (!ownFiles) {
                syntheticOnly("classes", classes, dataset);
            } else if (classes != null && classes < 2) {
                throw new SpecException("classes", "must be >= 2, got " + classes);
            }
            syntheticOnly("noise", noise, dataset);
        }
        checkOwnDataKeys(dataset, testPath, layout, labelColumn, featureColumns, validationSplit);
        if (IMAGE_FOLDER.equals(dataset)) {
            color = color == null ? ImageFolderColor.GRAYSCALE.key() : color;
            Require.oneOf("color", color, ImageFolderColor.GRAYSCALE.key(), ImageFolderColor.RGB.key());
            if (imageSize == null) {
                throw new SpecException("image_size", "is required for dataset image_folder: [height, width] that "
                        + "every image is resized to, e.g. [28, 28]");
            }
            if (imageSize.size() != 2 || imageSize.stream().anyMatch(java.util.Objects::isNull) || imageSize.get(0) < 1
                    || imageSize.get(1) < 1) {
                throw new SpecException("image_size", "must be [height, width] with both > 0, got " + imageSize);
            }
            imageSize = List.copyOf(imageSize);
        } else {
            onlyFor("image_size", imageSize, false, "image_folder", dataset);
            onlyFor("color", color, false, "image_folder", dataset);
        }
        if (NPZ.equals(dataset) || NPY.equals(dataset)) {
            memoryMap = memoryMap == null ? MAP_AUTO : memoryMap;
            Require.oneOf("memory_map", memoryMap, MAP_AUTO, MAP_ALWAYS, MAP_NEVER);
        } else {
            onlyFor("memory_map", memoryMap, false, "npz or npy", dataset);
        }
    }

    /** The spec without {@code memory_map} (its default), {@code normalize} as a boolean (null: the default). */
    public DataSpec(String dataset, String path, Integer batchSize, Integer evalBatchSize, Boolean normalize,
                    Integer trainSamples, Integer testSamples, Integer features, Integer classes, Double noise,
                    String testPath, String layout, String labelColumn, List<String> featureColumns,
                    Double validationSplit, List<Integer> imageSize, String color) {
        this(dataset, path, batchSize, evalBatchSize, normalize == null ? null : normalize.toString(), trainSamples,
                testSamples, features, classes, noise, testPath, layout, labelColumn, featureColumns, validationSplit,
                imageSize, color, null);
    }

    /** The spec without the keys of your own data (npz, npy, csv), as before they existed. */
    public DataSpec(String dataset, String path, Integer batchSize, Integer evalBatchSize, Boolean normalize,
                    Integer trainSamples, Integer testSamples, Integer features, Integer classes, Double noise) {
        this(dataset, path, batchSize, evalBatchSize, normalize, trainSamples, testSamples, features, classes, noise,
                null, null, null, null, null, null, null);
    }

    /** The spec without the image-folder keys. */
    public DataSpec(String dataset, String path, Integer batchSize, Integer evalBatchSize, Boolean normalize,
                    Integer trainSamples, Integer testSamples, Integer features, Integer classes, Double noise,
                    String testPath, String layout, String labelColumn, List<String> featureColumns,
                    Double validationSplit) {
        this(dataset, path, batchSize, evalBatchSize, normalize, trainSamples, testSamples, features, classes, noise,
                testPath, layout, labelColumn, featureColumns, validationSplit, null, null);
    }

    /**
     * Whether the features are standardised ({@code normalize} is {@code true} or {@code per_channel}); false when
     * they are only scaled.
     */
    public boolean normalizes() {
        return !NORMALIZE_OFF.equals(normalize);
    }

    /** Whether {@code normalize} is {@code per_channel}: one mean and standard deviation per channel. */
    public boolean perChannel() {
        return NORMALIZE_PER_CHANNEL.equals(normalize);
    }

    /** Whether {@code dataset} reads the user's own files ({@code npz}, {@code npy}, {@code csv}, {@code image_folder}). */
    public static boolean isOwnFiles(String dataset) {
        return NPZ.equals(dataset) || NPY.equals(dataset) || CSV.equals(dataset) || IMAGE_FOLDER.equals(dataset);
    }

    private static String pathMeaning(String dataset) {
        return switch (dataset) {
            case NPZ -> "the .npz file holding x_train, y_train (and x_test, y_test)";
            case NPY -> "the directory holding x_train.npy, y_train.npy (and x_test.npy, y_test.npy)";
            case IMAGE_FOLDER -> "the directory with one sub-directory of images per class (train/cat/*.png)";
            default -> "the training CSV file";
        };
    }

    private static void checkOwnDataKeys(String dataset, String testPath, String layout, String labelColumn,
                                         List<String> featureColumns, Double validationSplit) {
        boolean own = isOwnFiles(dataset);
        boolean arrays = NPZ.equals(dataset) || NPY.equals(dataset);
        boolean csv = CSV.equals(dataset);
        onlyFor("test_path", testPath, own, "npz, npy, csv or image_folder", dataset);
        if (testPath != null && testPath.isBlank()) {
            throw new SpecException("test_path", "must name a file or directory, got an empty string");
        }
        onlyFor("layout", layout, arrays, "npz or npy", dataset);
        if (layout != null) {
            Require.oneOf("layout", layout, NCHW, NHWC);
        }
        onlyFor("label_column", labelColumn, csv, "csv", dataset);
        onlyFor("feature_columns", featureColumns, csv, "csv", dataset);
        if (validationSplit != null) {
            Require.inOpen("validation_split", validationSplit, 0, 1);
        }
        if (csv && (labelColumn == null || labelColumn.isBlank())) {
            throw new SpecException("label_column", "is required for dataset csv: the header name of the column "
                    + "holding the class labels");
        }
        if (featureColumns != null) {
            if (featureColumns.isEmpty()) {
                throw new SpecException("feature_columns", "must name at least one column (or leave it out to use "
                        + "every column but the label)");
            }
            Set<String> seen = new HashSet<>();
            for (String c : featureColumns) {
                if (c == null || !seen.add(c)) {
                    throw new SpecException("feature_columns", "names " + (c == null ? "null" : "column " + c
                            + " twice") + "; list each column once");
                }
                if (c.equals(labelColumn)) {
                    throw new SpecException("feature_columns", "includes the label column " + c + "; remove it");
                }
            }
        }
    }

    private static void onlyFor(String key, Object value, boolean applies, String datasets, String dataset) {
        if (value != null && !applies) {
            throw new SpecException(key, "only applies to dataset " + datasets + ", not " + dataset
                    + " (remove it or change data.dataset)");
        }
    }

    /** The defaults: Fashion-MNIST from {@value #FASHION_MNIST_DIR}. */
    public static DataSpec defaults() {
        return new DataSpec(null, null, null, null, null, null, null, null, null, null);
    }

    /** A synthetic dataset with default parameters. */
    public static DataSpec synthetic() {
        return new DataSpec(SYNTHETIC, null, null, null, null, null, null, null, null, null);
    }

    private static void positive(String key, Integer value) {
        int v = Require.present(key, value);
        if (v <= 0) {
            throw new SpecException(key, "must be > 0, got " + v);
        }
    }

    private static void syntheticOnly(String key, Object value, String dataset) {
        if (value != null) {
            String shown = value instanceof Double ? Format.number((Double) value) : value.toString();
            throw new SpecException(key, "only applies to dataset synthetic, got " + shown
                    + " with dataset " + dataset + " (remove it or set dataset: synthetic)");
        }
    }
}
