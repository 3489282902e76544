package dev.anneal.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.data.Datasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layer stack in the training loop on the CPU: a small CNN learns images no linear model of single pixels
 * separates, a run with dropout and batch norm resumes bit-exactly (weights, running statistics and the dropout
 * draws), and with two replicas batch norm follows PyTorch DDP without SyncBatchNorm.
 */
class LayerStackTrainingTest {
    private static final String CNN = """
            optimizer: {type: adamw, lr: 0.01, weight_decay: 0.0001}
            model:
              type: sequential
              init: pytorch
              layers:
                - {type: conv2d, out_channels: 6, kernel_size: 3, padding: 1}
                - {type: relu}
                - {type: max_pool2d, kernel_size: 2}
                - {type: flatten}
                - {type: linear}
            data: {dataset: npz, path: unused.npz, batch_size: 16, eval_batch_size: 100}
            train: {epochs: 4, seed: 1}
            """;
    private static final String BN_DROPOUT = """
            optimizer: {type: sgd, lr: 0.05, momentum: 0.9}
            model:
              type: sequential
              layers:
                - {type: conv2d, out_channels: 4, kernel_size: 3}
                - {type: batch_norm2d, momentum: 0.2}
                - {type: relu}
                - {type: avg_pool2d, kernel_size: 2}
                - {type: flatten}
                - {type: dropout, p: 0.3}
                - {type: linear, out_features: 12}
                - {type: batch_norm1d}
                - {type: gelu}
                - {type: dropout, p: 0.2}
                - {type: linear}
            data: {dataset: npz, path: unused.npz, batch_size: 12, eval_batch_size: 50}
            train: {epochs: 3, seed: 4, checkpoint_every: 4, accumulation_steps: 2}
            """;

    @TempDir
    Path dir;

    private static AnnealConfig config(String yaml, String... sets) {
        return LoadedConfig.parse("cnn.yaml", yaml, List.of(sets)).config();
    }

    @Test
    void aSmallCnnLearnsImagesFarAboveChance() throws IOException {
        AnnealConfig cfg = config(CNN);
        Datasets data = SyntheticImages.of(600, 300, 7);
        try (CpuBackend b = new CpuBackend();
             Trainer t = new Trainer(cfg, data, b, new RunDirectory(dir), new TrainListener() { })) {
            t.initialize();
            EvalMetrics last = t.run();
            assertTrue(last.testAccuracy() > 0.9, "test accuracy " + last.testAccuracy() + " (chance 1/3)");
        }
    }

    /** The final weights, running statistics and the last checkpoint's model file of a run. */
    private record Outcome(Map<String, float[]> tensors, byte[] modelFile, long forwards) {
    }

    private static Outcome run(AnnealConfig cfg, Datasets data, Path runDir, boolean resume, TrainListener listener)
            throws IOException {
        try (CpuBackend b = new CpuBackend();
             Trainer t = new Trainer(cfg, data, b, new RunDirectory(runDir), listener)) {
            if (resume) {
                t.resumeFrom(new Checkpoints(runDir, 1).latest().orElseThrow());
            } else {
                t.initialize();
            }
            t.run();
            Map<String, float[]> tensors = new java.util.TreeMap<>();
            t.model().tensors().stream().filter(n -> n.kind() != dev.anneal.model.NamedTensor.Kind.COUNTER)
                    .forEach(n -> tensors.put(n.name(), t.model().read(n.name())));
            Path last = new Checkpoints(runDir, 1).latest().orElseThrow();
            return new Outcome(tensors, Files.readAllBytes(last.resolve("model.safetensors")),
                    t.state().modelForwards());
        }
    }

    @Test
    void aRunWithDropoutAndBatchNormResumesBitForBit() throws IOException {
        AnnealConfig cfg = config(BN_DROPOUT);
        Datasets data = SyntheticImages.of(130, 40, 3);
        Outcome whole = run(cfg, data, dir.resolve("whole"), false, new TrainListener() { });
        Path broken = dir.resolve("broken");
        RuntimeException crash = assertThrows(RuntimeException.class, () -> run(cfg, data, broken, false,
                new TrainListener() {
                    @Override
                    public void stepped(long update, double loss, double lr, double sps) {
                        if (update == 10) {
                            throw new IllegalStateException("simulated crash");
                        }
                    }
                }));
        assertEquals("simulated crash", crash.getMessage());
        assertEquals("step-000000008", new Checkpoints(broken, 1).latest().orElseThrow().getFileName().toString());
        Outcome resumed = run(cfg, data, broken, true, new TrainListener() { });
        assertEquals(whole.tensors().keySet(), resumed.tensors().keySet());
        for (String name : whole.tensors().keySet()) {
            assertArrayEquals(whole.tensors().get(name), resumed.tensors().get(name), name);
        }
        assertArrayEquals(whole.modelFile(), resumed.modelFile(), "the last checkpoint's model.safetensors");
        // 130 samples in batches of 12, two per update: 6 data steps of 2 micro-batches per epoch, 3 epochs.
        assertEquals(36, whole.forwards());
        Map<String, Safetensors.Tensor> saved = Safetensors.read(new Checkpoints(dir.resolve("whole"), 1).latest()
                .orElseThrow().resolve("model.safetensors"));
        assertEquals("I64", saved.get("1.num_batches_tracked").dtype());
        assertArrayEquals(new long[] {36}, saved.get("7.num_batches_tracked").longs());
        assertFalse(java.util.Arrays.equals(whole.tensors().get("1.running_var"), new float[4]));
    }

    @Test
    void withTwoReplicasBatchNormUsesEachShardAndReplicaZerosRunningStatistics() throws IOException {
        AnnealConfig cfg = config(BN_DROPOUT, "devices=2", "train.accumulation_steps=1", "data.batch_size=10");
        Datasets data = SyntheticImages.of(120, 40, 5);
        List<Backend> backends = List.of(new CpuBackend(), new CpuBackend());
        Path run = dir.resolve("two");
        float[] mean0;
        float[] mean1;
        float[] var0;
        EvalMetrics last;
        try (Trainer t = new Trainer(cfg, data, backends, new RunDirectory(run), new TrainListener() { })) {
            t.initialize();
            last = t.run();
            Replica r0 = t.replicaGroup().all().get(0);
            Replica r1 = t.replicaGroup().all().get(1);
            assertTrue(t.replicaDifference().isEmpty(), "the parameters stay identical");
            mean0 = r0.model.read("1.running_mean");
            var0 = r0.model.read("1.running_var");
            mean1 = r1.model.read("1.running_mean");
            assertFalse(java.util.Arrays.equals(mean0, mean1), "each replica tracks its own shard's statistics");
            // Evaluation runs replica 0 (with its running statistics): the same bits as its own evaluation.
            EvalMetrics again = t.evaluate(data.test(), last.epoch());
            assertEquals(last.testLoss(), again.testLoss(), 0.0);
        }
        Path newest = new Checkpoints(run, 1).latest().orElseThrow();
        Map<String, Safetensors.Tensor> saved = Safetensors.read(newest.resolve("model.safetensors"));
        assertArrayEquals(mean0, saved.get("1.running_mean").values(), "the checkpoint holds replica 0's");
        assertArrayEquals(var0, saved.get("1.running_var").values());
        try (Trainer t = new Trainer(cfg, data, List.of(new CpuBackend(), new CpuBackend()), new RunDirectory(run),
                new TrainListener() { })) {
            t.resumeFrom(newest);
            for (Replica r : t.replicaGroup().all()) {
                assertArrayEquals(mean0, r.model.read("1.running_mean"), "resume restores every replica from it");
                assertArrayEquals(var0, r.model.read("1.running_var"));
            }
        }
    }

    @Test
    void eachReplicaNormalisesByItsOwnShardAsDdpWithoutSyncBatchNorm() {
        // Two replicas on the halves of a batch give the running statistics that one replica gets from its half.
        AnnealConfig two = config(BN_DROPOUT, "devices=2", "train.accumulation_steps=1", "data.batch_size=6");
        AnnealConfig one = config(BN_DROPOUT, "train.accumulation_steps=1", "data.batch_size=6");
        Datasets data = SyntheticImages.of(12, 12, 9);
        int[] order = new int[12];
        for (int i = 0; i < 12; i++) {
            order[i] = i;
        }
        try (ReplicaGroup g2 = new ReplicaGroup(List.of(new CpuBackend(), new CpuBackend()), two,
                SyntheticImages.SHAPE, 3);
             ReplicaGroup g1 = new ReplicaGroup(List.of(new CpuBackend()), one, SyntheticImages.SHAPE, 3)) {
            g2.initialize("kaiming", 1);
            g1.initialize("kaiming", 1);
            g2.step(data.train(), order, 0, 0.0, java.util.OptionalDouble.empty());
            g1.step(data.train(), order, 0, 0.0, java.util.OptionalDouble.empty());
            assertArrayEquals(g1.first().model.read("1.running_mean"), g2.first().model.read("1.running_mean"),
                    "replica 0 of two saw the first half, as one replica with batch 6");
            assertArrayEquals(g1.first().model.read("1.running_var"), g2.first().model.read("1.running_var"));
            assertEquals(1, g2.forwards());
        }
    }
}
