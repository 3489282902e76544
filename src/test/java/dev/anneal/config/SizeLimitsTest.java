package dev.anneal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.data.DataSpec;
import dev.anneal.model.ModelSpec;
import dev.anneal.spec.SpecException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The sizes a config may ask for: the value said to fit fits, one more does not; the key blamed is the large one. */
class SizeLimitsTest {
    private static final long HEAP = 1L << 30;
    private static final Pattern AT_MOST = Pattern.compile("use at most (\\d+)$");

    /** A config built from its records, so that the binder's own size check does not run first. */
    private static AnnealConfig config(String... sets) {
        Integer batch = null;
        Integer train = null;
        List<Long> hidden = null;
        String device = "cpu";
        for (String s : sets) {
            String[] kv = s.split("=", 2);
            switch (kv[0]) {
                case "data.batch_size" -> batch = Integer.parseInt(kv[1]);
                case "data.train_samples" -> train = Integer.parseInt(kv[1]);
                case "model.hidden" -> hidden = List.of(Long.parseLong(kv[1].replaceAll("[\\[\\]]", "")));
                case "device" -> device = kv[1];
                default -> throw new IllegalArgumentException(s);
            }
        }
        AnnealConfig base = LoadedConfig.parse("x.yaml", "optimizer: {type: adam}\n", List.of()).config();
        return new AnnealConfig(base.optimizer(), null, new ModelSpec(null, hidden, null, null, null),
                new DataSpec("synthetic", null, batch, null, null, train, null, null, null, null), null, device);
    }

    private static Optional<SpecException> check(String... sets) {
        return SizeLimits.check(config(sets), HEAP, key -> true);
    }

    private static long atMost(SpecException e) {
        Matcher m = AT_MOST.matcher(e.problem());
        assertTrue(m.find(), e.problem());
        return Long.parseLong(m.group(1));
    }

    @Test
    void theDefaultsFit() {
        assertEquals(Optional.empty(), check());
        assertEquals(Optional.empty(), SizeLimits.check(LoadedConfig.parse("x.yaml", "optimizer: {type: sgd, lr: 1}\n",
                List.of()).config(), HEAP, key -> true));
    }

    @Test
    void theLargestBatchSaidToFitFitsAndOneMoreDoesNot() {
        SpecException e = check("data.batch_size=2147483647").orElseThrow();
        assertEquals("data.batch_size", e.key());
        long n = atMost(e);
        assertEquals(Optional.empty(), check("data.batch_size=" + n));
        assertTrue(check("data.batch_size=" + (n + 1)).isPresent());
    }

    @Test
    void theWidestLayerSaidToFitFitsAndOneMoreDoesNot() {
        SpecException e = check("model.hidden=[1048576]").orElseThrow();
        assertEquals("model.hidden[0]", e.key());
        assertTrue(e.problem().contains("memory"), e.problem());
        long n = atMost(e);
        assertEquals(Optional.empty(), check("model.hidden=[" + n + "]"));
        assertTrue(check("model.hidden=[" + (n + 1) + "]").isPresent());
    }

    @Test
    void aBufferBeyondAJavaArrayIsSaidSoWithItsShape() {
        SpecException e = SizeLimits.check(config("data.train_samples=2000000000"), Long.MAX_VALUE,
                k -> k.equals("data.train_samples"))
                .orElseThrow();
        assertEquals("data.train_samples", e.key());
        assertEquals("2000000000 is larger than fits: the training set would hold 64000000000 floats (2000000000 "
                + "samples x 32 features), more than one buffer holds (2147483639); use at most 67108863", e.problem());
    }

    @Test
    void writtenKeysAreBlamedBeforeDefaults() {
        AnnealConfig c = config("model.hidden=[1000000]");
        SpecException e = SizeLimits.check(c, HEAP, key -> key.startsWith("model.")).orElseThrow();
        assertEquals("model.hidden[0]", e.key());
    }

    @Test
    void gpuDevicesKeepTheModelOffTheHeap() {
        AnnealConfig cpu = config("model.hidden=[200000]");
        AnnealConfig gpu = config("model.hidden=[200000]", "device=cuda");
        assertTrue(SizeLimits.check(cpu, HEAP, k -> true).isPresent());
        assertEquals(Optional.empty(), SizeLimits.check(gpu, HEAP, k -> true));
    }

    @Test
    void memoryMappedFeaturesAreNotCountedOnTheHeapOnlyTheirLabels() {
        AnnealConfig c = LoadedConfig.parse("x.yaml", "optimizer: {type: sgd, lr: 1}\n"
                + "data: {dataset: npy, path: /d}\n", List.of()).config();
        long heap = 64L << 20;
        SpecException inMemory = SizeLimits.check(c, 784, 10, 80_000, 10_000, false, heap).orElseThrow();
        assertTrue(inMemory.problem().contains("memory"), inMemory.problem());
        assertEquals(Optional.empty(), SizeLimits.check(c, 784, 10, 80_000, 10_000, true, heap));
        assertTrue(SizeLimits.check(c, 784, 10, 20_000_000, 1, true, heap).isPresent(), "labels still count");
    }

    @Test
    void sizesInWords() {
        assertEquals("6.3 GB", dev.anneal.spec.Format.bytes(6_300_000_000L));
        assertEquals("21.4 PB", dev.anneal.spec.Format.bytes(21_400_000_000_000_000L));
        assertEquals("5 MB", dev.anneal.spec.Format.bytes(5_000_000L));
    }
}
