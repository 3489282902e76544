package dev.anneal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.model.LayerSpec;
import dev.anneal.model.ModelSpec;
import dev.anneal.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code model: {type: sequential, layers: [...]}} bound from YAML: keys, types, shapes and sizes at their lines. */
class ModelConfigTest {
    private static final String HEAD = "optimizer: {type: adam}\n";

    private static AnnealConfig bind(String yaml) {
        return LoadedConfig.parse("m.yaml", HEAD + yaml, List.of()).config();
    }

    private static String refused(String yaml) {
        return assertThrows(ConfigError.class, () -> bind(yaml)).getMessage();
    }

    @Test
    void layersBindWithPyTorchsDefaults() {
        ModelSpec m = bind("""
                model:
                  type: sequential
                  layers:
                    - {type: conv2d, out_channels: 8, kernel_size: [3, 5]}
                    - {type: max_pool2d, kernel_size: 2}
                    - {type: batch_norm2d}
                    - {type: flatten}
                    - {type: dropout}
                    - {type: linear}
                """).model();
        LayerSpec.Conv2d conv = (LayerSpec.Conv2d) m.layers().get(0);
        assertEquals(3, conv.kernelSize().h());
        assertEquals(5, conv.kernelSize().w());
        assertEquals("1", conv.stride().toString());
        assertEquals("0", conv.padding().toString());
        assertTrue(conv.bias());
        assertEquals("2", ((LayerSpec.MaxPool2d) m.layers().get(1)).stride().toString(), "stride defaults to the kernel");
        assertEquals(0.1, ((LayerSpec.BatchNorm2d) m.layers().get(2)).momentum());
        assertEquals(1e-5, ((LayerSpec.BatchNorm2d) m.layers().get(2)).eps());
        assertEquals(0.5, ((LayerSpec.Dropout) m.layers().get(4)).p());
        assertEquals("kaiming", m.init());
    }

    @Test
    void aKernelThatDoesNotFitIsRefusedAtItsLine() {
        String e = refused("""
                model:
                  type: sequential
                  layers:
                    - {type: conv2d, out_channels: 8, kernel_size: 5}
                    - {type: max_pool2d, kernel_size: 4}
                    - {type: conv2d, out_channels: 8, kernel_size: 7}
                    - {type: flatten}
                    - {type: linear}
                """);
        assertEquals("m.yaml:7: model.layers[2].kernel_size 7 does not fit the 6x6 input of this layer", e);
    }

    @Test
    void unknownKeysTypesAndMisplacedKeysAreRefused() {
        assertEquals("m.yaml:4: model.layers[0].kernel is not a key of conv2d; valid: out_channels, kernel_size, "
                + "stride, padding, bias", refused("""
                model:
                  type: sequential
                  layers: [{type: conv2d, out_channels: 8, kernel: 3}]
                """));
        assertTrue(refused("""
                model:
                  type: sequential
                  layers: [{type: conv3d}]
                """).startsWith("m.yaml:4: model.layers[0].type 'conv3d' is not a known type"));
        assertTrue(refused("""
                model: {type: sequential, hidden: [8], layers: [{type: linear}]}
                """).contains("model.hidden belongs to type: mlp"));
        assertTrue(refused("""
                model: {layers: [{type: linear}]}
                """).contains("model.layers belongs to type: sequential"));
        assertTrue(refused("""
                model: {type: sequential}
                """).contains("model.layers is required for type: sequential"));
    }

    @Test
    void sizesAreAWholeNumberOrAPair() {
        assertTrue(refused("""
                model:
                  type: sequential
                  layers: [{type: conv2d, out_channels: 8, kernel_size: [3]}, {type: flatten}, {type: linear}]
                """).contains("model.layers[0].kernel_size must be a whole number or [h, w], got [3]"));
        assertTrue(refused("""
                model:
                  type: sequential
                  layers: [{type: max_pool2d, kernel_size: 2, stride: 0}, {type: flatten}, {type: linear}]
                """).contains("model.layers[0].stride must be >= 1, got 0"));
        assertTrue(refused("""
                model:
                  type: sequential
                  layers: [{type: dropout, p: 1.5}, {type: linear}]
                """).contains("model.layers[0].p"));
    }

    @Test
    void imageLayersOnSyntheticFeaturesAreRefused() {
        String e = refused("""
                model:
                  type: sequential
                  layers: [{type: conv2d, out_channels: 8, kernel_size: 3}, {type: flatten}, {type: linear}]
                data: {dataset: synthetic, features: 12, classes: 3}
                """);
        assertTrue(e.startsWith("m.yaml:4: model.layers[0].type conv2d needs images [C, H, W], but this layer's "
                + "input is [12]"), e);
    }

    @Test
    void theResolvedConfigBindsToTheSameModel(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        for (String name : List.of("fashion-mnist-cnn.yaml", "fashion-mnist-cnn-bn.yaml")) {
            AnnealConfig c = LoadedConfig.load(Path.of("configs", name), List.of()).config();
            Path again = dir.resolve(name);
            Files.writeString(again, ResolvedConfig.toYaml(c));
            assertEquals(c.model(), LoadedConfig.load(again, List.of()).config().model(), name);
        }
    }

    @Test
    void theCnnConfigsFollowThePeerRecipe() {
        AnnealConfig c = LoadedConfig.load(Path.of("configs", "fashion-mnist-cnn.yaml"), List.of()).config();
        var plan = dev.anneal.model.ModelPlan.of(c.model(), new int[] {1, 28, 28}, 10);
        assertEquals(421_642, plan.parameters());
        // The peer's LambdaLR: (s+1)/234 for s < 234, then 0.5 (1 + cos(pi (s - 234) / (2345 - 234))).
        var lr = dev.anneal.schedule.LrDriver.create(c.schedule(), c.effectiveLr(), 1, 469);
        for (long s : new long[] {0, 1, 100, 232, 233, 234, 235, 1000, 2344}) {
            double peer = s < 234 ? (s + 1) / 234.0 : 0.5 * (1 + Math.cos(Math.PI * (s - 234) / (2345 - 234)));
            assertEquals(1e-3 * peer, lr.lr(s), 1e-12, "update " + s);
        }
        AnnealConfig bn = LoadedConfig.load(Path.of("configs", "fashion-mnist-cnn-bn.yaml"), List.of()).config();
        assertEquals(421_642 + 64 + 128, dev.anneal.model.ModelPlan.of(bn.model(), new int[] {1, 28, 28}, 10)
                .parameters());
    }

    @Test
    void convolutionColumnsCountAgainstTheHeap() {
        AnnealConfig c = bind("""
                model:
                  type: sequential
                  layers: [{type: conv2d, out_channels: 64, kernel_size: 3, padding: 1}, {type: flatten},
                           {type: linear}]
                data: {batch_size: 4096}
                device: cpu
                """);
        Optional<SpecException> e = SizeLimits.check(c, 1L << 30, key -> true);
        assertTrue(e.isPresent());
        assertEquals("data.batch_size", e.get().key());
        assertTrue(e.get().problem().contains("of memory"), e.get().problem());
        assertTrue(SizeLimits.check(c, 64L << 30, key -> true).isEmpty(), "fits a 64 GiB heap");
    }
}
