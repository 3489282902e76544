package dev.anneal.bench;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cuda.CudaBackend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.data.Batches;
import dev.anneal.data.Dataset;
import dev.anneal.data.Datasets;
import dev.anneal.data.EpochOrder;
import dev.anneal.train.ReplicaGroup;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The host side of one eager CUDA training step ({@code ReplicaGroup.step}, {@code train.cuda_graph: false}, one
 * device): gathering the batch, the uploads through pinned staging, the optimizer's scalars, the planner's checks,
 * the ~20 kernel launches through JCuda (argument packing, context, error checks) and the statistics read back.
 * Runs only against the emulated driver with its kernels switched off ({@code ANNEAL_CUDA_EMULATOR_RUN_KERNELS=0}:
 * launches are validated but not executed), so the time is host time: the JVM's, JCuda's and the emulated driver's
 * bookkeeping, which stands in for the real driver's. It says nothing about a GPU (no GPU has been measured).
 *
 * <p>{@code model}: {@code default} is the default job's MLP 784-512-256-10, AdamW, batch 128 (on synthetic data
 * of that shape); {@code tiny} is 16-32-4, batch 32, where the per-launch cost is nearly all there is.
 *
 * <pre>
 * scripts/bench-emulated.sh EagerStepHostBench -f 1 -wi 5 -i 10 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EagerStepHostBench {
    private static final String DEFAULT = """
            optimizer: {type: adamw, lr: 0.001, weight_decay: 0.0001}
            model: {hidden: [512, 256], activation: relu, init: kaiming}
            data: {dataset: synthetic, train_samples: 1024, test_samples: 128, features: 784, classes: 10,
                   batch_size: 128}
            train: {epochs: 1, seed: 0, cuda_graph: false}
            """;
    private static final String TINY = """
            optimizer: {type: adamw, lr: 0.001, weight_decay: 0.0001}
            model: {hidden: [32], activation: relu, init: kaiming}
            data: {dataset: synthetic, train_samples: 256, test_samples: 32, features: 16, classes: 4, batch_size: 32}
            train: {epochs: 1, seed: 0, cuda_graph: false}
            """;

    @Param({"default", "tiny"})
    public String model;

    private Backend backend;
    private ReplicaGroup group;
    private Dataset train;
    private int[] order;
    private int steps;
    private int s;

    @Setup(Level.Trial)
    public void setup() {
        if (!"1".equals(System.getenv("ANNEAL_CUDA_EMULATOR"))
                || !"0".equals(System.getenv("ANNEAL_CUDA_EMULATOR_RUN_KERNELS"))) {
            throw new IllegalStateException("EagerStepHostBench times host work only: run it against the emulated "
                    + "driver with its kernels off (scripts/bench-emulated.sh sets ANNEAL_CUDA_EMULATOR=1 and "
                    + "ANNEAL_CUDA_EMULATOR_RUN_KERNELS=0)");
        }
        AnnealConfig cfg = LoadedConfig.parse("eager-step-bench.yaml", model.equals("tiny") ? TINY : DEFAULT,
                List.of()).config();
        Datasets data = Datasets.load(cfg.data(), cfg.train().seed());
        train = data.train();
        order = EpochOrder.permutation(cfg.train().seed(), 0, train.n());
        steps = Batches.stepsPerEpoch(train.n(), cfg.data().batchSize(), 1);
        backend = CudaBackend.open(0);
        group = new ReplicaGroup(List.of(backend), cfg, train.d(), train.classes());
        group.initialize(cfg.model().init(), cfg.train().seed());
    }

    /** One eager data step (every step of the synthetic epoch is full-size); cycles through the epoch. */
    @Benchmark
    public ReplicaGroup.StepStats eagerStep() {
        ReplicaGroup.StepStats st = group.step(train, order, s, 1e-3, OptionalDouble.empty());
        s = s + 1 == steps ? 0 : s + 1;
        return st;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        group.close();
        backend.close();
    }
}
