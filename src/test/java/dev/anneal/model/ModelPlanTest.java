package dev.anneal.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.spec.SpecException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelPlanTest {
    static final String CNN = """
            type: sequential
            layers:
              - {type: conv2d, out_channels: 32, kernel_size: 3, padding: 1}
              - {type: relu}
              - {type: max_pool2d, kernel_size: 2}
              - {type: conv2d, out_channels: 64, kernel_size: 3, padding: 1}
              - {type: relu}
              - {type: max_pool2d, kernel_size: 2}
              - {type: flatten}
              - {type: linear, out_features: 128}
              - {type: relu}
              - {type: linear, out_features: 10}
            """;

    private static SpecException refused(String yaml, int[] shape, int classes) {
        return assertThrows(SpecException.class,
                () -> ModelPlan.of(SequentialGradientTest.spec(yaml), shape, classes));
    }

    @Test
    void defaultCnnHasPyTorchsShapesAndParameterCount() {
        ModelPlan p = ModelPlan.of(SequentialGradientTest.spec(CNN), new int[] {1, 28, 28}, 10);
        List<PlannedLayer> l = p.layers();
        assertArrayEquals(new int[] {32, 28, 28}, l.get(0).out());
        assertArrayEquals(new int[] {32, 14, 14}, l.get(2).out());
        assertArrayEquals(new int[] {64, 7, 7}, l.get(5).out());
        assertArrayEquals(new int[] {3136}, l.get(6).out());
        // nn.Sequential(Conv2d(1,32,3,p1), ReLU, MaxPool2d(2), Conv2d(32,64,3,p1), ReLU, MaxPool2d(2), Flatten,
        // Linear(3136,128), ReLU, Linear(128,10)): sum(p.numel() for p in model.parameters())
        assertEquals(421_642, p.parameters());
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"),
                p.tensors().stream().map(NamedTensor::name).toList());
        assertArrayEquals(new int[] {64, 32, 3, 3}, p.tensors().get(2).shape());
        // conv, relu, max_pool: the ReLU runs after the pooling, fused into it (same values, a quarter of the work)
        assertEquals("null", Activation(l.get(0)));
        assertEquals("RELU", Activation(l.get(2)));
        assertTrue(l.get(1).absorbed() && !l.get(2).absorbed(), "the relu between a conv and a pool runs fused");
        assertEquals("RELU", Activation(l.get(7)), "linear, relu: fused into the linear layer's bias pass");
        assertTrue(p.spatial() && !p.countsForwards());
    }

    private static String Activation(PlannedLayer l) {
        return String.valueOf(l.fused());
    }

    @Test
    void summaryListsEveryLayerWithItsOutputAndParametersThenTheTotal() {
        String s = ModelPlan.of(SequentialGradientTest.spec(CNN), new int[] {1, 28, 28}, 10).summary();
        List<String> lines = s.lines().toList();
        assertEquals(13, lines.size(), s);
        assertTrue(lines.get(0).matches("layer +type +output +parameters"), s);
        assertTrue(lines.get(1).matches("- +input +\\[1, 28, 28] *"), s);
        assertTrue(lines.get(2).matches("0 +conv2d +\\[32, 28, 28] +320"), s);
        assertTrue(lines.get(3).matches("1 +relu \\(fused\\) +\\[32, 28, 28] +0"), s);
        assertTrue(lines.get(9).matches("7 +linear +\\[128] +401536"), s);
        assertTrue(lines.get(12).matches(" +total +421642"), s);
    }

    @Test
    void batchNormCarriesRunningStatisticsAndTheTrainingPassCount() {
        ModelPlan p = ModelPlan.of(SequentialGradientTest.spec("""
                type: sequential
                layers: [{type: conv2d, out_channels: 4, kernel_size: 3}, {type: batch_norm2d}, {type: relu},
                         {type: flatten}, {type: dropout, p: 0.1}, {type: linear}]
                """), new int[] {3, 5, 5}, 2);
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "5.weight", "5.bias"), p.tensors().stream().map(NamedTensor::name).toList());
        assertEquals(NamedTensor.Kind.COUNTER, p.tensors().get(6).kind());
        assertArrayEquals(new int[0], p.tensors().get(6).shape());
        assertEquals(8, p.stateSize());
        assertEquals(4 * 27 + 4 + 8 + 2 * 36 + 2, p.parameters());
        assertTrue(p.countsForwards());
        assertEquals(null, p.layers().get(0).fused(), "a conv followed by batch norm is not fused");
    }

    @Test
    void aKernelLargerThanItsInputNamesTheLayerKey() {
        SpecException e = refused("""
                type: sequential
                layers: [{type: conv2d, out_channels: 4, kernel_size: 3}, {type: relu},
                         {type: max_pool2d, kernel_size: 2}, {type: conv2d, out_channels: 4, kernel_size: 7}]
                """, new int[] {1, 12, 12}, 10);
        assertEquals("layers[3].kernel_size", e.key());
        assertEquals("7 does not fit the 5x5 input of this layer", e.problem());
    }

    @Test
    void imageLayersOnFlatFeaturesAndLinearOnImagesAreRefused() {
        SpecException conv = refused("""
                type: sequential
                layers: [{type: conv2d, out_channels: 4, kernel_size: 3}, {type: flatten}, {type: linear}]
                """, new int[] {20}, 3);
        assertEquals("layers[0].type", conv.key());
        assertTrue(conv.problem().startsWith("conv2d needs images [C, H, W], but this layer's input is [20]"),
                conv.problem());
        SpecException linear = refused("type: sequential\nlayers: [{type: linear}]\n", new int[] {1, 4, 4}, 3);
        assertEquals("layers[0].type", linear.key());
        assertTrue(linear.problem().contains("put {type: flatten} before it"), linear.problem());
        SpecException bn = refused("type: sequential\nlayers: [{type: batch_norm2d}, {type: linear}]\n",
                new int[] {6}, 3);
        assertEquals("layers[0].type", bn.key());
    }

    @Test
    void theLastLayerMustScoreTheDatasClasses() {
        SpecException wrong = refused("type: sequential\nlayers: [{type: linear, out_features: 4}]\n", new int[] {6},
                3);
        assertEquals("layers[0].out_features", wrong.key());
        SpecException open = refused("""
                type: sequential
                layers: [{type: linear}, {type: relu}, {type: linear, out_features: 3}]
                """, new int[] {6}, 3);
        assertEquals("layers[0].out_features", open.key());
        assertTrue(open.problem().startsWith("is required"), open.problem());
        SpecException images = refused("""
                type: sequential
                layers: [{type: conv2d, out_channels: 3, kernel_size: 1}]
                """, new int[] {1, 4, 4}, 3);
        assertEquals("layers[0]", images.key());
    }

    @Test
    void poolingPaddingAboveHalfTheKernelIsRefusedAsPyTorchDoes() {
        SpecException e = refused("""
                type: sequential
                layers: [{type: max_pool2d, kernel_size: 2, padding: 2}, {type: flatten}, {type: linear}]
                """, new int[] {1, 6, 6}, 3);
        assertEquals("layers[0].padding", e.key());
    }

    @Test
    void strideAndPaddingMayDifferAlongHeightAndWidth() {
        ModelPlan p = ModelPlan.of(SequentialGradientTest.spec("""
                type: sequential
                layers: [{type: conv2d, out_channels: 2, kernel_size: [3, 1], stride: [2, 1], padding: [1, 0]},
                         {type: avg_pool2d, kernel_size: [1, 2]}, {type: flatten}, {type: linear}]
                """), new int[] {1, 9, 8}, 3);
        assertArrayEquals(new int[] {2, 5, 8}, p.layers().get(0).out());
        assertArrayEquals(new int[] {2, 5, 4}, p.layers().get(1).out());
    }

    @Test
    void anMlpReadsImagesAsFlatFeaturesWithItsClassicNames() {
        ModelPlan p = ModelPlan.of(ModelSpec.defaults(), new int[] {1, 28, 28}, 10);
        assertArrayEquals(new int[] {784}, p.input());
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"),
                p.tensors().stream().map(NamedTensor::name).toList());
        assertEquals(784L * 512, p.tensors().get(1).offset());
        assertEquals(784L * 512 + 512, p.tensors().get(2).offset());
        assertEquals(784 * 512 + 512 + 512 * 256 + 256 + 256 * 10 + 10, p.parameters());
        assertTrue(!p.spatial() && !p.countsForwards());
    }
}
