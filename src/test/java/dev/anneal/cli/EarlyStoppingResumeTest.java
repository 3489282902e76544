package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Early stopping's state (best, wait) and keep_best's are checkpointed: a resumed run stops where one run does. */
class EarlyStoppingResumeTest {
    private static final String CONFIG = """
            optimizer: {type: adam, lr: 0.01}
            model: {hidden: [8]}
            data: {dataset: synthetic, train_samples: 100, test_samples: 20, features: 4, classes: 2, batch_size: 25}
            train: {epochs: EPOCHS, keep_best: true, early_stopping: {patience: 2, min_delta: 100}}
            """;

    @Test
    void aRunResumedAfterAnEpochWithoutImprovementStopsAtTheSameEpochWithTheSameBits(@TempDir Path tmp)
            throws IOException {
        Path whole = train(tmp, "whole", 6);
        Path split = train(tmp, "split", 2);
        CliRun r = CliRun.of("train", "--resume", split.toString(), "--set", "train.epochs=6");
        assertEquals(0, r.status(), r.err());
        // without the saved wait count the resumed run would count afresh and stop two epochs later
        assertEquals(Files.readAllLines(whole.resolve("metrics.jsonl")).size(),
                Files.readAllLines(split.resolve("metrics.jsonl")).size());
        assertEquals(3, Files.readAllLines(split.resolve("metrics.jsonl")).size());
        String last = "checkpoints/step-000000012/";
        for (String f : new String[] {"model.safetensors", "optimizer.safetensors", "trainer.json"}) {
            assertArrayEquals(Files.readAllBytes(whole.resolve(last + f)), Files.readAllBytes(split.resolve(last + f)),
                    f);
            assertArrayEquals(Files.readAllBytes(whole.resolve("checkpoints/best/" + f)),
                    Files.readAllBytes(split.resolve("checkpoints/best/" + f)), "best/" + f);
        }
    }

    private static Path train(Path tmp, String name, int epochs) throws IOException {
        Path config = tmp.resolve(name + ".yaml");
        Files.writeString(config, CONFIG.replace("EPOCHS", Integer.toString(epochs)));
        Path run = tmp.resolve(name);
        CliRun r = CliRun.of("train", "--config", config.toString(), "--run-dir", run.toString());
        assertEquals(0, r.status(), r.err());
        return run;
    }
}
