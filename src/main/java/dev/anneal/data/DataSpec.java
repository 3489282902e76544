package dev.anneal.data;

import dev.anneal.spec.Format;
import dev.anneal.spec.Require;
import dev.anneal.spec.SpecException;

/**
 * The config section {@code data}: which dataset to train on, where its files are, the batch sizes and
 * whether to normalise. Defaults are defined here and only here.
 *
 * <pre>
 * data:
 *   dataset: fashion-mnist        # fashion-mnist | mnist | synthetic
 *   path: /usr/share/datasets/fashion-mnist
 *   batch_size: 128
 *   eval_batch_size: 1000
 *   normalize: true
 * </pre>
 *
 * <p>The synthetic parameters ({@code train_samples}, {@code test_samples}, {@code features}, {@code classes},
 * {@code noise}) belong to {@code dataset: synthetic} only: they get their defaults there, and setting one for an
 * image dataset is an error rather than a silently ignored key. {@code path} is ignored for {@code synthetic}.
 *
 * @param dataset {@code dataset}: {@code fashion-mnist} (default), {@code mnist} or {@code synthetic}
 * @param path {@code path}: the directory holding the four IDX files; defaults to
 *     {@value #FASHION_MNIST_DIR} for fashion-mnist (Debian package {@code dataset-fashion-mnist}) and
 *     {@value #MNIST_DIR} for mnist; null for synthetic unless given
 * @param batchSize {@code batch_size}: training samples per micro-batch, &gt; 0, default 128
 * @param evalBatchSize {@code eval_batch_size}: samples per evaluation batch, &gt; 0, default 1000
 * @param normalize {@code normalize}: standardise features with the training set's global mean and standard
 *     deviation (see {@link Normalization}), default true
 * @param trainSamples {@code train_samples}: synthetic training samples, &gt; 0, default 2048
 * @param testSamples {@code test_samples}: synthetic test samples, &gt; 0, default 512
 * @param features {@code features}: synthetic feature dimension, &gt; 0, default 32
 * @param classes {@code classes}: synthetic classes, &gt;= 2, default 4
 * @param noise {@code noise}: standard deviation of the synthetic Gaussian noise, &gt;= 0, default 0.5
 */
public record DataSpec(String dataset, String path, Integer batchSize, Integer evalBatchSize, Boolean normalize,
                       Integer trainSamples, Integer testSamples, Integer features, Integer classes,
                       Double noise) {
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String MNIST = "mnist";
    public static final String SYNTHETIC = "synthetic";
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
        Require.oneOf("dataset", dataset, FASHION_MNIST, MNIST, SYNTHETIC);
        if (path == null) {
            path = FASHION_MNIST.equals(dataset) ? FASHION_MNIST_DIR : MNIST.equals(dataset) ? MNIST_DIR : null;
        } else if (path.isBlank()) {
            throw new SpecException("path", "must name a directory, got an empty string");
        }
        batchSize = batchSize == null ? 128 : batchSize;
        evalBatchSize = evalBatchSize == null ? 1000 : evalBatchSize;
        normalize = normalize == null ? Boolean.TRUE : normalize;
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
            syntheticOnly("classes", classes, dataset);
            syntheticOnly("noise", noise, dataset);
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
