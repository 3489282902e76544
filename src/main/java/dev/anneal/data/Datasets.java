package dev.anneal.data;

import dev.anneal.spec.BadInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The training and test sets of a run, loaded and normalised as a {@link DataSpec} says.
 *
 * <p>Image datasets ({@code fashion-mnist}, {@code mnist}) read the four standard IDX files from
 * {@code data.path}: {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each raw or gzip-compressed with a
 * {@code .gz} suffix (the raw file is preferred when both exist; the dotted names {@code train-images.idx3-ubyte}
 * of some mirrors are accepted too). Features are the pixels of an image, row-major ({@code d = rows * cols}),
 * mapped by {@link Normalization}: {@code x = (p/255 - mean)/std} with the training set's global pixel mean and
 * standard deviation when {@code data.normalize} is {@code true}, else {@code x = p/255}; the images have one
 * channel, so {@code per_channel} gives the same statistics and the same bits as {@code true}. {@code synthetic}
 * draws a {@link Synthetic} problem from the seed and, when {@code data.normalize}, standardises it the same way
 * (without the 1/255; with {@code per_channel}, each feature by its own mean and standard deviation). Your own
 * data: {@code npz} and {@code npy} are read by {@link ArrayDatasets}, {@code csv} by {@link CsvDatasets},
 * {@code image_folder} by {@link ImageFolderDatasets}.
 *
 * <p>Held-out sets. {@code data.validation_split} (any dataset) holds out a stratified, seeded share of the
 * training set ({@link Splits}) as the <em>validation</em> set, which training evaluates after every epoch (what a
 * plateau schedule, early stopping and the best checkpoint watch); the <em>test</em> set, from the dataset's own
 * files or {@code data.test_path}, is then evaluated once, at the end of the run (Keras' {@code validation_split}
 * and {@code model.evaluate}). Without a validation split the test set is evaluated after every epoch, as before.
 * Normalisation statistics come from the training rows that remain after the split.
 *
 * @param train the training set
 * @param test the test set (same {@code d} and {@code classes}), null when the data has none and a validation set
 *     stands in
 * @param description one line, e.g. {@code fashion-mnist: 60000 train, 10000 test, 784 features, 10 classes}
 * @param normalization the map applied to every set's raw values ({@link Normalization#NONE} for csv, whose
 *     columns are standardised one by one, see {@link CsvDatasets})
 * @param classNames the name of each class index, {@code "0".."K-1"} unless the data names them (csv string labels)
 * @param validation the validation set held out of the training files by {@code data.validation_split}, else null
 */
public record Datasets(Dataset train, Dataset test, String description, Normalization normalization,
                       List<String> classNames, Dataset validation) {
    /** Classes of MNIST and Fashion-MNIST. */
    public static final int IMAGE_CLASSES = 10;

    public Datasets {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(normalization, "normalization");
        classNames = List.copyOf(Objects.requireNonNull(classNames, "classNames"));
        if (test == null && validation == null) {
            throw new IllegalArgumentException("need a test set, a validation set or both");
        }
        String empty = train.n() == 0 ? "training" : test != null && test.n() == 0 ? "test"
                : validation != null && validation.n() == 0 ? "validation" : null;
        if (empty != null) {
            throw new BadInput("the " + empty + " set of " + description + " is empty; it needs at least one sample");
        }
        for (Dataset other : new Dataset[] {test, validation}) {
            if (other != null && (train.d() != other.d() || train.classes() != other.classes())) {
                throw new IllegalArgumentException("train is " + train + " but another set is " + other);
            }
        }
        if (classNames.size() != train.classes()) {
            throw new IllegalArgumentException(classNames.size() + " class names for " + train.classes() + " classes");
        }
    }

    /** Sets without a validation set. */
    public Datasets(Dataset train, Dataset test, String description, Normalization normalization,
                    List<String> classNames) {
        this(train, test, description, normalization, classNames, null);
    }

    /**
     * The set evaluated after every epoch, which the plateau schedule, early stopping and the best checkpoint
     * watch: the validation set when there is one, else the test set.
     */
    public Dataset monitored() {
        return validation != null ? validation : test;
    }

    /** The samples of the validation and test sets together (what SizeLimits counts as the test set's). */
    public long heldOutSamples() {
        return (validation == null ? 0L : validation.n()) + (test == null ? 0L : test.n());
    }

    /** Whether the per-epoch evaluation is on a validation set (and the test set, if any, is kept for the end). */
    public boolean validating() {
        return validation != null;
    }

    /**
     * The same sets with sample shape {@code shape} ({@code [C, H, W]} of images, whose product is the features per
     * sample): what the model reads its input shape from.
     */
    public Datasets withSampleShape(int... shape) {
        return new Datasets(train.withShape(shape), test == null ? null : test.withShape(shape), description,
                normalization, classNames, validation == null ? null : validation.withShape(shape));
    }

    /** Sets whose classes are numbered {@code "0".."K-1"}. */
    public Datasets(Dataset train, Dataset test, String description, Normalization normalization) {
        this(train, test, description, normalization, numberedClasses(train.classes()));
    }

    /** The names {@code "0", "1", ..., "K-1"}. */
    public static List<String> numberedClasses(int classes) {
        List<String> names = new ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            names.add(Integer.toString(c));
        }
        return names;
    }

    /**
     * Loads the data of {@code spec}.
     *
     * @param seed the data seed: used by {@code synthetic} and by {@code data.validation_split}
     * @throws BadInput when a file is missing, unreadable or malformed (one line naming it and the fix)
     */
    public static Datasets load(DataSpec spec, long seed) {
        return load(spec, seed, null);
    }

    /**
     * Loads the data of {@code spec}, mapped by {@code fixed} (a trained run's map, {@code RUN/data.json}) instead
     * of statistics of its own training rows when {@code fixed} is not null; not for csv, whose columns
     * {@link CsvDatasets#load(DataSpec, long, CsvDatasets.ColumnStats)} takes.
     *
     * @throws BadInput also when the data's features do not fit {@code fixed} (another number of channels)
     */
    public static Datasets load(DataSpec spec, long seed, Normalization fixed) {
        if (DataSpec.SYNTHETIC.equals(spec.dataset())) {
            return synthetic(spec, seed, fixed);
        }
        if (DataSpec.NPZ.equals(spec.dataset()) || DataSpec.NPY.equals(spec.dataset())) {
            return ArrayDatasets.load(spec, seed, fixed);
        }
        if (DataSpec.IMAGE_FOLDER.equals(spec.dataset())) {
            return ImageFolderDatasets.load(spec, seed, fixed);
        }
        if (DataSpec.CSV.equals(spec.dataset())) {
            if (fixed != null) {
                throw new IllegalArgumentException("csv columns are mapped by CsvDatasets.load(spec, seed, columns)");
            }
            return CsvDatasets.load(spec, seed);
        }
        return images(spec.dataset(), Path.of(spec.path()), spec.normalize(), spec.validationSplit(), seed, fixed);
    }

    /** A {@code synthetic} spec's train and test sets (and validation set, with {@code data.validation_split}). */
    public static Datasets synthetic(DataSpec spec, long seed) {
        return synthetic(spec, seed, null);
    }

    private static Datasets synthetic(DataSpec spec, long seed, Normalization fixed) {
        Synthetic s = Synthetic.of(spec, seed);
        Dataset train = s.train(spec.trainSamples());
        Dataset test = s.test(spec.testSamples());
        // One channel per feature: per_channel standardises each feature on its own.
        return assemble(spec, seed, new RawFeatures(null, train.features(), train.n(), train.d(), train.d()),
                train.labels(), new RawFeatures(null, test.features(), test.n(), test.d(), test.d()), test.labels(),
                train.classes(), "synthetic training set", numberedClasses(train.classes()), fixed);
    }

    /**
     * MNIST-style IDX files from directory {@code dir}.
     *
     * @param name {@code fashion-mnist} or {@code mnist}: names the dataset in messages and the description
     */
    public static Datasets images(String name, Path dir, boolean normalize) {
        return images(name, dir, normalize ? DataSpec.NORMALIZE_GLOBAL : DataSpec.NORMALIZE_OFF, null, 0);
    }

    /**
     * The same, holding out {@code validationSplit} of the training images (stratified, stream {@code seed}) as
     * the validation set when it is not null.
     *
     * @param normalize {@code data.normalize}: {@code true}, {@code false} or {@code per_channel} (one channel:
     *     the same as {@code true})
     */
    public static Datasets images(String name, Path dir, String normalize, Double validationSplit, long seed) {
        return images(name, dir, normalize, validationSplit, seed, null);
    }

    private static Datasets images(String name, Path dir, String normalize, Double validationSplit, long seed,
                                   Normalization fixed) {
        if (!Files.exists(dir)) {
            throw new BadInput("data.path " + dir + ": no such directory; " + installHint(name));
        }
        if (!Files.isDirectory(dir)) {
            throw new BadInput("data.path " + dir + ": not a directory; set data.path to the directory holding the"
                    + " IDX files");
        }
        Path trainImagesFile = find(name, dir, "train-images", "idx3-ubyte");
        Path trainLabelsFile = find(name, dir, "train-labels", "idx1-ubyte");
        Path testImagesFile = find(name, dir, "t10k-images", "idx3-ubyte");
        Path testLabelsFile = find(name, dir, "t10k-labels", "idx1-ubyte");

        Idx.Images trainImages = Idx.readImages(trainImagesFile);
        nonEmpty(trainImagesFile, trainImages.count(), "training");
        int[] trainLabels = Idx.readLabels(trainLabelsFile, IMAGE_CLASSES);
        matchCounts(trainImagesFile, trainImages, trainLabelsFile, trainLabels);
        Idx.Images testImages = Idx.readImages(testImagesFile);
        nonEmpty(testImagesFile, testImages.count(), "test");
        int[] testLabels = Idx.readLabels(testLabelsFile, IMAGE_CLASSES);
        matchCounts(testImagesFile, testImages, testLabelsFile, testLabels);
        if (testImages.rows() != trainImages.rows() || testImages.cols() != trainImages.cols()) {
            throw new BadInput(testImagesFile + " holds " + testImages.rows() + " x " + testImages.cols()
                    + " images but " + trainImagesFile + " holds " + trainImages.rows() + " x " + trainImages.cols());
        }

        int d = trainImages.pixelsPerImage();
        return assemble(name, validationSplit, normalize, seed,
                new RawFeatures(trainImages.pixels(), null, trainImages.count(), d), trainLabels,
                new RawFeatures(testImages.pixels(), null, testImages.count(), d), testLabels, IMAGE_CLASSES,
                trainImagesFile.toString(), numberedClasses(IMAGE_CLASSES), fixed)
                .withSampleShape(1, trainImages.rows(), trainImages.cols());
    }

    static String describe(String name, Dataset train, Dataset test) {
        return describe(name, train, null, test);
    }

    /**
     * {@code name: 54000 train, 6000 validation, 10000 test, 784 features, 10 classes}; absent sets left out, and
     * {@code , features memory-mapped} added when they are ({@code data.memory_map}).
     */
    static String describe(String name, Dataset train, Dataset validation, Dataset test) {
        return name + ": " + train.n() + " train, " + (validation == null ? "" : validation.n() + " validation, ")
                + (test == null ? "" : test.n() + " test, ") + train.d() + " features, " + train.classes()
                + " classes" + (train.mapped() ? ", features memory-mapped" : "");
    }

    /**
     * The sets of raw features: with {@code data.validation_split}, a stratified seeded share of the training rows
     * is held out as the validation set ({@link Splits}); the normalisation statistics are then taken from the
     * remaining training rows ({@link RawFeatures#statistics}) and every set is mapped by them.
     *
     * @param testX the test features, null when the data has no test set (a validation split is then required)
     * @param source named by messages about the training features (empty split, constant values)
     */
    static Datasets assemble(DataSpec spec, long seed, RawFeatures trainX, int[] trainY, RawFeatures testX,
                             int[] testY, int classes, String source, List<String> classNames, Normalization fixed) {
        return assemble(spec.dataset(), spec.validationSplit(), spec.normalize(), seed, trainX, trainY, testX, testY,
                classes, source, classNames, fixed);
    }

    /** {@link #assemble(DataSpec, long, RawFeatures, int[], RawFeatures, int[], int, String, List)} by its keys. */
    static Datasets assemble(String name, Double validationSplit, boolean normalize, long seed, RawFeatures trainX,
                             int[] trainY, RawFeatures testX, int[] testY, int classes, String source,
                             List<String> classNames) {
        return assemble(name, validationSplit, normalize ? DataSpec.NORMALIZE_GLOBAL : DataSpec.NORMALIZE_OFF, seed,
                trainX, trainY, testX, testY, classes, source, classNames, null);
    }

    /**
     * {@link #assemble(DataSpec, long, RawFeatures, int[], RawFeatures, int[], int, String, List)} by its keys;
     * {@code normalize} is {@code data.normalize}'s word ({@code true}, {@code false}, {@code per_channel}: the
     * statistics of each channel of {@code trainX}, {@link RawFeatures#channels}); a {@code fixed} map, when not
     * null, is applied instead of any statistics (a trained run's, so that evaluation maps as training did).
     */
    static Datasets assemble(String name, Double validationSplit, String normalize, long seed, RawFeatures trainX,
                             int[] trainY, RawFeatures testX, int[] testY, int classes, String source,
                             List<String> classNames, Normalization fixed) {
        RawFeatures validationX = null;
        int[] validationY = null;
        if (validationSplit != null) {
            Splits split = Splits.stratified(trainY, classes, validationSplit, seed, source);
            validationX = trainX.select(split.heldOut());
            validationY = Splits.select(trainY, split.heldOut());
            trainX = trainX.select(split.kept());
            trainY = Splits.select(trainY, split.kept());
        } else if (testX == null) {
            throw new IllegalArgumentException("no test set and no validation split");
        }
        if (fixed != null && fixed.perChannel() && fixed.features() != trainX.d()) {
            throw new BadInput(source + " has " + trainX.d() + " features per sample, but the run's per-channel "
                    + "normalisation is for " + fixed.channels() + " channels of " + fixed.channelSize()
                    + "; use data of the shape the run was trained on");
        }
        Normalization norm = fixed != null ? fixed : trainX.statistics(normalize, source);
        Dataset train = trainX.toDataset(trainY, classes, norm);
        Dataset validation = validationX == null ? null : validationX.toDataset(validationY, classes, norm);
        Dataset test = testX == null ? null : testX.toDataset(testY, classes, norm);
        return new Datasets(train, test, describe(name, train, validation, test), norm, classNames, validation);
    }

    /**
     * A training set without samples has nothing to learn from and a test set without samples gives an accuracy
     * of 0/0: both are refused, naming the file.
     */
    private static void nonEmpty(Path imagesFile, int count, String which) {
        if (count == 0) {
            throw new BadInput(imagesFile + " holds 0 images (the count in its IDX header is 0); the " + which
                    + " set needs at least one: replace the file with a complete copy");
        }
    }

    private static void matchCounts(Path imagesFile, Idx.Images images, Path labelsFile, int[] labels) {
        if (images.count() != labels.length) {
            throw new BadInput(imagesFile + " holds " + images.count() + " images but " + labelsFile + " holds "
                    + labels.length + " labels; the files must come from the same dataset");
        }
    }

    /** The file {@code prefix-suffix} or {@code prefix.suffix}, raw or {@code .gz}, in {@code dir}. */
    private static Path find(String name, Path dir, String prefix, String suffix) {
        String standard = prefix + "-" + suffix;
        for (String base : new String[] {standard, prefix + "." + suffix}) {
            for (String file : new String[] {base, base + ".gz"}) {
                Path p = dir.resolve(file);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        throw new BadInput("data.path " + dir + ": no " + standard + " or " + standard + ".gz there; "
                + installHint(name));
    }

    private static String installHint(String name) {
        if (DataSpec.FASHION_MNIST.equals(name)) {
            return "install it with: apt-get install dataset-fashion-mnist (or set data.path)";
        }
        return "put the four " + name + " IDX files there (train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                + "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz) or set data.path";
    }
}
