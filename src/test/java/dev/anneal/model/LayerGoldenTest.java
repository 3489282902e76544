package dev.anneal.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.config.ConfigMapper;
import dev.anneal.optim.Optimizer;
import dev.anneal.optim.OptimizerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs PyTorch's own layer-stack results ({@code src/test/resources/golden/layers/}, written by
 * {@code scripts/layer_goldens.py} with torch 1.13) through {@link Sequential} on the CPU backend: each case's model
 * config is built as Anneal builds it, its PyTorch parameters and batch-norm statistics are written in by their
 * {@code state_dict} names, and one batch (flattened per sample in {@code (C, H, W)} order, as the data loaders
 * deliver it) goes forward, through the mean softmax cross-entropy and backward, then through one
 * {@link Optimizer} step of AdamW and, from the same start, one of SGD with momentum. The trainer's
 * {@link Sequential#accumulateGradients} must then give the same gradient bits as those separate calls.
 *
 * <p>Compared with the reference, which PyTorch computed in float64 from the same float32 values and rounded once
 * to float32 (so the differences are Anneal's float32 rounding alone), in the manner of llm.c's
 * {@code validate_result}: an element passes when {@code |actual - expected| <= atol + rtol * |expected|}, and a
 * failure lists the first mismatches with their index, expected and actual values. The tolerances are about a
 * hundred times the largest difference between PyTorch's own float32 run and the reference, which the generator
 * prints: a wrong formula, layout or index is off by orders of magnitude more. The relu and max-pool decisions of
 * every case are at least 1e-5 from a tie (the generator checks), so float32 rounding cannot flip them, while the
 * exact ties of {@code max_pool_ties} must go to the first maximum in window order, as PyTorch's.
 *
 * <p>The fixture's {@code grad/input} and {@code num_batches_tracked} are not compared here: {@link Sequential}
 * does not compute the first layer's input gradient (nothing needs it; every layer type's input gradient is
 * compared through the parameters before it in some case), and the count of training passes is the trainer's.
 */
class LayerGoldenTest {
    private static final String DIR = "/golden/layers/";
    /** Logits, loss and running statistics: sums of a few hundred float32 products. */
    private static final double FORWARD_RTOL = 1e-5;
    private static final double FORWARD_ATOL = 1e-5;
    /** Gradients: a backward pass more, batch norm's differences of sums among them. */
    private static final double GRADIENT_RTOL = 1e-4;
    private static final double GRADIENT_ATOL = 1e-5;
    /** Parameters after one step: float32 rounding of the parameter, the step itself ~lr. */
    private static final double STEP_RTOL = 1e-5;
    private static final double STEP_ATOL = 1e-6;

    /** One case of {@code cases.json} with its tensors by name ({@code param/0.weight}, {@code grad/0.weight}). */
    record Golden(String name, ModelSpec model, int[] input, int batch, int classes, boolean training, int[] labels,
                  double loss, Map<String, float[]> tensors) {
        @Override
        public String toString() {
            return name;
        }

        /** The state_dict names of the initial parameters and running statistics, in file order. */
        List<String> stateNames() {
            List<String> out = new ArrayList<>();
            for (String k : tensors.keySet()) {
                if (k.startsWith("param/")) {
                    out.add(k.substring("param/".length()));
                }
            }
            return out;
        }

        float[] tensor(String key) {
            float[] t = tensors.get(key);
            if (t == null) {
                throw new IllegalStateException(name + ": the fixture has no tensor " + key);
            }
            return t;
        }
    }

    /** The fixture's header: the optimizer specs and every case. */
    record Fixture(OptimizerSpec adamw, OptimizerSpec sgd, List<Golden> cases) {
    }

    private static Fixture fixture;

    static synchronized Fixture fixture() {
        if (fixture == null) {
            try (InputStream in = resource("cases.json")) {
                JsonNode root = new ObjectMapper().readTree(in);
                List<Golden> cases = new ArrayList<>();
                for (JsonNode c : root.get("cases")) {
                    cases.add(read(c));
                }
                fixture = new Fixture(ConfigMapper.get().treeToValue(root.get("adamw"), OptimizerSpec.class),
                        ConfigMapper.get().treeToValue(root.get("sgd"), OptimizerSpec.class), List.copyOf(cases));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return fixture;
    }

    static List<Golden> cases() {
        return fixture().cases();
    }

    private static Golden read(JsonNode c) throws IOException {
        String name = c.get("name").asText();
        ByteBuffer bytes;
        try (InputStream in = resource(c.get("file").asText())) {
            bytes = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
        }
        Map<String, float[]> tensors = new LinkedHashMap<>();
        long total = 0;
        for (JsonNode t : c.get("tensors")) {
            int n = 1;
            for (JsonNode d : t.get("shape")) {
                n *= d.asInt();
            }
            float[] v = new float[n];
            bytes.position(4 * t.get("offset").asInt());
            bytes.asFloatBuffer().get(v);
            tensors.put(t.get("name").asText(), v);
            total += n;
        }
        if (4 * total != bytes.capacity()) {
            throw new IllegalStateException(name + ": " + bytes.capacity() + " bytes for " + total + " floats");
        }
        int[] labels = new int[c.get("labels").size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = c.get("labels").get(i).asInt();
        }
        int[] input = new int[c.get("input").size()];
        for (int i = 0; i < input.length; i++) {
            input[i] = c.get("input").get(i).asInt();
        }
        return new Golden(name, ConfigMapper.get().treeToValue(c.get("model"), ModelSpec.class), input,
                c.get("batch").asInt(),
                c.get("classes").asInt(), c.get("mode").asText().equals("train"), labels,
                c.get("loss").asDouble(), tensors);
    }

    private static InputStream resource(String file) {
        InputStream in = LayerGoldenTest.class.getResourceAsStream(DIR + file);
        if (in == null) {
            throw new IllegalStateException("missing test resource " + DIR + file + " (run scripts/layer_goldens.py)");
        }
        return in;
    }

    @Test
    void theCasesCoverEveryLayerTypeBothModesAndBatchesOfOne() {
        Set<String> types = new TreeSet<>();
        boolean eval = false;
        boolean trainBatch1 = false;
        boolean mlp = false;
        for (Golden c : cases()) {
            for (LayerSpec s : c.model().stack()) {
                types.add(LayerSpec.nameOf(s));
            }
            eval |= !c.training();
            trainBatch1 |= c.training() && c.batch() == 1;
            mlp |= c.model().type().equals("mlp");
        }
        assertEquals(new TreeSet<>(LayerSpec.TYPES.keySet()), types, "layer types with a golden case");
        assertTrue(eval && trainBatch1 && mlp, "an evaluation case, a training batch of one and an mlp case");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardBackwardAndOneStepMatchPyTorch(Golden c) {
        try (Backend backend = new CpuBackend()) {
            replay(backend, c, "cpu");
        }
    }

    /**
     * Builds case {@code c}'s model on {@code backend}, loads the fixture's weights and compares forward, loss,
     * gradients, running statistics and both optimizer steps with PyTorch's; prints the worst error in units of the
     * tolerance, labelled {@code label}.
     */
    static void replay(Backend backend, Golden c, String label) {
        float[] input = c.tensor("input");
        try (Sequential model = Sequential.create(backend, c.model(), c.input(), c.classes(), c.batch(), c.batch(),
                0L, 0);
             FloatArray x = backend.allocate(input.length);
             IntArray labels = backend.allocateInts(c.batch());
             FloatArray stats = backend.allocate(2);
             FloatArray gl = backend.allocate((long) c.batch() * c.classes())) {
            Worst worst = new Worst();
            assertEquals(namesOf(model), new TreeSet<>(c.stateNames()),
                    c.name() + ": Anneal's tensor names (num_batches_tracked aside) are PyTorch's");
            load(model, c);
            backend.upload(input, 0, x, 0, input.length);
            Mat xm = new Mat(x, 0, c.batch(), input.length / c.batch());
            backend.upload(c.labels(), 0, labels, 0, c.batch());
            if (!c.training()) {
                Mat logits = model.forward(xm, false);
                worst.check(c.name() + ": logits", c.tensor("logits"), download(backend, logits), logits.cols(),
                        FORWARD_RTOL, FORWARD_ATOL);
                model.evaluate(xm, labels, 0, stats, 0);
                checkLoss(backend, stats, c, worst);
            } else {
                model.zeroGradients();
                Mat logits = model.forward(xm, true);
                worst.check(c.name() + ": logits", c.tensor("logits"), download(backend, logits), logits.cols(),
                        FORWARD_RTOL, FORWARD_ATOL);
                Mat glm = new Mat(gl, 0, c.batch(), c.classes());
                backend.softmaxCrossEntropy(logits, labels, 0, 1f / c.batch(), glm, stats, 0);
                checkLoss(backend, stats, c, worst);
                model.backward(glm);
                for (NamedTensor t : model.tensors()) {
                    if (t.kind() == NamedTensor.Kind.PARAMETER) {
                        worst.check(c.name() + ": gradient of " + t.name(), c.tensor("grad/" + t.name()),
                                model.readGradient(t.name()), 0, GRADIENT_RTOL, GRADIENT_ATOL);
                    } else if (t.kind() == NamedTensor.Kind.BUFFER) {
                        worst.check(c.name() + ": " + t.name() + " after the forward", c.tensor("forward/" + t.name()),
                                model.read(t.name()), 0, FORWARD_RTOL, FORWARD_ATOL);
                    }
                }
                Map<String, float[]> gradients = new LinkedHashMap<>();
                for (NamedTensor t : model.tensors()) {
                    if (t.kind() == NamedTensor.Kind.PARAMETER) {
                        gradients.put(t.name(), model.readGradient(t.name()));
                    }
                }
                step(backend, model, c, fixture().adamw(), "adamw", worst);
                load(model, c);
                step(backend, model, c, fixture().sgd(), "sgd", worst);
                // the trainer's fused call runs the same ops: the same gradient bits
                load(model, c);
                model.zeroGradients();
                model.accumulateGradients(xm, labels, 0, 1f / c.batch(), stats, 0);
                for (var e : gradients.entrySet()) {
                    assertArrayEquals(e.getValue(), model.readGradient(e.getKey()),
                            c.name() + ": accumulateGradients' gradient of " + e.getKey());
                }
            }
            System.out.printf("golden %s %-26s %-5s batch %d: worst |diff| / (atol + rtol |ref|) = %.3f (%s)%n",
                    label, c.name(), c.training() ? "train" : "eval", c.batch(), worst.ratio, worst.where);
        }
    }

    /** The model's parameter and running-statistic names. */
    private static Set<String> namesOf(Sequential model) {
        Set<String> out = new TreeSet<>();
        for (NamedTensor t : model.tensors()) {
            if (t.kind() != NamedTensor.Kind.COUNTER) {
                out.add(t.name());
            }
        }
        return out;
    }

    /** Writes the fixture's initial parameters and running statistics into the model by name. */
    private static void load(Sequential model, Golden c) {
        for (String name : c.stateNames()) {
            model.write(name, c.tensor("param/" + name));
        }
    }

    /** One optimizer step from the model's gradients; every parameter compared with PyTorch's after the same step. */
    private static void step(Backend backend, Sequential model, Golden c, OptimizerSpec spec, String key,
                             Worst worst) {
        try (Optimizer opt = Optimizer.create(spec, backend, model.size())) {
            opt.step(model.parameters(), model.gradients(), spec.lr(), OptionalDouble.empty(), 1.0);
        }
        for (NamedTensor t : model.tensors()) {
            if (t.kind() == NamedTensor.Kind.PARAMETER) {
                worst.check(c.name() + ": " + t.name() + " after one " + key + " step", c.tensor(key + "/" + t.name()),
                        model.read(t.name()), 0, STEP_RTOL, STEP_ATOL);
            }
        }
    }

    /** The mean loss against PyTorch's, and the count of correct predictions against the reference logits'. */
    private static void checkLoss(Backend backend, FloatArray stats, Golden c, Worst worst) {
        float[] s = new float[2];
        backend.download(stats, 0, s, 0, 2);
        worst.check(c.name() + ": mean loss", new float[] {(float) c.loss()}, new float[] {s[0] / c.batch()}, 0,
                FORWARD_RTOL, FORWARD_ATOL);
        float[] logits = c.tensor("logits");
        int correct = 0;
        for (int i = 0; i < c.batch(); i++) {
            int best = 0;
            for (int k = 1; k < c.classes(); k++) {
                best = logits[i * c.classes() + k] > logits[i * c.classes() + best] ? k : best;
            }
            correct += best == c.labels()[i] ? 1 : 0;
        }
        assertEquals(correct, s[1], c.name() + ": correct predictions");
    }

    private static float[] download(Backend backend, Mat m) {
        float[] out = new float[(int) m.size()];
        backend.download(m.data(), m.offset(), out, 0, out.length);
        return out;
    }

    /**
     * llm.c-style comparison ({@code validate_result}) that also keeps the largest error in units of the tolerance,
     * for the report line.
     */
    private static final class Worst {
        private static final int SHOWN = 5;
        double ratio;
        String where = "nothing compared";

        void check(String what, float[] expected, float[] actual, int cols, double rtol, double atol) {
            if (expected.length != actual.length) {
                fail(what + ": " + actual.length + " values, the reference has " + expected.length);
            }
            List<String> shown = new ArrayList<>();
            int mismatches = 0;
            for (int i = 0; i < expected.length; i++) {
                double e = expected[i];
                double a = actual[i];
                double tol = atol + rtol * Math.abs(e);
                double r = Math.abs(a - e) / tol;
                if (!(r <= 1)) {
                    mismatches++;
                    if (shown.size() < SHOWN) {
                        String at = cols > 0 ? "[" + i / cols + "][" + i % cols + "]" : "[" + i + "]";
                        shown.add(at + ": expected " + e + ", got " + a + " (diff " + Math.abs(a - e) + ")");
                    }
                }
                if (r > ratio || Double.isNaN(r)) {
                    ratio = Double.isNaN(r) ? Double.POSITIVE_INFINITY : r;
                    where = what;
                }
            }
            if (mismatches > 0) {
                fail(what + ": " + mismatches + " of " + expected.length + " values differ beyond atol " + atol
                        + " + rtol " + rtol + "*|ref|; first: " + String.join("; ", shown));
            }
        }
    }
}
