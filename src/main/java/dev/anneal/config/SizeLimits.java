package dev.anneal.config;

import static dev.anneal.spec.Saturating.plus;
import static dev.anneal.spec.Saturating.times;

import dev.anneal.data.DataSpec;
import dev.anneal.model.ModelPlan;
import dev.anneal.model.ModelSpec;
import dev.anneal.optim.Adam;
import dev.anneal.optim.AdamW;
import dev.anneal.optim.OptimizerSpec;
import dev.anneal.optim.RmsProp;
import dev.anneal.optim.Sgd;
import dev.anneal.spec.Format;
import dev.anneal.spec.SpecException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Whether the buffers a config asks for can be allocated, decided before any is: a size that cannot be is
 * reported at the key that asked for it, with the largest value that fits, instead of failing deep in the backend
 * (an {@code OutOfMemoryError}, a negative array size, an int overflow).
 *
 * <p>The limits, with {@code eval = min(eval_batch_size, held-out samples)} (an evaluation batch never holds more
 * rows than the validation and test sets have, and the buffers are sized so), {@code rows = max(batch_size x
 * accumulation_steps, eval)} (the input buffer of one replica), {@code cap = max(batch_size, eval)} (the rows of
 * each layer's activations) and
 * {@code G = batch_size x devices x accumulation_steps} (the global batch):
 * <ul>
 *   <li>one buffer holds at most {@value #MAX_ELEMENTS} elements (a Java array; backend buffers share the
 *       limit): {@code rows x features}, {@code cap x width} of every layer, the parameter count, {@code G x
 *       features} ({@code anneal bench step} builds one global batch) and a synthetic set's
 *       {@code samples x features};</li>
 *   <li>{@code G} itself is at most {@value #MAX_ELEMENTS} samples;</li>
 *   <li>the estimated bytes fit in 90% of the JVM's maximum heap ({@link Runtime#maxMemory}, set with
 *       {@code -Xmx}): the training and test sets, each replica's batch buffers and, on the CPU (devices
 *       {@code cpu} and {@code auto}, which falls back to it), each replica's parameters, gradients, optimizer
 *       state and activations, plus one host copy of the parameters and optimizer state for checkpoints.</li>
 * </ul>
 * A batch larger than the training set is allowed (PyTorch's DataLoader gives one short batch): the limits are
 * what can be allocated, not what is sensible. Image datasets are sized as MNIST (28 x 28 = 784 features, 10
 * classes, 60000 training and 10000 test images) until their files are read, your own data ({@code npz},
 * {@code npy}, {@code csv}) as one sample of one feature in two classes; {@link #check(AnnealConfig, int,
 * int, long, long)} checks again with the real shape. Memory-mapped features ({@code data.memory_map}, see
 * {@code dev.anneal.data.ArrayDatasets}) are not on the heap: {@link #check(AnnealConfig, int, int, long, long,
 * boolean)} then counts only the sets' labels.
 *
 * <p>A {@code type: sequential} model is sized by its {@link ModelPlan} for the data's sample shape (MNIST's
 * {@code [1, 28, 28]}, synthetic {@code [features]}, your own data's once read): its parameters, and per row of
 * {@code chunk} (the micro-batch when it has image layers, else {@code cap}) the floats of every layer buffer
 * ({@link ModelPlan#floatsPerSample}), the largest of which must fit one buffer. A plan that does not fit the data
 * is {@link ModelShapes}' to report, not this class's.
 */
public final class SizeLimits {
    /** The most elements one Java array (and so one buffer) reliably holds. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8L;
    /** The share of the maximum heap that the estimated buffers may take. */
    static final double HEAP_SHARE = 0.9;

    private static final int MNIST_FEATURES = 28 * 28;
    private static final int MNIST_CLASSES = 10;
    private static final int MNIST_TRAIN = 60_000;
    private static final int MNIST_TEST = 10_000;
    private static final String BATCH = "data.batch_size";
    private static final String EVAL_BATCH = "data.eval_batch_size";
    private static final String ACCUMULATION = "train.accumulation_steps";
    private static final String DEVICES = "devices";
    private static final String TRAIN = "data.train_samples";
    private static final String TEST = "data.test_samples";
    private static final String FEATURES = "data.features";
    private static final String CLASSES = "data.classes";

    private final Map<String, Long> values = new LinkedHashMap<>();
    private final Map<String, Long> minimum = new LinkedHashMap<>();
    private final int hiddenLayers;
    private final int stateBuffers;
    private final boolean modelOnHeap;
    private final boolean imageFiles;
    private final boolean featuresOnHeap;
    private final long heapBudget;
    private final Predicate<String> written;
    /** The model when it is {@code type: sequential}, else null. */
    private final ModelSpec sequential;
    /** The data's sample shape ({@code [C, H, W]} of images), or null for flat {@code [features]}. */
    private final int[] imageShape;

    private SizeLimits(AnnealConfig c, long features, long classes, long train, long test, long maxHeap,
                       Predicate<String> written) {
        this(c, features, classes, train, test, maxHeap, written, true, null);
    }

    private SizeLimits(AnnealConfig c, long features, long classes, long train, long test, long maxHeap,
                       Predicate<String> written, boolean featuresOnHeap, int[] imageShape) {
        this.written = written;
        this.sequential = c.model().type().equals("sequential") ? c.model() : null;
        this.imageShape = imageShape != null && imageShape.length == 3 ? imageShape.clone() : null;
        this.featuresOnHeap = featuresOnHeap;
        DataSpec data = c.data();
        boolean synthetic = DataSpec.SYNTHETIC.equals(data.dataset());
        knob(BATCH, data.batchSize(), 1);
        knob(EVAL_BATCH, data.evalBatchSize(), 1);
        knob(ACCUMULATION, c.train().accumulationSteps(), 1);
        knob(DEVICES, c.devices(), 1);
        List<Long> hidden = sequential != null ? List.of() : c.model().hidden();
        for (int i = 0; i < hidden.size(); i++) {
            knob("model.hidden[" + i + "]", hidden.get(i), 1);
        }
        knob(TRAIN, train, 1);
        knob(TEST, test, 1);
        knob(FEATURES, features, 1);
        knob(CLASSES, classes, 2);
        this.hiddenLayers = hidden.size();
        this.stateBuffers = stateBuffers(c.optimizer());
        this.modelOnHeap = c.device().equals("cpu") || c.device().equals("auto");
        this.imageFiles = !synthetic;
        this.heapBudget = (long) (maxHeap * HEAP_SHARE);
    }

    /**
     * The first size of {@code config} that cannot be allocated, as the key that asked for it and the problem
     * ({@code "2147483647 is larger than fits: ...; use at most 2739"}); image datasets sized as MNIST. The key
     * blamed is the one furthest above the largest value that would fit, preferring keys for which
     * {@code written} is true (those the user wrote, over defaults).
     */
    public static Optional<SpecException> check(AnnealConfig config, Predicate<String> written) {
        return check(config, Runtime.getRuntime().maxMemory(), written);
    }

    /** The same with the data's real shape, known once its files are read. */
    public static Optional<SpecException> check(AnnealConfig config, int features, int classes, long trainSamples,
                                                long testSamples) {
        return check(config, features, classes, trainSamples, testSamples, false);
    }

    /**
     * The same, where {@code featuresMapped} says the sets' features are memory-mapped rows of their files
     * (nothing of them on the heap but their labels) rather than arrays in memory.
     */
    public static Optional<SpecException> check(AnnealConfig config, int features, int classes, long trainSamples,
                                                long testSamples, boolean featuresMapped) {
        return check(config, features, classes, trainSamples, testSamples, featuresMapped,
                Runtime.getRuntime().maxMemory());
    }

    /** The same for samples of shape {@code sampleShape} ({@code [D]}, or {@code [C, H, W]} of images). */
    public static Optional<SpecException> check(AnnealConfig config, int[] sampleShape, int classes,
                                                long trainSamples, long testSamples, boolean featuresMapped) {
        long features = 1;
        for (int d : sampleShape) {
            features *= d;
        }
        return new SizeLimits(config, features, classes, trainSamples, testSamples, Runtime.getRuntime().maxMemory(),
                key -> true, !featuresMapped, sampleShape).firstProblem();
    }

    /** With an explicit maximum heap in bytes, for tests. */
    static Optional<SpecException> check(AnnealConfig config, int features, int classes, long trainSamples,
                                         long testSamples, boolean featuresMapped, long maxHeap) {
        return new SizeLimits(config, features, classes, trainSamples, testSamples, maxHeap, key -> true,
                !featuresMapped, null).firstProblem();
    }

    /** With an explicit maximum heap in bytes, for tests. */
    static Optional<SpecException> check(AnnealConfig config, long maxHeap, Predicate<String> written) {
        DataSpec data = config.data();
        boolean synthetic = DataSpec.SYNTHETIC.equals(data.dataset());
        if (DataSpec.isOwnFiles(data.dataset())) {
            // npz, npy, csv: nothing is known of the shape before the files are read; the smallest data checks the
            // other keys alone, and check(config, features, classes, train, test) checks again once it is known.
            return new SizeLimits(config, 1, 2, 1, 1, maxHeap, written).firstProblem();
        }
        return new SizeLimits(config, synthetic ? data.features() : MNIST_FEATURES,
                synthetic ? data.classes() : MNIST_CLASSES, synthetic ? data.trainSamples() : MNIST_TRAIN,
                synthetic ? data.testSamples() : MNIST_TEST, maxHeap, written, true,
                synthetic ? null : new int[] {1, 28, 28}).firstProblem();
    }

    private void knob(String key, long value, long min) {
        values.put(key, value);
        minimum.put(key, min);
    }

    private Optional<SpecException> firstProblem() {
        List<Violation> now = violations(values);
        if (now.isEmpty()) {
            return Optional.empty();
        }
        String blamed = null;
        long blamedFit = 0;
        for (boolean writtenOnly : new boolean[] {true, false}) {
            double worst = 1;
            for (String key : values.keySet()) {
                if (!userKey(key) || (writtenOnly && !written.test(key))) {
                    continue;
                }
                long fit = largestFitting(key);
                long current = values.get(key);
                if (fit >= minimum.get(key) && fit < current && (double) current / fit > worst) {
                    worst = (double) current / fit;
                    blamed = key;
                    blamedFit = fit;
                }
            }
            if (blamed != null) {
                break;
            }
        }
        if (blamed == null && sequential != null && (now.get(0).id().equals("parameters")
                || now.get(0).id().startsWith("layer"))) {
            return Optional.of(new SpecException("model.layers", "are larger than fits: " + now.get(0).text()
                    + "; use narrower or fewer layers"));
        }
        if (blamed == null && hiddenLayers > 0 && (now.get(0).id().equals("parameters")
                || now.get(0).id().startsWith("layer"))) {
            List<Long> widths = new ArrayList<>();
            for (int i = 0; i < hiddenLayers; i++) {
                widths.add(values.get("model.hidden[" + i + "]"));
            }
            return Optional.of(new SpecException("model.hidden", widths + " is larger than fits: " + now.get(0).text()
                    + "; use narrower or fewer layers"));
        }
        if (blamed == null) {
            String key = largestUserKey();
            return Optional.of(new SpecException(key, values.get(key) + " is larger than fits: " + now.get(0).text()
                    + "; lower it together with the other sizes"));
        }
        Map<String, Long> past = new LinkedHashMap<>(values);
        past.put(blamed, blamedFit + 1);
        String binding = violations(past).get(0).id();
        Violation shown = now.stream().filter(x -> x.id().equals(binding)).findFirst().orElse(now.get(0));
        return Optional.of(new SpecException(blamed, values.get(blamed) + " is larger than fits: " + shown.text()
                + "; use at most " + blamedFit));
    }

    /** Keys the user sets: the data's shape is only theirs for synthetic data. */
    private boolean userKey(String key) {
        boolean dataShape = key.equals(TRAIN) || key.equals(TEST) || key.equals(FEATURES) || key.equals(CLASSES);
        return !dataShape || !imageFiles;
    }

    private String largestUserKey() {
        String best = BATCH;
        for (String key : values.keySet()) {
            if (userKey(key) && values.get(key) / minimum.get(key) > values.get(best) / minimum.get(best)) {
                best = key;
            }
        }
        return best;
    }

    /** The largest value of {@code key} in {@code [min, current]} that fits, the others unchanged; min - 1 if none. */
    private long largestFitting(String key) {
        Map<String, Long> trial = new LinkedHashMap<>(values);
        long lo = minimum.get(key);
        long hi = values.get(key);
        trial.put(key, lo);
        if (!fits(trial)) {
            return lo - 1;
        }
        while (lo < hi) {
            long mid = lo + (hi - lo + 1) / 2;
            trial.put(key, mid);
            if (fits(trial)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** A limit that sizes break: which one ({@code id}) and how, in words. */
    private record Violation(String id, String text) {
    }

    /** Whether everything fits. */
    private boolean fits(Map<String, Long> v) {
        return violations(v).isEmpty();
    }

    /** Every limit these sizes break, in the order of the class comment. */
    private List<Violation> violations(Map<String, Long> v) {
        List<Violation> out = new ArrayList<>();
        long batch = v.get(BATCH);
        long accumulation = v.get(ACCUMULATION);
        long devices = v.get(DEVICES);
        long features = v.get(FEATURES);
        long classes = v.get(CLASSES);
        long train = v.get(TRAIN);
        long test = v.get(TEST);
        long eval = Math.min(v.get(EVAL_BATCH), Math.max(1, test));
        long rows = Math.max(times(batch, accumulation), eval);
        long cap = Math.max(batch, eval);
        long global = times(times(batch, devices), accumulation);
        if (!imageFiles) {
            tooMany(out, "train", train, features, "the training set would hold", "samples", "features");
            tooMany(out, "test", test, features, "the test set would hold", "samples", "features");
        }
        if (global > MAX_ELEMENTS) {
            out.add(new Violation("global", "the global batch (batch_size x devices x accumulation_steps) would be "
                    + number(global) + " samples, more than " + MAX_ELEMENTS));
        }
        tooMany(out, "global-features", global, features, "one global batch would hold", "samples", "features");
        tooMany(out, "input", rows, features, "the input buffer would hold", "rows", "features");
        long activations = 0;
        long parameters = 0;
        if (sequential != null) {
            ModelPlan plan = plan(features, classes);
            if (plan != null) {
                long chunk = plan.spatial() ? batch : cap;
                tooMany(out, "layers", chunk, plan.largestPerSample(), "the largest layer buffer would hold", "rows",
                        "floats per sample");
                activations = plus(times(chunk, plan.floatsPerSample()), chunk < cap ? times(cap, classes) : 0);
                parameters = plan.parameters();
            }
        } else {
            long[] widths = widths(v, features, classes);
            for (int l = 1; l < widths.length; l++) {
                tooMany(out, "layer" + l, cap, widths[l], "the activations of layer " + l + " would hold", "rows",
                        "units");
                activations = plus(activations, times(times(cap, widths[l]), l < widths.length - 1 ? 3 : 2));
                parameters = plus(parameters, plus(times(widths[l - 1], widths[l]), widths[l]));
            }
        }
        if (parameters > MAX_ELEMENTS) {
            out.add(new Violation("parameters", "the model would have " + number(parameters) + " parameters, more "
                    + "than one buffer holds (" + MAX_ELEMENTS + ")"));
        }
        long bytes = estimatedBytes(rows, devices, features, train, test, parameters, activations);
        if (bytes > heapBudget) {
            out.add(new Violation("heap", "the run would need " + amount(bytes) + " of memory (data, "
                    + "batches, model, optimizer state and activations" + (devices > 1 && modelOnHeap ? " of "
                    + devices + " replicas" : "") + "), more than this JVM may use (" + Format.bytes(heapBudget)
                    + " of its " + Format.bytes((long) (heapBudget / HEAP_SHARE)) + " heap; "
                    + "ANNEAL_JAVA_OPTS=-Xmx... raises it)"));
        }
        return out;
    }

    private long estimatedBytes(long rows, long devices, long features, long train, long test, long parameters,
                                long activations) {
        long data = times(plus(train, test), plus(featuresOnHeap ? times(features, Float.BYTES) : 0, Integer.BYTES));
        if (imageFiles && featuresOnHeap) {
            data = plus(data, times(train, features));
        }
        long batchBuffers = times(rows, plus(times(features, Float.BYTES), Integer.BYTES));
        long perReplica = batchBuffers;
        if (modelOnHeap) {
            long model = times(plus(times(parameters, 2 + stateBuffers), activations), Float.BYTES);
            perReplica = plus(perReplica, plus(batchBuffers, model));
        }
        long checkpoint = times(times(parameters, 1 + stateBuffers), Float.BYTES);
        return plus(plus(data, times(perReplica, devices)), checkpoint);
    }

    /** The sequential model's plan for {@code features} (or the image shape) and {@code classes}; null if it does not fit. */
    private ModelPlan plan(long features, long classes) {
        if (features > Integer.MAX_VALUE || classes > Integer.MAX_VALUE) {
            return null;
        }
        int[] shape = imageShape != null ? imageShape : new int[] {(int) features};
        try {
            return ModelPlan.of(sequential, shape, (int) classes);
        } catch (SpecException | ArithmeticException e) {
            return null;
        }
    }

    private long[] widths(Map<String, Long> v, long features, long classes) {
        long[] w = new long[hiddenLayers + 2];
        w[0] = features;
        for (int i = 0; i < hiddenLayers; i++) {
            w[i + 1] = v.get("model.hidden[" + i + "]");
        }
        w[w.length - 1] = classes;
        return w;
    }

    private static void tooMany(List<Violation> out, String id, long rows, long width, String what, String rowName,
                                String widthName) {
        long n = times(rows, width);
        if (n > MAX_ELEMENTS) {
            out.add(new Violation(id, what + " " + number(n) + " floats (" + rows + " " + rowName + " x " + width
                    + " " + widthName + "), more than one buffer holds (" + MAX_ELEMENTS + ")"));
        }
    }

    private static String number(long n) {
        return n == Long.MAX_VALUE ? "more than " + Long.MAX_VALUE : Long.toString(n);
    }

    /** Optimizer state buffers of the size of the parameters, as {@code Optimizer.create} allocates them. */
    private static int stateBuffers(OptimizerSpec spec) {
        if (spec instanceof Sgd s) {
            return s.momentum() != 0 ? 1 : 0;
        }
        if (spec instanceof Adam a) {
            return a.amsgrad() ? 3 : 2;
        }
        if (spec instanceof AdamW a) {
            return a.amsgrad() ? 3 : 2;
        }
        if (spec instanceof RmsProp r) {
            return 1 + (r.centered() ? 1 : 0) + (r.momentum() > 0 ? 1 : 0);
        }
        return 3;
    }



    /** "about 20.4 TB", or "more than 9.2 EB" when the estimate saturated. */
    private static String amount(long bytes) {
        return bytes == Long.MAX_VALUE ? "more than " + Format.bytes(bytes) : "about " + Format.bytes(bytes);
    }
}
