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
 * standard deviation when {@code data.normalize}, else {@code x = p/255}. {@code synthetic} draws a
 * {@link Synthetic} problem from the seed and, when {@code data.normalize}, standardises it the same way
 * (without the 1/255). Your own data: {@code npz} and {@code npy} are read by {@link ArrayDatasets}, {@code csv}
 * by {@link CsvDatasets}.
 *
 * @param train the training set
 * @param test the test set (same {@code d} and {@code classes})
 * @param description one line, e.g. {@code fashion-mnist: 60000 train, 10000 test, 784 features, 10 classes}
 * @param normalization the map applied to both sets' raw values ({@link Normalization#NONE} for csv, whose
 *     columns are standardised one by one, see {@link CsvDatasets})
 * @param classNames the name of each class index, {@code "0".."K-1"} unless the data names them (csv string labels)
 */
public record Datasets(Dataset train, Dataset test, String description, Normalization normalization,
                       List<String> classNames) {
    /** Classes of MNIST and Fashion-MNIST. */
    public static final int IMAGE_CLASSES = 10;

    public Datasets {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(normalization, "normalization");
        classNames = List.copyOf(Objects.requireNonNull(classNames, "classNames"));
        if (train.n() == 0 || test.n() == 0) {
            throw new BadInput("the " + (train.n() == 0 ? "training" : "test") + " set of " + description
                    + " is empty; it needs at least one sample");
        }
        if (train.d() != test.d() || train.classes() != test.classes()) {
            throw new IllegalArgumentException("train is " + train + " but test is " + test);
        }
        if (classNames.size() != train.classes()) {
            throw new IllegalArgumentException(classNames.size() + " class names for " + train.classes() + " classes");
        }
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
        if (DataSpec.SYNTHETIC.equals(spec.dataset())) {
            return synthetic(spec, seed);
        }
        if (DataSpec.NPZ.equals(spec.dataset()) || DataSpec.NPY.equals(spec.dataset())) {
            return ArrayDatasets.load(spec, seed);
        }
        if (DataSpec.IMAGE_FOLDER.equals(spec.dataset())) {
            return ImageFolderDatasets.load(spec, seed);
        }
        if (DataSpec.CSV.equals(spec.dataset())) {
            return CsvDatasets.load(spec, seed);
        }
        return images(spec.dataset(), Path.of(spec.path()), spec.normalize());
    }

    /** A {@code synthetic} spec's train and test sets. */
    public static Datasets synthetic(DataSpec spec, long seed) {
        Synthetic s = Synthetic.of(spec, seed);
        Dataset train = s.train(spec.trainSamples());
        Dataset test = s.test(spec.testSamples());
        Normalization norm = Normalization.NONE;
        if (spec.normalize()) {
            norm = Normalization.ofValues(train.features(), "synthetic training set");
            train = normalized(train, norm);
            test = normalized(test, norm);
        }
        return new Datasets(train, test, describe(DataSpec.SYNTHETIC, train, test), norm);
    }

    /**
     * MNIST-style IDX files from directory {@code dir}.
     *
     * @param name {@code fashion-mnist} or {@code mnist}: names the dataset in messages and the description
     */
    public static Datasets images(String name, Path dir, boolean normalize) {
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

        Normalization norm = normalize
                ? Normalization.ofPixels(trainImages.pixels(), trainImagesFile.toString())
                : Normalization.UNIT_PIXELS;
        Dataset train = fromPixels(trainImages, trainLabels, norm);
        Dataset test = fromPixels(testImages, testLabels, norm);
        return new Datasets(train, test, describe(name, train, test), norm);
    }

    /** Images and labels as a dataset, each pixel mapped by {@code norm} (through a 256-entry table). */
    public static Dataset fromPixels(Idx.Images images, int[] labels, Normalization norm) {
        float[] table = norm.byteTable();
        byte[] px = images.pixels();
        float[] x = new float[px.length];
        for (int k = 0; k < px.length; k++) {
            x[k] = table[px[k] & 0xff];
        }
        return new Dataset(x, labels, images.pixelsPerImage(), IMAGE_CLASSES);
    }

    /** A copy of {@code data} with every value mapped by {@code norm}. */
    static Dataset normalized(Dataset data, Normalization norm) {
        float[] f = data.features();
        float[] x = new float[f.length];
        for (int k = 0; k < f.length; k++) {
            x[k] = norm.apply(f[k]);
        }
        return new Dataset(x, data.labels(), data.d(), data.classes());
    }

    static String describe(String name, Dataset train, Dataset test) {
        return name + ": " + train.n() + " train, " + test.n() + " test, " + train.d() + " features, "
                + train.classes() + " classes";
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
