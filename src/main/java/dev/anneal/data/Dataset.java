package dev.anneal.data;

import java.util.Arrays;

/**
 * A labelled dataset: {@code n} samples of {@code d} features, row-major, and one class index per sample. Sample
 * {@code i} is {@code features[i*d .. i*d + d)} with label {@code labels[i]} in {@code [0, classes)}.
 *
 * <p>The features are held one of two ways; the labels are always an {@code int[]} on the heap.
 * <ul>
 *   <li>In memory: one {@code float[n*d]} ({@link #features()}), copied into batches by
 *       {@link System#arraycopy}.</li>
 *   <li>Memory-mapped ({@link #mapped()}, {@code data.memory_map}): the raw rows of an {@code .npy} file
 *       ({@link MappedFeatures}), converted and normalised row by row as they are copied, to exactly the values
 *       the in-memory form of the same data holds; {@code n*d} may then exceed the heap and one Java array.
 *       {@link #features()} refuses them (it would have to allocate the whole set); {@link #copyRows},
 *       {@link #copyRange}, {@link #feature} and {@link #head} read both forms.</li>
 * </ul>
 *
 * <p>Immutable by convention: {@link #features()} and {@link #labels()} return the backing arrays without a copy
 * (a Fashion-MNIST training set is 188 MB of floats); callers read them and never write.
 */
public final class Dataset {
    private final float[] features;
    private final MappedFeatures mappedFeatures;
    private final int[] labels;
    private final int n;
    private final int d;
    private final int classes;
    /** The shape of one sample, {@code [d]} or PyTorch's {@code [C, H, W]} of images (whose product is d). */
    private final int[] shape;

    /**
     * @param features row-major {@code n x d}, {@code n = labels.length}
     * @param labels class indices in {@code [0, classes)}
     * @param d features per sample, &gt; 0
     * @param classes number of classes, &gt; 0
     * @throws IllegalArgumentException when the sizes disagree or a label is out of range
     */
    public Dataset(float[] features, int[] labels, int d, int classes) {
        this(features, null, labels, d, classes);
        if ((long) labels.length * d != features.length) {
            throw new IllegalArgumentException("features hold " + features.length + " floats, expected "
                    + labels.length + " samples x " + d);
        }
    }

    /** Memory-mapped {@code features} (normalised: {@link MappedFeatures#normalized}) with {@code labels}. */
    Dataset(MappedFeatures features, int[] labels, int classes) {
        this(null, features, labels, features.d(), classes);
        if (features.n() != labels.length) {
            throw new IllegalArgumentException(features + " holds " + features.n() + " samples but there are "
                    + labels.length + " labels");
        }
        if (features.normalization() == null) {
            throw new IllegalArgumentException(features + " has no normalisation");
        }
    }

    private Dataset(float[] features, MappedFeatures mapped, int[] labels, int d, int classes) {
        this(features, mapped, labels, d, classes, new int[] {d});
    }

    private Dataset(float[] features, MappedFeatures mapped, int[] labels, int d, int classes, int[] shape) {
        long size = 1;
        for (int s : shape) {
            size *= s;
        }
        if (shape.length == 0 || size != d) {
            throw new IllegalArgumentException("sample shape " + Arrays.toString(shape) + " for " + d + " features");
        }
        this.shape = shape.clone();
        if (d <= 0 || classes <= 0) {
            throw new IllegalArgumentException("d and classes must be > 0, got " + d + " and " + classes);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " at index " + i + " is out of range 0.."
                        + (classes - 1));
            }
        }
        this.features = features;
        this.mappedFeatures = mapped;
        this.labels = labels;
        this.n = labels.length;
        this.d = d;
        this.classes = classes;
    }

    /** Number of samples. */
    public int n() {
        return n;
    }

    /** Features per sample. */
    public int d() {
        return d;
    }

    public int classes() {
        return classes;
    }

    /**
     * The shape of one sample: {@code [d]} for features, {@code [C, H, W]} for images (the features of a sample are
     * then its pixels in that order, PyTorch's NCHW).
     */
    public int[] shape() {
        return shape.clone();
    }

    /** The same samples (the same arrays, no copy) with sample shape {@code shape}, whose product must be d. */
    public Dataset withShape(int... shape) {
        return new Dataset(features, mappedFeatures, labels, d, classes, shape);
    }

    /** Whether the features are memory-mapped rows of a file rather than one array on the heap. */
    public boolean mapped() {
        return mappedFeatures != null;
    }

    /**
     * The backing row-major {@code n x d} array: read only.
     *
     * @throws IllegalStateException when the features are memory-mapped ({@link #mapped()}): there is no such
     *     array, and making one could take more than the heap; use {@link #copyRows}, {@link #copyRange} or
     *     {@link #head}
     */
    public float[] features() {
        if (features == null) {
            throw new IllegalStateException("the features of " + this + " are memory-mapped, not one array; read "
                    + "them with copyRows, copyRange or head");
        }
        return features;
    }

    /**
     * Copies the features of samples {@code order[from]}, ..., {@code order[from + count - 1]} into {@code x}
     * from {@code xOffset}, row after row ({@code d} floats each). Indices are not checked beyond what the
     * arrays check; see {@link Batches#gather}.
     */
    public void copyRows(int[] order, int from, int count, float[] x, int xOffset) {
        if (features != null) {
            for (int r = 0; r < count; r++) {
                System.arraycopy(features, order[from + r] * d, x, xOffset + r * d, d);
            }
            return;
        }
        for (int r = 0; r < count; r++) {
            mappedFeatures.copyRow(order[from + r], x, xOffset + r * d);
        }
    }

    /** Copies the features of samples {@code start .. start + count - 1} into {@code x} from {@code xOffset}. */
    public void copyRange(int start, int count, float[] x, int xOffset) {
        if (features != null) {
            System.arraycopy(features, start * d, x, xOffset, count * d);
            return;
        }
        for (int r = 0; r < count; r++) {
            mappedFeatures.copyRow(start + r, x, xOffset + r * d);
        }
    }

    /**
     * The first {@code m} samples ({@code 0 <= m <= n}) as a dataset in memory: a copy of their features and
     * labels, whichever way this one holds them.
     */
    public Dataset head(int m) {
        if (m < 0 || m > n) {
            throw new IllegalArgumentException("head of " + m + " samples of " + this);
        }
        float[] x;
        if (features != null) {
            x = Arrays.copyOf(features, m * d);
        } else {
            x = new float[Math.multiplyExact(m, d)];
            copyRange(0, m, x, 0);
        }
        return new Dataset(x, Arrays.copyOf(labels, m), d, classes).withShape(shape);
    }

    /** The backing label array: read only. */
    public int[] labels() {
        return labels;
    }

    public int label(int i) {
        return labels[i];
    }

    /** Feature {@code j} of sample {@code i}. */
    public float feature(int i, int j) {
        if (features != null) {
            return features[i * d + j];
        }
        if (j < 0 || j >= d) {
            throw new IndexOutOfBoundsException("feature " + j + " of " + d);
        }
        float[] row = new float[d];
        mappedFeatures.copyRow(i, row, 0);
        return row[j];
    }

    /** How many samples each class has. */
    public int[] classCounts() {
        int[] counts = new int[classes];
        for (int y : labels) {
            counts[y]++;
        }
        return counts;
    }

    @Override
    public String toString() {
        return "Dataset[" + n + " x " + d + ", " + classes + " classes" + (mapped() ? ", memory-mapped from "
                + mappedFeatures.file().source() : "") + "]";
    }
}
