package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.config.ConfigMapper;
import dev.anneal.spec.SpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class DataSpecTest {
    private static SpecException rejected(Executable make) {
        return assertThrows(SpecException.class, make);
    }

    private static DataSpec images(String dataset, Integer batch, Integer evalBatch) {
        return new DataSpec(dataset, null, batch, evalBatch, null, null, null, null, null, null);
    }

    private static DataSpec synthetic(Integer train, Integer test, Integer features, Integer classes, Double noise) {
        return new DataSpec("synthetic", null, null, null, null, train, test, features, classes, noise);
    }

    @Test
    void defaultsAreFashionMnistFromTheDebianPackage() {
        DataSpec d = DataSpec.defaults();
        assertEquals("fashion-mnist", d.dataset());
        assertEquals("/usr/share/datasets/fashion-mnist", d.path());
        assertEquals(128, d.batchSize());
        assertEquals(1000, d.evalBatchSize());
        assertEquals("true", d.normalize());
        assertNull(d.trainSamples());
        assertNull(d.noise());
    }

    @Test
    void pathDefaultDependsOnDataset() {
        assertEquals("/usr/share/datasets/mnist", images("mnist", null, null).path());
        assertNull(DataSpec.synthetic().path());
        assertEquals("/data/x", new DataSpec("mnist", "/data/x", null, null, null, null, null, null, null, null).path());
    }

    @Test
    void syntheticGetsItsDefaults() {
        DataSpec d = DataSpec.synthetic();
        assertEquals(2048, d.trainSamples());
        assertEquals(512, d.testSamples());
        assertEquals(32, d.features());
        assertEquals(4, d.classes());
        assertEquals(0.5, d.noise());
    }

    @Test
    void unknownDatasetNamesTheKeyAndTheChoices() {
        SpecException e = rejected(() -> images("cifar10", null, null));
        assertEquals("dataset", e.key());
        assertEquals("must be one of fashion-mnist | mnist | synthetic | npz | npy | csv | image_folder, got "
                + "'cifar10'", e.problem());
    }

    @Test
    void batchSizesMustBePositive() {
        SpecException b = rejected(() -> images(null, 0, null));
        assertEquals("batch_size", b.key());
        assertEquals("must be > 0, got 0", b.problem());
        assertEquals("eval_batch_size", rejected(() -> images(null, null, -5)).key());
    }

    @Test
    void syntheticParametersAreValidatedByKey() {
        assertEquals("train_samples", rejected(() -> synthetic(0, null, null, null, null)).key());
        assertEquals("test_samples", rejected(() -> synthetic(null, -1, null, null, null)).key());
        assertEquals("features", rejected(() -> synthetic(null, null, 0, null, null)).key());
        SpecException c = rejected(() -> synthetic(null, null, null, 1, null));
        assertEquals("classes", c.key());
        assertEquals("must be >= 2, got 1", c.problem());
        assertEquals("noise", rejected(() -> synthetic(null, null, null, null, -0.1)).key());
        assertEquals("noise", rejected(() -> synthetic(null, null, null, null, Double.NaN)).key());
        // Sizes that cannot be allocated (train_samples x features beyond one array, or the heap) depend on
        // several keys and on the JVM: config.SizeLimits refuses them at the key (SizeLimitsTest).
    }

    @Test
    void syntheticParametersOnAnImageDatasetAreAnErrorNotIgnored() {
        SpecException e = rejected(() -> new DataSpec("mnist", null, null, null, null, null, null, 10, null, null));
        assertEquals("features", e.key());
        assertEquals("only applies to dataset synthetic, got 10 with dataset mnist (remove it or set dataset: synthetic)",
                e.problem());
        assertEquals("noise", rejected(() -> new DataSpec(null, null, null, null, null, null, null, null, null, 0.1)).key());
    }

    @Test
    void emptyPathIsRejected() {
        assertEquals("path", rejected(() -> new DataSpec(null, " ", null, null, null, null, null, null, null, null)).key());
    }

    @Test
    void bindsFromSnakeCaseYaml() throws Exception {
        DataSpec d = ConfigMapper.get().readValue(
                "dataset: synthetic\nbatch_size: 64\neval_batch_size: 256\nnormalize: false\ntrain_samples: 100\n",
                DataSpec.class);
        assertEquals(new DataSpec("synthetic", null, 64, 256, false, 100, 512, 32, 4, 0.5), d);
        String yaml = ConfigMapper.get().writeValueAsString(DataSpec.defaults());
        assertEquals(DataSpec.defaults(), ConfigMapper.get().readValue(yaml, DataSpec.class), yaml);
        assertTrue(yaml.contains("eval_batch_size: 1000"), yaml);
    }

    @Test
    void normalizeReadsYamlBooleansAndPerChannelAndWritesThemBackUnquoted() throws Exception {
        String[][] cases = {{"true", "true"}, {"false", "false"}, {"per_channel", "per_channel"}, {"True", "true"},
            {"FALSE", "false"}, {"\"per_channel\"", "per_channel"}};
        for (String[] c : cases) {
            DataSpec d = ConfigMapper.get().readValue("dataset: synthetic\nnormalize: " + c[0] + "\n", DataSpec.class);
            assertEquals(c[1], d.normalize(), c[0]);
            assertEquals(!c[1].equals("false"), d.normalizes(), c[0]);
            assertEquals(c[1].equals("per_channel"), d.perChannel(), c[0]);
            String yaml = ConfigMapper.get().writeValueAsString(d);
            assertTrue(yaml.contains("\nnormalize: " + c[1] + "\n"), yaml);
            assertEquals(d, ConfigMapper.get().readValue(yaml, DataSpec.class));
        }
        for (String data : new String[] {"dataset: mnist", "dataset: csv\npath: t.csv\nlabel_column: y",
            "dataset: npy\npath: /d", "dataset: image_folder\npath: /d\nimage_size: [2, 2]"}) {
            assertTrue(ConfigMapper.get().readValue(data + "\nnormalize: per_channel\n", DataSpec.class).perChannel(),
                    data);
        }
        assertEquals("true", new DataSpec("mnist", null, null, null, (Boolean) null, null, null, null, null, null)
                .normalize());
        assertEquals("false", new DataSpec("mnist", null, null, null, false, null, null, null, null, null).normalize());
        for (String bad : new String[] {"2", "perchannel", "per-channel", "yes please", ""}) {
            SpecException e = rejected(() -> new DataSpec("synthetic", null, null, null, bad, null, null, null, null,
                    null, null, null, null, null, null, null, null, null));
            assertEquals("normalize", e.key());
            assertEquals("must be one of true | false | per_channel, got '" + bad + "'", e.problem());
        }
    }

    private static DataSpec own(String dataset, String path, String testPath, String layout, String label,
                                java.util.List<String> features, Double split) {
        return new DataSpec(dataset, path, null, null, null, null, null, null, null, null, testPath, layout, label,
                features, split);
    }

    @Test
    void ownDataNeedsAPathAndKeysOnlyApplyWhereTheyMeanSomething() {
        assertEquals("path", rejected(() -> own("npz", null, null, null, null, null, null)).key());
        assertEquals("label_column", rejected(() -> own("csv", "t.csv", null, null, null, null, 0.1)).key());
        assertEquals("layout", rejected(() -> own("npz", "d.npz", null, "chw", null, null, null)).key());
        assertEquals("layout", rejected(() -> own("csv", "t.csv", null, "nchw", "y", null, null)).key());
        assertEquals("test_path", rejected(() -> own("mnist", "/d", "/e", null, null, null, null)).key());
        assertEquals("validation_split", rejected(() -> own("npy", "/d", null, null, null, null, 1.0)).key());
        assertEquals("feature_columns", rejected(() -> own("csv", "t.csv", null, null, "y",
                java.util.List.of("a", "y"), null)).key());
        assertEquals("label_column", rejected(() -> own("npz", "d.npz", null, null, "y", null, null)).key());
        assertEquals("nhwc", own("npz", "d.npz", "e.npz", "nhwc", null, null, 0.5).layout());
    }

    @Test
    void ownDataKeysRoundTripThroughYaml() throws Exception {
        DataSpec d = own("csv", "t.csv", "v.csv", null, "kind", java.util.List.of("a", "b"), null);
        String yaml = ConfigMapper.get().writeValueAsString(d);
        assertEquals(d, ConfigMapper.get().readValue(yaml, DataSpec.class), yaml);
        assertTrue(yaml.contains("label_column: kind"), yaml);
        assertFalse(ConfigMapper.get().writeValueAsString(DataSpec.defaults()).contains("layout"));
    }

    @Test
    void memoryMapIsAutoForArraysRefusedElsewhereAndReadsYamlBooleans() throws Exception {
        assertEquals("auto", own("npz", "d.npz", null, null, null, null, null).memoryMap());
        assertEquals("auto", own("npy", "/d", null, null, null, null, null).memoryMap());
        assertNull(own("csv", "t.csv", null, null, "y", null, null).memoryMap());
        assertNull(DataSpec.defaults().memoryMap());
        SpecException csv = rejected(() -> new DataSpec("csv", "t.csv", null, null, null, null, null, null, null, null,
                null, null, "y", null, null, null, null, "true"));
        assertEquals("memory_map", csv.key());
        assertTrue(csv.problem().contains("only applies to dataset npz or npy"), csv.problem());
        assertEquals("memory_map", rejected(() -> new DataSpec("mnist", null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, "false")).key());
        for (String v : new String[] {"true", "false", "auto"}) {
            DataSpec d = ConfigMapper.get().readValue("dataset: npy\npath: /d\nmemory_map: " + v + "\n",
                    DataSpec.class);
            assertEquals(v, d.memoryMap());
            String yaml = ConfigMapper.get().writeValueAsString(d);
            assertTrue(yaml.contains("memory_map: " + v + "\n"), yaml);
            assertEquals(d, ConfigMapper.get().readValue(yaml, DataSpec.class));
        }
        SpecException bad = rejected(() -> new DataSpec("npz", "d.npz", null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, "2"));
        assertEquals("memory_map", bad.key());
        assertTrue(bad.problem().contains("auto | true | false"), bad.problem());
    }
}
