package dev.anneal.cli;

import static dev.anneal.cli.BadInputAssert.oneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sizes that cannot be allocated are refused at the key that asked for them, with the largest value that fits,
 * before anything is allocated: no OutOfMemoryError, no negative array size, no int overflow. Every size here
 * is beyond any machine's heap, so the tests hold wherever they run.
 */
class BadInputSizesTest {
    private static final Pattern USE_AT_MOST = Pattern.compile(".*; use at most [1-9][0-9]*$");

    @TempDir
    Path dir;

    private Path config(String extra) throws IOException {
        return Files.writeString(dir.resolve("big.yaml"), """
                optimizer: {type: sgd, lr: 0.1}
                device: cpu
                data:
                  dataset: synthetic
                """ + extra);
    }

    private CliRun train(Path config, String... more) {
        String[] args = new String[5 + more.length];
        args[0] = "train";
        args[1] = "--config";
        args[2] = config.toString();
        args[3] = "--run-dir";
        args[4] = dir.resolve("run").toString();
        System.arraycopy(more, 0, args, 5, more.length);
        return CliRun.of(args);
    }

    private String refused(CliRun r, String... fragments) {
        String line = oneLine(r, fragments);
        assertTrue(USE_AT_MOST.matcher(line).matches(), "says what fits: " + line);
        assertFalse(Files.exists(dir.resolve("run")), "no run directory is created");
        return line;
    }

    @Test
    void batchSizeOfIntMaxIsRefusedAtItsLine() throws IOException {
        Path c = config("  batch_size: 2147483647\n");
        refused(train(c), c + ":5: data.batch_size 2147483647 is larger than fits: ");
    }

    @Test
    void configCheckRefusesTheSameSize() throws IOException {
        Path c = config("  batch_size: 2147483647\n");
        refused(CliRun.of("config", "check", c.toString()), c + ":5: data.batch_size 2147483647 is larger than fits");
    }

    @Test
    void batchSizeOnAnImageDatasetIsRefusedBeforeTheFilesAreRead() throws IOException {
        Path c = Files.writeString(dir.resolve("img.yaml"), """
                optimizer: {type: sgd, lr: 0.1}
                data:
                  dataset: mnist
                  path: /nonexistent
                  batch_size: 2147483647
                """);
        refused(train(c), c + ":5: data.batch_size 2147483647 is larger than fits: ");
    }

    @Test
    void evalBatchSizeIsRefusedAtItsKey() throws IOException {
        Path c = config("  eval_batch_size: 2000000000\n  test_samples: 2000000\n");
        refused(train(c), c + ":5: data.eval_batch_size 2000000000 is larger than fits: ");
    }

    @Test
    void evalBatchSizeLargerThanTheHeldOutSetsIsAllocatedAtTheirSizeAndTrains() throws IOException {
        Path c = config("  eval_batch_size: 2000000000\n  train_samples: 256\n  test_samples: 64\n"
                + "train: {epochs: 1}\nmodel: {hidden: [8]}\n");
        CliRun r = train(c);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("test accuracy"), r.out());
    }

    @Test
    void hugeHiddenWidthsAreRefusedSayingTheParameterCount() throws IOException {
        Path c = config("model:\n  hidden: [1048576, 1048576, 1048576]\n");
        oneLine(train(c), c + ":6: model.hidden [1048576, 1048576, 1048576] is larger than fits: the model would "
                + "have 2199064150020 parameters, more than one buffer holds (2147483639); use narrower or fewer layers");
    }

    @Test
    void wideLayerWithALargeEvaluationBatchSaysTheMemoryAndTheLimit() throws IOException {
        Path c = config("  eval_batch_size: 100000\n  test_samples: 100000\nmodel:\n  hidden: [1048576]\n");
        String line = refused(train(c), "is larger than fits: the ");
        assertTrue(line.contains(c + ":5: data.eval_batch_size 100000") || line.contains(c + ":8: model.hidden[0]"),
                line);
    }

    @Test
    void syntheticTrainSamplesTooLargeForOneBuffer() throws IOException {
        Path c = config("  train_samples: 2000000000\n");
        refused(train(c), c + ":5: data.train_samples 2000000000 is larger than fits");
    }

    @Test
    void syntheticFeaturesAreBlamedWhenTheyAreWhatIsLarge() throws IOException {
        Path c = config("  features: 100000000\n");
        refused(train(c), c + ":5: data.features 100000000 is larger than fits");
    }

    @Test
    void accumulationStepsOverflowingTheGlobalBatchAreRefused() throws IOException {
        Path c = config("train:\n  accumulation_steps: 9223372036854775807\n");
        refused(train(c), c + ":6: train.accumulation_steps 9223372036854775807 is larger than fits");
    }

    @Test
    void accumulationStepsInASetOverrideNameTheOverride() throws IOException {
        Path c = config("");
        refused(train(c, "--set", "train.accumulation_steps=100000000"),
                "--set train.accumulation_steps=100000000: train.accumulation_steps 100000000 is larger than fits");
    }

    @Test
    void tooManyCpuReplicasAreRefusedAtDevices() throws IOException {
        Path c = config("devices: 1000000\n");
        refused(train(c), c + ":5: devices 1000000 is larger than fits: the run would need about",
                "1000000 replicas");
    }

    @Test
    void benchStepRefusesReplicaCountsThatCannotBeAllocated() throws IOException {
        Path c = config("");
        String line = oneLine(CliRun.of("bench", "step", "--config", c.toString(), "--devices", "1,1000000"),
                "--devices 1000000 is larger than fits");
        assertTrue(USE_AT_MOST.matcher(line).matches(), line);
    }

    @Test
    void aBatchLargerThanTheTrainingSetIsAllowed() throws IOException {
        Path c = config("  batch_size: 4096\n  train_samples: 64\n  test_samples: 32\ntrain: {epochs: 1}\n");
        CliRun r = CliRun.of("config", "check", c.toString());
        org.junit.jupiter.api.Assertions.assertEquals(0, r.status(), r.err());
    }
}
