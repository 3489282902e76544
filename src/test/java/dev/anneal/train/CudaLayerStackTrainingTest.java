package dev.anneal.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.backend.cuda.CudaBackend;
import dev.anneal.backend.cuda.CudaStatus;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.data.Datasets;
import dev.anneal.model.NamedTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A CNN with every layer kind (conv2d, batch_norm2d/1d, relu, max_pool2d, avg_pool2d, dropout, flatten, linear)
 * trained by the {@link Trainer} on CUDA (in CI the emulated driver, so small images and few samples):
 * <ul>
 *   <li>op by op ({@code train.cuda_graph: false}) and replayed as CUDA graphs ({@code true}, {@code auto}) give
 *   the same bits: weights, running statistics, every step's loss;</li>
 *   <li>the CUDA run follows the CPU run's loss curve within {@code 1e-5 + 1e-5 |cpu|} per step (measured: about
 *   1e-7 relative over 18 steps): the same ops in the same order, but not every sum inside them adds in the CPU's
 *   order (the CPU SGEMM's blocking against the CUDA tiles and GemmPlan's split-K, the loss's reduction), so the
 *   bits may differ by float rounding from the first step on, which the training then carries along;</li>
 *   <li>on two devices the replicas keep the same parameters and each keeps its own batch-norm running
 *   statistics, replica 0's being the model's (PyTorch DDP without SyncBatchNorm);</li>
 *   <li>a run interrupted and resumed from its checkpoint ends with the bits of the uninterrupted run: weights,
 *   running statistics and the dropout draws (the device counter of training passes).</li>
 * </ul>
 * The layers feeding batch norm have no bias ({@code bias: false}, as in PyTorch practice): batch norm cancels such
 * a bias, whose gradient is then rounding noise that AdamW scales to steps of {@code +-lr}, so its value and the
 * running mean would follow each backend's rounding instead of the data (CudaCnnTrainCommandTest says more).
 */
@Tag("gpu")
class CudaLayerStackTrainingTest {
    private static final String CNN = """
            optimizer: {type: adamw, lr: 0.01, weight_decay: 0.0001}
            schedule: {type: cosine, t_max: 24, warmup: {steps: 3, start_factor: 0.2}}
            model:
              type: sequential
              init: pytorch
              layers:
                - {type: conv2d, out_channels: 4, kernel_size: 3, padding: 1, bias: false}
                - {type: batch_norm2d, momentum: 0.2}
                - {type: relu}
                - {type: max_pool2d, kernel_size: 2}
                - {type: conv2d, out_channels: 6, kernel_size: 3, padding: 1}
                - {type: relu}
                - {type: avg_pool2d, kernel_size: 2}
                - {type: flatten}
                - {type: dropout, p: 0.25}
                - {type: linear, out_features: 12, bias: false}
                - {type: batch_norm1d}
                - {type: relu}
                - {type: dropout, p: 0.1}
                - {type: linear}
            data: {dataset: npz, path: unused.npz, batch_size: 16, eval_batch_size: 40}
            train: {epochs: 3, seed: 6, clip_grad_norm: 2.0}
            """;

    @TempDir
    Path dir;

    private static AnnealConfig config(String... sets) {
        return LoadedConfig.parse("cnn-cuda.yaml", CNN, List.of(sets)).config();
    }

    /** {@code n} CUDA devices, or a skipped test saying why there are not that many. */
    private static List<Backend> cuda(int n) {
        CudaStatus s = CudaStatus.probe();
        assumeTrue(s.usable(), "no CUDA device: " + s.problem());
        assumeTrue(s.devices().size() >= n, "needs " + n + " CUDA devices, this machine has " + s.devices().size());
        List<Backend> b = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            b.add(CudaBackend.open(i));
        }
        return b;
    }

    private static List<Backend> cpu(int n) {
        List<Backend> b = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            b.add(new CpuBackend());
        }
        return b;
    }

    /** A finished run: its step losses, replica 0's tensors but the counter, the trainer's counts, the last eval. */
    private record Outcome(List<Double> losses, Map<String, float[]> tensors, long replayed, long forwards,
                           EvalMetrics last, Map<String, float[]> replica1) {
    }

    private static Map<String, float[]> tensors(dev.anneal.model.Sequential model) {
        Map<String, float[]> out = new TreeMap<>();
        model.tensors().stream().filter(t -> t.kind() != NamedTensor.Kind.COUNTER)
                .forEach(t -> out.put(t.name(), model.read(t.name())));
        return out;
    }

    private static Outcome train(AnnealConfig cfg, Datasets data, List<Backend> backends, Path runDir, boolean resume,
                                 TrainListener crash) throws IOException {
        LossCurve curve = new LossCurve();
        try (Trainer t = new Trainer(cfg, data, backends, new RunDirectory(runDir), new TrainListener() {
            @Override
            public void stepped(long update, double loss, double lr, double samplesPerSecond) {
                curve.stepped(update, loss, lr, samplesPerSecond);
                crash.stepped(update, loss, lr, samplesPerSecond);
            }
        })) {
            if (resume) {
                t.resumeFrom(new Checkpoints(runDir, 1).latest().orElseThrow());
            } else {
                t.initialize();
            }
            EvalMetrics last = t.run();
            assertEquals(java.util.Optional.empty(), t.replicaDifference(), "replicas hold the same parameters");
            List<Replica> all = t.replicaGroup().all();
            return new Outcome(curve.losses, tensors(t.model()), t.replayedSteps(), t.state().modelForwards(), last,
                    all.size() > 1 ? tensors(all.get(1).model) : Map.of());
        } finally {
            backends.forEach(Backend::close);
        }
    }

    private static Outcome train(AnnealConfig cfg, Datasets data, List<Backend> backends, Path runDir)
            throws IOException {
        return train(cfg, data, backends, runDir, false, new TrainListener() { });
    }

    private static void assertSameBits(Outcome want, Outcome got, String what) {
        assertEquals(want.tensors().keySet(), got.tensors().keySet(), what);
        for (String name : want.tensors().keySet()) {
            assertArrayEquals(want.tensors().get(name), got.tensors().get(name), what + ": " + name);
        }
    }

    /** Per step, {@code |cuda - cpu| <= 1e-5 + 1e-5 |cpu|}; returns the largest relative difference seen. */
    private static double assertFollows(List<Double> cpu, List<Double> cuda, String what) {
        assertEquals(cpu.size(), cuda.size(), what + ": steps");
        double worst = 0;
        for (int i = 0; i < cpu.size(); i++) {
            double want = cpu.get(i);
            double got = cuda.get(i);
            assertTrue(Double.isFinite(want) && want > 0, "cpu loss " + want);
            assertEquals(want, got, 1e-5 + 1e-5 * Math.abs(want), what + ": step " + (i + 1) + ": cpu " + want
                    + ", cuda " + got);
            worst = Math.max(worst, Math.abs(got - want) / want);
        }
        return worst;
    }

    @Test
    void eagerAndGraphedStepsGiveTheSameBitsAndFollowTheCpuRun() throws IOException {
        Datasets data = SyntheticImages.of(96, 40, 11);
        Outcome eager = train(config("train.cuda_graph=false"), data, cuda(1), dir.resolve("eager"));
        Outcome graph = train(config("train.cuda_graph=true"), data, cuda(1), dir.resolve("graph"));
        Outcome auto = train(config("train.cuda_graph=auto"), data, cuda(1), dir.resolve("auto"));
        Outcome cpu = train(config(), data, cpu(1), dir.resolve("cpu"));
        // 96 samples in batches of 16: 6 full steps an epoch, 3 epochs; the first step runs eagerly, the second is
        // captured and replayed, and every later one replays.
        assertEquals(0, eager.replayed());
        assertEquals(17, graph.replayed());
        assertEquals(17, auto.replayed());
        assertEquals(eager.losses(), graph.losses(), "loss per step, graphed");
        assertEquals(eager.losses(), auto.losses(), "loss per step, auto");
        assertSameBits(eager, graph, "cuda_graph true");
        assertSameBits(eager, auto, "cuda_graph auto");
        assertEquals(eager.last().testLoss(), graph.last().testLoss(), 0.0, "evaluation (in chunks of 16 rows)");
        assertEquals(18, eager.forwards());
        assertFalse(java.util.Arrays.equals(eager.tensors().get("1.running_mean"), new float[4]));
        assertFalse(java.util.Arrays.equals(eager.tensors().get("10.running_var"), ones(12)));
        double worst = assertFollows(cpu.losses(), eager.losses(), "cuda vs cpu");
        System.out.printf("[cnn on cuda] step losses within %.2e (relative) of the cpu run's%n", worst);
        assertEquals(cpu.last().testLoss(), eager.last().testLoss(), 1e-5 + 1e-5 * cpu.last().testLoss(),
                "test loss");
        assertTrue(eager.losses().get(17) < eager.losses().get(0), "the run learns: " + eager.losses());
    }

    private static float[] ones(int n) {
        float[] x = new float[n];
        java.util.Arrays.fill(x, 1f);
        return x;
    }

    @ParameterizedTest(name = "cuda_graph {0}")
    @ValueSource(booleans = {false, true})
    void twoDevicesKeepTheReplicasEqualAndReplicaZerosRunningStatistics(boolean graph) throws IOException {
        List<Backend> devices = cuda(2);
        String[] sets = {"devices=2", "data.batch_size=8", "train.cuda_graph=" + graph, "train.checkpoint_every=6",
            "train.check_replicas_every=2"};
        Datasets data = SyntheticImages.of(96, 40, 12);
        Outcome two = train(config(sets), data, devices, dir.resolve("two"));
        Outcome cpu = train(config(sets), data, cpu(2), dir.resolve("cpu"));
        assertEquals(graph ? 17 : 0, two.replayed());
        double worst = assertFollows(cpu.losses(), two.losses(), "two cuda replicas vs two cpu replicas");
        System.out.printf("[cnn on 2 cuda devices, cuda_graph %s] step losses within %.2e (relative) of 2 cpu "
                + "replicas'%n", graph, worst);
        for (String name : List.of("1.running_mean", "1.running_var", "10.running_mean", "10.running_var")) {
            assertFalse(java.util.Arrays.equals(two.tensors().get(name), two.replica1().get(name)),
                    name + ": each replica tracks its own shard's statistics");
        }
        for (String name : two.tensors().keySet()) {
            if (!name.contains("running")) {
                assertArrayEquals(two.tensors().get(name), two.replica1().get(name), name + " is the same everywhere");
            }
        }
        Path newest = new Checkpoints(dir.resolve("two"), 1).latest().orElseThrow();
        assertEquals("step-000000018", newest.getFileName().toString());
        Map<String, Safetensors.Tensor> saved = Safetensors.read(newest.resolve("model.safetensors"));
        assertArrayEquals(two.tensors().get("1.running_mean"), saved.get("1.running_mean").values(),
                "the checkpoint holds replica 0's");
        assertArrayEquals(two.tensors().get("10.running_var"), saved.get("10.running_var").values());
        assertArrayEquals(new long[] {18}, saved.get("1.num_batches_tracked").longs());
    }

    @Test
    void replicaZeroOfTwoNormalisesByItsShardAsOneDeviceWithThatBatch() {
        // One step: replica 0 of two (batch 6 each) saw the first 6 samples, as one replica with batch 6.
        AnnealConfig two = config("devices=2", "data.batch_size=6");
        AnnealConfig one = config("data.batch_size=6");
        Datasets data = SyntheticImages.of(12, 12, 9);
        int[] order = new int[12];
        for (int i = 0; i < 12; i++) {
            order[i] = i;
        }
        List<Backend> devices = cuda(2);
        try (ReplicaGroup g2 = new ReplicaGroup(devices, two, SyntheticImages.SHAPE, 3);
             ReplicaGroup g1 = new ReplicaGroup(List.of(devices.get(0)), one, SyntheticImages.SHAPE, 3)) {
            g2.initialize("pytorch", 1);
            g1.initialize("pytorch", 1);
            g2.step(data.train(), order, 0, 0.0, java.util.OptionalDouble.empty());
            g1.step(data.train(), order, 0, 0.0, java.util.OptionalDouble.empty());
            for (String name : List.of("1.running_mean", "1.running_var", "10.running_mean", "10.running_var")) {
                assertArrayEquals(g1.first().model.read(name), g2.first().model.read(name), name);
                assertFalse(java.util.Arrays.equals(g2.first().model.read(name), g2.all().get(1).model.read(name)),
                        name + ": replica 1 saw the other half");
            }
        } finally {
            devices.forEach(Backend::close);
        }
    }

    @ParameterizedTest(name = "cuda_graph {0}")
    @ValueSource(booleans = {false, true})
    void aRunWithDropoutAndBatchNormResumesBitForBit(boolean graph) throws IOException {
        AnnealConfig cfg = config("train.cuda_graph=" + graph, "train.checkpoint_every=4", "train.accumulation_steps=2",
                "data.batch_size=8");
        Datasets data = SyntheticImages.of(96, 40, 13);
        Outcome whole = train(cfg, data, cuda(1), dir.resolve("whole"));
        Path broken = dir.resolve("broken");
        RuntimeException crash = assertThrows(RuntimeException.class, () -> train(cfg, data, cuda(1), broken, false,
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
        Outcome resumed = train(cfg, data, cuda(1), broken, true, new TrainListener() { });
        assertSameBits(whole, resumed, "resumed");
        // 96 samples in steps of 2 micro-batches of 8: 6 steps of 2 training passes an epoch, 3 epochs.
        assertEquals(36, whole.forwards());
        assertEquals(36, resumed.forwards());
        assertEquals(whole.losses().subList(8, 18), resumed.losses(), "the resumed steps' losses");
        assertEquals(whole.last().testLoss(), resumed.last().testLoss(), 0.0);
        if (graph) {
            assertTrue(resumed.replayed() > 0, "the resumed run replays graphs too");
        }
        byte[] a = Files.readAllBytes(new Checkpoints(dir.resolve("whole"), 1).latest().orElseThrow()
                .resolve("model.safetensors"));
        byte[] b = Files.readAllBytes(new Checkpoints(broken, 1).latest().orElseThrow().resolve("model.safetensors"));
        assertArrayEquals(a, b, "the last checkpoint's model.safetensors");
    }
}
