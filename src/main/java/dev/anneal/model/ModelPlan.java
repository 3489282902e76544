package dev.anneal.model;

import dev.anneal.backend.Activation;
import dev.anneal.spec.SpecException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The layers of a {@link ModelSpec} with their shapes worked out from the data's sample shape and class count,
 * before anything is allocated: every shape problem is a {@link SpecException} at the layer's key
 * ({@code layers[3].kernel_size: 7 does not fit the 5x5 input of this layer}), the parameter count and the
 * summary table come from here, and {@link Sequential} builds its layers from it.
 *
 * <p>Shapes are per sample, PyTorch's: {@code [D]} features or {@code [C, H, W]} images. An MLP reads every sample
 * as its {@code C*H*W} flat features. A {@code linear} or {@code conv2d} directly followed by {@code relu},
 * {@code gelu} or {@code tanh} runs that activation fused into its bias pass ({@link PlannedLayer#fused}).
 */
public final class ModelPlan {
    private final List<PlannedLayer> layers;
    private final int[] input;
    private final int classes;
    private final List<NamedTensor> tensors;
    private final long parameters;
    private final long stateSize;
    /** By module index: where each layer's parameters start in the flat buffer, and its running statistics. */
    private final long[] parameterOffsets;
    private final long[] stateOffsets;

    private ModelPlan(List<PlannedLayer> layers, int[] input, int classes) {
        this.layers = List.copyOf(layers);
        this.input = input.clone();
        this.classes = classes;
        List<NamedTensor> all = new ArrayList<>();
        long p = 0;
        long s = 0;
        this.parameterOffsets = new long[layers.size()];
        this.stateOffsets = new long[layers.size()];
        for (PlannedLayer l : layers) {
            parameterOffsets[l.index()] = p;
            stateOffsets[l.index()] = s;
            for (NamedTensor t : tensorsOf(l, p, s)) {
                all.add(t);
                if (t.kind() == NamedTensor.Kind.PARAMETER) {
                    p += t.size();
                } else if (t.kind() == NamedTensor.Kind.BUFFER) {
                    s += t.size();
                }
            }
        }
        this.tensors = List.copyOf(all);
        this.parameters = p;
        this.stateSize = s;
    }

    /**
     * The plan of {@code spec} for samples of {@code sampleShape} ({@code [D]} or {@code [C, H, W]}) and
     * {@code classes} classes.
     *
     * @throws SpecException at the offending key relative to the {@code model} section ({@code layers[2].type})
     */
    public static ModelPlan of(ModelSpec spec, int[] sampleShape, int classes) {
        int[] shape = sampleShape.clone();
        if (spec.type().equals("mlp")) {
            shape = new int[] {Math.toIntExact(size(sampleShape))};
        }
        List<LayerSpec> stack = spec.stack();
        List<PlannedLayer> out = new ArrayList<>();
        int[] in = shape;
        for (int i = 0; i < stack.size(); i++) {
            LayerSpec s = stack.get(i);
            boolean last = i == stack.size() - 1;
            String key = "layers[" + i + "]";
            int[] o = outShape(s, in, classes, last, lastLinear(stack, i), key);
            int inFeatures = s instanceof LayerSpec.Linear ? in[0] : s instanceof LayerSpec.Conv2d ? in[0] : 0;
            Activation fused = null;
            if ((s instanceof LayerSpec.Linear || s instanceof LayerSpec.Conv2d) && !last) {
                fused = reluBeforeMaxPool(stack, i + 1) ? null : activationOf(stack.get(i + 1));
            } else if (s instanceof LayerSpec.MaxPool2d && i >= 1 && reluBeforeMaxPool(stack, i - 1)) {
                fused = Activation.RELU;
            }
            boolean absorbed = i > 0 && activationOf(s) != null && (stack.get(i - 1) instanceof LayerSpec.Linear
                    || stack.get(i - 1) instanceof LayerSpec.Conv2d) || reluBeforeMaxPool(stack, i);
            boolean biasInPool = s instanceof LayerSpec.Conv2d && convBeforeMaxPool(stack, i)
                    || s instanceof LayerSpec.MaxPool2d && (convBeforeMaxPool(stack, i - 1)
                    || convBeforeMaxPool(stack, i - 2) && stack.get(i - 1) instanceof LayerSpec.Relu);
            out.add(new PlannedLayer(i, s, in, o, inFeatures, fused, absorbed, biasInPool));
            in = o;
        }
        if (in.length != 1 || in[0] != classes) {
            throw new SpecException("layers[" + (stack.size() - 1) + "]", "gives " + PlannedLayer.shape(in)
                    + " per sample, but the model must end in the data's " + classes + " class scores: end with "
                    + "{type: linear}" + (in.length != 1 ? " after {type: flatten}" : ""));
        }
        return new ModelPlan(out, shape, classes);
    }

    /**
     * Whether layer {@code i} is a ReLU followed by a max pooling (after a conv, a batch norm or anything else):
     * then the ReLU runs after the pooling, fused into it, on a quarter of the elements (for a 2x2 window). The values and gradients are the same: ReLU is monotone,
     * so {@code max(relu(z)) = relu(max(z))} with the maximum at the same element, and where the window's maximum
     * is not positive both orders give a zero gradient to every element of the window.
     */
    private static boolean reluBeforeMaxPool(List<LayerSpec> stack, int i) {
        return i + 1 < stack.size() && stack.get(i) instanceof LayerSpec.Relu
                && stack.get(i + 1) instanceof LayerSpec.MaxPool2d;
    }

    /**
     * Whether layer {@code i} is a {@code conv2d} with a bias followed by a max pooling, directly or after a ReLU:
     * then the pooling adds the bias as it reads the conv's output ({@link PlannedLayer#biasInPool}). The pooled
     * values are those of a separate bias pass (the same addition per element), and nothing else reads the conv's
     * output: its backward needs no pre-activation (the ReLU runs after the pooling, {@link #reluBeforeMaxPool}),
     * and the bias gradient is the column sum of the incoming gradient.
     */
    private static boolean convBeforeMaxPool(List<LayerSpec> stack, int i) {
        if (i < 0 || !(stack.get(i) instanceof LayerSpec.Conv2d cv) || !cv.bias()) {
            return false;
        }
        return i + 1 < stack.size() && stack.get(i + 1) instanceof LayerSpec.MaxPool2d
                || reluBeforeMaxPool(stack, i + 1);
    }

    /** Whether layer {@code i} is the last linear layer of the stack (which may leave out_features to the data). */
    private static boolean lastLinear(List<LayerSpec> stack, int i) {
        for (int j = i + 1; j < stack.size(); j++) {
            if (stack.get(j) instanceof LayerSpec.Linear || stack.get(j) instanceof LayerSpec.Conv2d) {
                return false;
            }
        }
        return stack.get(i) instanceof LayerSpec.Linear;
    }

    /** The activation an activation layer applies, or null for any other layer. */
    static Activation activationOf(LayerSpec s) {
        if (s instanceof LayerSpec.Relu) {
            return Activation.RELU;
        }
        if (s instanceof LayerSpec.Gelu) {
            return Activation.GELU;
        }
        if (s instanceof LayerSpec.Tanh) {
            return Activation.TANH;
        }
        return null;
    }

    private static int[] outShape(LayerSpec s, int[] in, int classes, boolean last, boolean lastLinear, String key) {
        String type = LayerSpec.nameOf(s);
        String inText = PlannedLayer.shape(in);
        if (s instanceof LayerSpec.Linear l) {
            if (in.length != 1) {
                throw new SpecException(key + ".type", "linear takes flat features, but this layer's input is "
                        + inText + "; put {type: flatten} before it");
            }
            if (l.outFeatures() == null) {
                if (!lastLinear) {
                    throw new SpecException(key + ".out_features", "is required (only the last linear layer may "
                            + "leave it to the data's " + classes + " classes)");
                }
                return new int[] {classes};
            }
            if (lastLinear && l.outFeatures() != classes) {
                throw new SpecException(key + ".out_features", "is " + l.outFeatures() + ", but the data has "
                        + classes + " classes, which the last linear layer scores; use " + classes + " (or leave "
                        + "it out)");
            }
            return new int[] {Math.toIntExact(l.outFeatures())};
        }
        if (s instanceof LayerSpec.Flatten) {
            return new int[] {checkedSize(in, key)};
        }
        if (s instanceof LayerSpec.BatchNorm1d) {
            if (in.length != 1) {
                throw new SpecException(key + ".type", "batch_norm1d normalises flat features, but this layer's "
                        + "input is " + inText + "; use batch_norm2d for images");
            }
            return in;
        }
        if (s instanceof LayerSpec.Dropout || activationOf(s) != null) {
            return in;
        }
        if (in.length != 3) {
            throw new SpecException(key + ".type", type + " needs images [C, H, W], but this layer's input is "
                    + inText + (in.length == 1 ? " (flat features: the data has no image shape, or a flatten came "
                    + "before)" : ""));
        }
        int c = in[0];
        int h = in[1];
        int w = in[2];
        if (s instanceof LayerSpec.BatchNorm2d) {
            return in;
        }
        Size2d k;
        Size2d st;
        Size2d pad;
        int outC;
        if (s instanceof LayerSpec.Conv2d cv) {
            k = cv.kernelSize();
            st = cv.stride();
            pad = cv.padding();
            outC = Math.toIntExact(cv.outChannels());
        } else if (s instanceof LayerSpec.MaxPool2d mp) {
            k = mp.kernelSize();
            st = mp.stride();
            pad = mp.padding();
            outC = c;
        } else if (s instanceof LayerSpec.AvgPool2d ap) {
            k = ap.kernelSize();
            st = ap.stride();
            pad = ap.padding();
            outC = c;
        } else {
            throw new IllegalArgumentException("unknown layer " + s);
        }
        if (!(s instanceof LayerSpec.Conv2d) && (2 * pad.h() > k.h() || 2 * pad.w() > k.w())) {
            throw new SpecException(key + ".padding", pad + " must be at most half the kernel_size " + k.text()
                    + " (PyTorch's rule for pooling)");
        }
        int ph = h + 2 * pad.h();
        int pw = w + 2 * pad.w();
        if (ph < k.h() || pw < k.w()) {
            throw new SpecException(key + ".kernel_size", k + " does not fit the " + h + "x" + w + " input of this "
                    + "layer" + (pad.h() + pad.w() > 0 ? " (" + ph + "x" + pw + " padded)" : ""));
        }
        int[] o = {outC, (ph - k.h()) / st.h() + 1, (pw - k.w()) / st.w() + 1};
        checkedSize(o, key);
        return o;
    }

    private static int checkedSize(int[] shape, String key) {
        long n = size(shape);
        if (n > Integer.MAX_VALUE - 8L) {
            throw new SpecException(key, "gives " + PlannedLayer.shape(shape) + " = " + n + " values per sample, more "
                    + "than one buffer holds");
        }
        return (int) n;
    }

    static long size(int[] shape) {
        long s = 1;
        for (int d : shape) {
            s *= d;
        }
        return s;
    }

    /** The named tensors of layer {@code l}, its parameters from {@code paramOffset}, its buffers from {@code stateOffset}. */
    static List<NamedTensor> tensorsOf(PlannedLayer l, long paramOffset, long stateOffset) {
        List<NamedTensor> t = new ArrayList<>();
        String p = l.index() + ".";
        if (l.spec() instanceof LayerSpec.Linear lin) {
            int out = l.out()[0];
            t.add(new NamedTensor(p + "weight", new int[] {out, l.inFeatures()}, NamedTensor.Kind.PARAMETER,
                    paramOffset));
            if (lin.bias()) {
                t.add(new NamedTensor(p + "bias", new int[] {out}, NamedTensor.Kind.PARAMETER,
                        paramOffset + (long) out * l.inFeatures()));
            }
        } else if (l.spec() instanceof LayerSpec.Conv2d cv) {
            int outC = l.out()[0];
            int[] shape = {outC, l.inFeatures(), cv.kernelSize().h(), cv.kernelSize().w()};
            t.add(new NamedTensor(p + "weight", shape, NamedTensor.Kind.PARAMETER, paramOffset));
            if (cv.bias()) {
                t.add(new NamedTensor(p + "bias", new int[] {outC}, NamedTensor.Kind.PARAMETER,
                        paramOffset + size(shape)));
            }
        } else if (l.spec() instanceof LayerSpec.BatchNorm2d || l.spec() instanceof LayerSpec.BatchNorm1d) {
            int c = l.in()[0];
            t.add(new NamedTensor(p + "weight", new int[] {c}, NamedTensor.Kind.PARAMETER, paramOffset));
            t.add(new NamedTensor(p + "bias", new int[] {c}, NamedTensor.Kind.PARAMETER, paramOffset + c));
            t.add(new NamedTensor(p + "running_mean", new int[] {c}, NamedTensor.Kind.BUFFER, stateOffset));
            t.add(new NamedTensor(p + "running_var", new int[] {c}, NamedTensor.Kind.BUFFER, stateOffset + c));
            t.add(new NamedTensor(p + "num_batches_tracked", new int[0], NamedTensor.Kind.COUNTER, 0));
        }
        return t;
    }

    public List<PlannedLayer> layers() {
        return layers;
    }

    /** The shape of one input sample as the model reads it (an MLP's flattened). */
    public int[] input() {
        return input.clone();
    }

    /** Floats of one input sample: the width of the rows the model reads. */
    public long inputSize() {
        return size(input);
    }

    public int classes() {
        return classes;
    }

    /** Every named tensor, parameters in buffer order, with batch norm's buffers after each layer's weight and bias. */
    public List<NamedTensor> tensors() {
        return tensors;
    }

    /** Trainable parameters: the length of the flat parameter (and gradient) buffer. */
    public long parameters() {
        return parameters;
    }

    /** Where layer {@code l}'s parameters (weight, then bias) start in the flat parameter and gradient buffers. */
    public long parameterOffset(PlannedLayer l) {
        return parameterOffsets[l.index()];
    }

    /** Where layer {@code l}'s running statistics (mean, then variance) start in the state buffer. */
    public long stateOffset(PlannedLayer l) {
        return stateOffsets[l.index()];
    }

    /** Floats of the state buffer: batch norm's running means and variances. */
    public long stateSize() {
        return stateSize;
    }

    /** Whether a layer works on images (convolution, pooling, 2-d batch norm): their workspaces grow with rows. */
    public boolean spatial() {
        return layers.stream().anyMatch(l -> l.out().length == 3 || l.in().length == 3
                && !(l.spec() instanceof LayerSpec.Flatten));
    }

    /** Whether a layer draws dropout masks or tracks batch statistics: the model then counts training passes. */
    public boolean countsForwards() {
        return layers.stream().anyMatch(l -> l.spec() instanceof LayerSpec.Dropout
                || l.spec() instanceof LayerSpec.BatchNorm1d || l.spec() instanceof LayerSpec.BatchNorm2d);
    }

    /**
     * Floats one sample needs in the model's buffers for a training pass (each layer's output and gradient, im2col
     * columns, dropout masks, pooling indices): an estimate for memory checks.
     */
    public long floatsPerSample() {
        long n = size(input);
        for (PlannedLayer l : layers) {
            long o = l.outSize();
            n += 2 * o;
            if (l.spec() instanceof LayerSpec.Conv2d cv) {
                n += (long) l.out()[1] * l.out()[2] * l.inFeatures() * cv.kernelSize().h() * cv.kernelSize().w();
                n += l.fused() != null ? o : 0;
            } else if (l.spec() instanceof LayerSpec.Linear) {
                n += l.fused() != null ? o : 0;
            } else if (l.spec() instanceof LayerSpec.Dropout || l.spec() instanceof LayerSpec.MaxPool2d) {
                n += o;
            }
        }
        return n;
    }

    /** Floats per sample of the largest single buffer of a training pass (a layer output or im2col columns). */
    public long largestPerSample() {
        long n = size(input);
        for (PlannedLayer l : layers) {
            n = Math.max(n, l.outSize());
            if (l.spec() instanceof LayerSpec.Conv2d cv) {
                n = Math.max(n, (long) l.out()[1] * l.out()[2] * l.inFeatures() * cv.kernelSize().h()
                        * cv.kernelSize().w());
            }
        }
        return n;
    }

    /**
     * The summary table: each layer's index, type, output shape and parameters, then the total, e.g.
     * <pre>
     * layer  type        output         parameters
     * -      input       [1, 28, 28]
     * 0      conv2d      [32, 28, 28]          320
     * ...
     *        total                          421642
     * </pre>
     */
    public String summary() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"layer", "type", "output", "parameters"});
        rows.add(new String[] {"-", "input", PlannedLayer.shape(input), ""});
        for (PlannedLayer l : layers) {
            String type = l.type() + (l.absorbed() ? " (fused)" : "");
            rows.add(new String[] {Integer.toString(l.index()), type, PlannedLayer.shape(l.out()),
                    Long.toString(l.parameters())});
        }
        rows.add(new String[] {"", "total", "", Long.toString(parameters)});
        int[] width = new int[4];
        for (String[] r : rows) {
            for (int i = 0; i < 4; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            String line = String.format(Locale.ROOT, "%-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2]
                    + "s  %" + width[3] + "s", r[0], r[1], r[2], r[3]);
            b.append(line.stripTrailing()).append('\n');
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return "ModelPlan" + Arrays.toString(input) + " -> " + layers.size() + " layers, " + parameters
                + " parameters";
    }
}
