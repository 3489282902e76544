package dev.anneal.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Activation;
import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.cpu.CpuBackend;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code conv2d, relu, max_pool2d} runs the ReLU after the pooling, and the pooling adds the conv's bias as it reads
 * ({@link ModelPlan}, {@link PlannedLayer#biasInPool}): the logits, the loss and every gradient must be the bits of
 * the order as written. The reference keeps the written order by putting a {@code dropout} with {@code p: 0} (a
 * multiplication by exactly 1) between the ReLU and the pooling, which stops both the reordering and the bias
 * folding; its module indices shift by one, so tensors are compared by layer.
 */
class ReluAfterPoolTest {
    private static final String REORDERED = """
            type: sequential
            init: pytorch
            layers:
              - {type: conv2d, out_channels: 5, kernel_size: 3, padding: 1}
              - {type: relu}
              - {type: max_pool2d, kernel_size: 2}
              - {type: conv2d, out_channels: 6, kernel_size: 3, stride: 2}
              - {type: relu}
              - {type: max_pool2d, kernel_size: 3, stride: 1, padding: 1}
              - {type: flatten}
              - {type: linear}
            """;
    private static final String WRITTEN_ORDER = """
            type: sequential
            init: pytorch
            layers:
              - {type: conv2d, out_channels: 5, kernel_size: 3, padding: 1}
              - {type: relu}
              - {type: dropout, p: 0.0}
              - {type: max_pool2d, kernel_size: 2}
              - {type: conv2d, out_channels: 6, kernel_size: 3, stride: 2}
              - {type: relu}
              - {type: dropout, p: 0.0}
              - {type: max_pool2d, kernel_size: 3, stride: 1, padding: 1}
              - {type: flatten}
              - {type: linear}
            """;

    /** A conv directly before a max pooling (no ReLU) and a conv whose pooling adds its bias at padded windows. */
    private static final String DIRECT = """
            type: sequential
            init: pytorch
            layers:
              - {type: conv2d, out_channels: 4, kernel_size: 3, padding: 1}
              - {type: max_pool2d, kernel_size: 2}
              - {type: conv2d, out_channels: 6, kernel_size: 2}
              - {type: relu}
              - {type: max_pool2d, kernel_size: 2, stride: 1, padding: 1}
              - {type: flatten}
              - {type: linear}
            """;
    private static final String DIRECT_WRITTEN = """
            type: sequential
            init: pytorch
            layers:
              - {type: conv2d, out_channels: 4, kernel_size: 3, padding: 1}
              - {type: dropout, p: 0.0}
              - {type: max_pool2d, kernel_size: 2}
              - {type: conv2d, out_channels: 6, kernel_size: 2}
              - {type: relu}
              - {type: dropout, p: 0.0}
              - {type: max_pool2d, kernel_size: 2, stride: 1, padding: 1}
              - {type: flatten}
              - {type: linear}
            """;

    /** Batch norm between each conv and its ReLU: the ReLU still moves after the pooling, the bias is not folded. */
    private static final String BATCH_NORM = """
            type: sequential
            init: pytorch
            layers:
              - {type: conv2d, out_channels: 5, kernel_size: 3, padding: 1}
              - {type: batch_norm2d}
              - {type: relu}
              - {type: max_pool2d, kernel_size: 2}
              - {type: conv2d, out_channels: 6, kernel_size: 3, stride: 2}
              - {type: batch_norm2d}
              - {type: relu}
              - {type: max_pool2d, kernel_size: 3, stride: 1, padding: 1}
              - {type: flatten}
              - {type: linear}
            """;
    private static final String BATCH_NORM_WRITTEN = """
            type: sequential
            init: pytorch
            layers:
              - {type: conv2d, out_channels: 5, kernel_size: 3, padding: 1}
              - {type: batch_norm2d}
              - {type: relu}
              - {type: dropout, p: 0.0}
              - {type: max_pool2d, kernel_size: 2}
              - {type: conv2d, out_channels: 6, kernel_size: 3, stride: 2}
              - {type: batch_norm2d}
              - {type: relu}
              - {type: dropout, p: 0.0}
              - {type: max_pool2d, kernel_size: 3, stride: 1, padding: 1}
              - {type: flatten}
              - {type: linear}
            """;

    @Test
    void reluAfterBatchNormMovesAfterTheMaxPoolWithTheBitsOfTheWrittenOrder() {
        int[] shape = {2, 12, 10};
        int classes = 4;
        ModelPlan plan = ModelPlan.of(SequentialGradientTest.spec(BATCH_NORM), shape, classes);
        assertTrue(plan.layers().get(2).absorbed(), "the relu after the batch norm runs in the pool");
        assertEquals(Activation.RELU, plan.layers().get(3).fused(), "the pool applies the relu");
        assertFalse(plan.layers().get(3).biasInPool(), "a batch norm between conv and pool keeps the conv's bias");
        ModelPlan written = ModelPlan.of(SequentialGradientTest.spec(BATCH_NORM_WRITTEN), shape, classes);
        assertFalse(written.layers().get(2).absorbed());
        assertNull(written.layers().get(4).fused());
        compare(BATCH_NORM, new String[] {"0", "1", "4", "5", "9"}, BATCH_NORM_WRITTEN,
                new String[] {"0", "1", "5", "6", "11"}, shape, classes, 7, 33);
    }

    @Test
    void maxPoolAddingTheConvBiasGivesTheBitsOfTheWrittenOrder() {
        int[] shape = {3, 9, 11};
        int classes = 5;
        ModelPlan plan = ModelPlan.of(SequentialGradientTest.spec(DIRECT), shape, classes);
        for (int i : new int[] {0, 1, 2, 4}) {
            assertTrue(plan.layers().get(i).biasInPool(), "layer " + i);
        }
        ModelPlan written = ModelPlan.of(SequentialGradientTest.spec(DIRECT_WRITTEN), shape, classes);
        for (PlannedLayer l : written.layers()) {
            assertFalse(l.biasInPool(), "a dropout between conv and pool stops the folding at " + l.key());
        }
        ModelPlan noBias = ModelPlan.of(SequentialGradientTest.spec(DIRECT.replace(
                "out_channels: 4, kernel_size: 3, padding: 1}", "out_channels: 4, kernel_size: 3, padding: 1, "
                + "bias: false}")), shape, classes);
        assertFalse(noBias.layers().get(0).biasInPool(), "a conv without a bias");
        assertFalse(noBias.layers().get(1).biasInPool(), "nothing for its pool to add");
        assertTrue(noBias.layers().get(4).biasInPool());
        compare(DIRECT, new String[] {"0", "2", "6"}, DIRECT_WRITTEN, new String[] {"0", "3", "8"}, shape, classes,
                6, 21);
    }

    @Test
    void reluAfterMaxPoolGivesTheBitsOfTheWrittenOrder() {
        int[] shape = {2, 12, 10};
        int rows = 7;
        int classes = 4;
        ModelPlan plan = ModelPlan.of(SequentialGradientTest.spec(REORDERED), shape, classes);
        assertNull(plan.layers().get(0).fused(), "the conv before relu, max_pool runs without the activation");
        assertEquals(Activation.RELU, plan.layers().get(2).fused(), "the pool applies the relu");
        assertNull(ModelPlan.of(SequentialGradientTest.spec(WRITTEN_ORDER), shape, classes).layers().get(3).fused());
        for (int i : new int[] {0, 2, 3, 5}) {
            assertTrue(plan.layers().get(i).biasInPool(), "the pool adds the conv's bias at layer " + i);
        }
        compare(REORDERED, new String[] {"0", "3", "7"}, WRITTEN_ORDER, new String[] {"0", "4", "9"}, shape, classes,
                rows, 12);
    }

    /** Both models on the same inputs and weights: the logits, the loss and the gradients, bit for bit. */
    private static void compare(String fused, String[] fusedLayers, String written, String[] writtenLayers,
                                int[] shape, int classes, int rows, long seed) {
        Backend cpu = new CpuBackend();
        Random random = new Random(seed);
        float[] x = new float[rows * shape[0] * shape[1] * shape[2]];
        for (int i = 0; i < x.length; i++) {
            // a few exact zeros and ties, where the order of relu and max would matter if it could
            x[i] = i % 11 == 0 ? 0f : (float) random.nextGaussian();
        }
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = random.nextInt(classes);
        }
        float[][] reordered = run(cpu, fused, fusedLayers, shape, classes, x, labels);
        float[][] reference = run(cpu, written, writtenLayers, shape, classes, x, labels);
        for (int i = 0; i < reordered.length; i++) {
            assertArrayEquals(reference[i], reordered[i], "result " + i);
        }
    }

    /** Logits, loss statistics, then each layer's weight and bias gradients, from the same initial weights. */
    private static float[][] run(Backend cpu, String yaml, String[] layers, int[] shape, int classes, float[] x,
                                 int[] labels) {
        int rows = labels.length;
        int d = x.length / rows;
        try (Sequential m = Sequential.create(cpu, SequentialGradientTest.spec(yaml), shape, classes, rows, rows, 3L, 0);
             FloatArray xs = cpu.allocate(x.length);
             IntArray ys = cpu.allocateInts(rows);
             FloatArray stats = cpu.allocate(2)) {
            SplitWeights.fill(m, layers);
            cpu.upload(x, 0, xs, 0, x.length);
            cpu.upload(labels, 0, ys, 0, rows);
            m.zeroGradients();
            m.accumulateGradients(new Mat(xs, 0, rows, d), ys, 0, 1f / rows, stats, 0);
            float[][] out = new float[2 + 2 * layers.length][];
            out[0] = new float[2];
            cpu.download(stats, 0, out[0], 0, 2);
            Mat logits = m.forward(new Mat(xs, 0, rows, d), false);
            out[1] = new float[rows * classes];
            cpu.download(logits.data(), logits.offset(), out[1], 0, out[1].length);
            for (int l = 0; l < layers.length; l++) {
                out[2 + 2 * l] = m.readGradient(layers[l] + ".weight");
                out[3 + 2 * l] = m.readGradient(layers[l] + ".bias");
            }
            return out;
        }
    }

    /** The same weights in both models: layer {@code l}'s tensors filled from a generator seeded by {@code l}. */
    private static final class SplitWeights {
        static void fill(Sequential m, String[] layers) {
            for (int l = 0; l < layers.length; l++) {
                Random r = new Random(100 + l);
                for (String part : new String[] {".weight", ".bias"}) {
                    float[] v = new float[m.read(layers[l] + part).length];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (0.3 * r.nextGaussian());
                    }
                    m.write(layers[l] + part, v);
                }
            }
        }
    }
}
