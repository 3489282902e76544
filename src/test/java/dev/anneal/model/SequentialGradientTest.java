package dev.anneal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.config.ConfigMapper;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The gradient of every parameter of a small sequential model holding every layer type (two-channel images, so
 * the channels-last conversion and the copying flatten run too) against central finite differences of the
 * training-mode mean loss, {@code (L(p + h) - L(p - h)) / 2h}: dropout draws the same mask every time (the draw
 * counter is reset before each pass) and batch norm uses the batch's statistics, so the loss is a smooth function
 * of the parameters away from relu and max-pool kinks (a float32 loss, hence the tolerances of the MLP check). A
 * parameter that fails is checked again with a step four times smaller, which clears a kink that lies within the
 * first step; a wrong gradient fails both.
 */
class SequentialGradientTest {
    private static final int ROWS = 4;
    static final String EVERY_LAYER = """
            type: sequential
            init: pytorch
            layers:
              - {type: conv2d, out_channels: 3, kernel_size: 3, padding: 1}
              - {type: relu}
              - {type: batch_norm2d}
              - {type: max_pool2d, kernel_size: 2}
              - {type: conv2d, out_channels: 4, kernel_size: [2, 2], bias: false}
              - {type: gelu}
              - {type: avg_pool2d, kernel_size: 2, stride: 1, padding: 1}
              - {type: tanh}
              - {type: flatten}
              - {type: dropout, p: 0.25}
              - {type: linear, out_features: 8}
              - {type: batch_norm1d}
              - {type: relu}
              - {type: linear}
            """;

    static ModelSpec spec(String yaml) {
        try {
            return ConfigMapper.get().readValue(yaml, ModelSpec.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void everyParameterGradientOfEveryLayerTypeMatchesFiniteDifferences() {
        ModelSpec spec = spec(EVERY_LAYER);
        Set<String> types = new TreeSet<>();
        spec.stack().forEach(s -> types.add(LayerSpec.nameOf(s)));
        assertEquals(new TreeSet<>(LayerSpec.TYPES.keySet()), types, "every layer type is in the model");
        Backend b = new CpuBackend();
        int[] shape = {2, 6, 6};
        try (Sequential m = Sequential.create(b, spec, shape, 3, ROWS, ROWS, 99, 0)) {
            m.initialize("pytorch", 5);
            Random r = new Random(3);
            float[] xs = new float[ROWS * 72];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) r.nextGaussian();
            }
            FloatArray x = b.allocate(xs.length);
            b.upload(xs, 0, x, 0, xs.length);
            IntArray labels = b.allocateInts(ROWS);
            b.upload(new int[] {0, 2, 1, 2}, 0, labels, 0, ROWS);
            FloatArray stats = b.allocate(2);
            Mat xm = new Mat(x, 0, ROWS, 72);

            m.zeroGradients();
            m.restoreForwards(0);
            m.accumulateGradients(xm, labels, 0, 1f / ROWS, stats, 0);
            int n = (int) m.size();
            float[] grad = new float[n];
            b.download(m.gradients(), 0, grad, 0, n);
            float[] p = new float[n];
            b.download(m.parameters(), 0, p, 0, n);

            double h = 1e-3;
            int bad = 0;
            StringBuilder report = new StringBuilder();
            for (int i = 0; i < n; i++) {
                double plus = loss(b, m, p, i, (float) (p[i] + h), xm, labels, stats);
                double minus = loss(b, m, p, i, (float) (p[i] - h), xm, labels, stats);
                double numeric = (plus - minus) / (2 * h);
                double tol = 2e-3 + 2e-2 * Math.abs(numeric);
                if (Math.abs(numeric - grad[i]) > tol) {
                    // Checked again with a step four times smaller: a relu or max-pool kink within h of the point
                    // bends the first difference, the second is then clear of it.
                    double small = h / 4;
                    numeric = (loss(b, m, p, i, (float) (p[i] + small), xm, labels, stats)
                            - loss(b, m, p, i, (float) (p[i] - small), xm, labels, stats)) / (2 * small);
                    tol = 2e-3 + 2e-2 * Math.abs(numeric);
                }
                if (Math.abs(numeric - grad[i]) > tol) {
                    if (bad++ < 5) {
                        report.append(" [").append(name(m, i)).append("] numeric ").append(numeric)
                                .append(" analytic ").append(grad[i]);
                    }
                }
            }
            assertTrue(bad == 0, bad + " of " + n + " gradients differ:" + report);
        }
    }

    private static String name(Sequential m, int i) {
        for (NamedTensor t : m.tensors()) {
            if (t.kind() == NamedTensor.Kind.PARAMETER && i >= t.offset() && i < t.offset() + t.size()) {
                return t.name() + "[" + (i - t.offset()) + "]";
            }
        }
        return Integer.toString(i);
    }

    /** The training-mode mean loss with parameter {@code i} set to {@code value}, the same dropout mask each time. */
    private static double loss(Backend b, Sequential m, float[] p, int i, float value, Mat x, IntArray labels,
                               FloatArray stats) {
        float old = p[i];
        p[i] = value;
        b.upload(p, 0, m.parameters(), 0, p.length);
        p[i] = old;
        m.restoreForwards(0);
        Mat logits = m.forward(x, true);
        b.softmaxCrossEntropy(logits, labels, 0, 0f, null, stats, 0);
        float[] s = new float[2];
        b.download(stats, 0, s, 0, 2);
        b.upload(p, 0, m.parameters(), 0, p.length);
        return s[0] / ROWS;
    }
}
