package dev.anneal.train;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.PendingRead;
import dev.anneal.config.AnnealConfig;
import dev.anneal.data.Batches;
import dev.anneal.data.Dataset;
import dev.anneal.distributed.ProcessGroup;
import dev.anneal.model.ModelPlan;
import dev.anneal.parallel.AllReduce;
import dev.anneal.parallel.ReplicaCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * The replicas that train together, one per backend (data parallelism), and the training step they take.
 *
 * <p>A data step of {@code A} micro-batches covers {@code batch x N x A} samples of the epoch's order (the global
 * batch), {@code batch} per device, {@code N} replicas. Each global micro-batch is cut into contiguous shards
 * ({@link Batches#shard}); replica {@code r} accumulates the gradient of its shards, each sample's loss gradient
 * weighted by {@code 1 / (samples of the update)}. The all-reduce then sums the replicas' gradients in replica
 * order, giving every replica the same bits of the gradient of the global mean loss; each replica computes the
 * norm, the clip coefficient and the skip flag from it on its device and applies the same fused optimizer step,
 * so the parameters stay bit-identical across replicas. With one replica this is plain training.
 *
 * <p>Replicas work in parallel, one thread each. With {@code train.cuda_graph} on a backend that captures graphs,
 * the first full-size step runs eagerly (so every lazily sized scratch buffer exists), the second is captured and
 * every later full-size step replays: one graph for the whole step with one replica, two per replica (gradients;
 * norm and update) around the all-reduce with several. A short last step of an epoch runs eagerly.
 *
 * <p>Batch norm across replicas: each replica normalises by the statistics of its own shard of a micro-batch and
 * keeps its own running statistics (PyTorch's {@code DistributedDataParallel} without {@code SyncBatchNorm});
 * replica 0's running statistics are the model's (DDP broadcasts rank 0's buffers): evaluation and checkpoints use
 * them, and a resumed run restores them into every replica. Dropout draws replica {@code r}'s masks from its own
 * streams ({@code layer + 65536 r}). Every replica counts the model's training passes, one per micro-batch
 * ({@link #forwards}).
 *
 * <p>With prefetching ({@link BatchPrefetch}), once a step's batches are uploaded the next step's (same epoch) are
 * gathered on a background thread while the step's kernels run, so the host's copy, conversion and normalisation
 * of rows overlaps the step instead of preceding it.
 */
public final class ReplicaGroup implements AutoCloseable {
    /** A step's outcome: summed loss over its samples, squared gradient norm, samples, whether it was applied. */
    public record StepStats(double lossSum, double normSquared, int samples, boolean applied) {
    }

    private final List<Replica> replicas = new ArrayList<>();
    private final List<Backend> backends;
    private final ProcessGroup group;
    /** Replicas over every process, and the global index of this process's first. */
    private final int totalReplicas;
    private final int firstReplica;
    private final AllReduce allReduce;
    private final ExecutorService pool;
    private final int batch;
    private final int accumulation;
    private final float maxNorm;
    private final boolean graphs;
    private final BatchPrefetch prefetch;
    private InFlight inFlight;
    /** Nanoseconds spent waiting for a step's statistics, so far (see {@link #waitedNanos}). */
    private long waited;
    private boolean warm;
    private long replays;
    /** Training passes of the model so far: {@code accumulation} per data step launched. */
    private long forwards;

    /**
     * One replica per backend of a {@code d}-input, {@code classes}-output model as {@code config} describes it
     * (samples of flat features {@code [d]}); {@code config.devices()} must be the number of backends.
     */
    public ReplicaGroup(List<Backend> backends, AnnealConfig config, int d, int classes) {
        this(backends, config, new int[] {d}, classes, Long.MAX_VALUE, false);
    }

    /** The same for samples of shape {@code sampleShape} ({@code [D]} or {@code [C, H, W]}). */
    public ReplicaGroup(List<Backend> backends, AnnealConfig config, int[] sampleShape, int classes) {
        this(backends, config, sampleShape, classes, Long.MAX_VALUE, false);
    }

    /**
     * The same, evaluating sets of at most {@code evalRows} samples (see {@link Replica}'s buffers), and with
     * {@code prefetch} gathering each next step's batches on a background thread.
     *
     * @throws dev.anneal.spec.BadInput when the config's layers do not fit the data
     */
    public ReplicaGroup(List<Backend> backends, AnnealConfig config, int[] sampleShape, int classes, long evalRows,
                        boolean prefetch) {
        this(backends, config, sampleShape, classes, evalRows, prefetch, ProcessGroup.SINGLE);
    }

    /**
     * The same, as this process's share of a run over the processes of {@code group}: every rank holds
     * {@code backends.size()} replicas, rank {@code k}'s replica {@code l} being replica {@code k L + l} of
     * {@code W L}, which fixes its shard of each global micro-batch, its dropout streams and its place in the
     * gradient sum.
     */
    public ReplicaGroup(List<Backend> backends, AnnealConfig config, int[] sampleShape, int classes, long evalRows,
                        boolean prefetch, ProcessGroup group) {
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("no backend to train on");
        }
        this.backends = List.copyOf(backends);
        this.group = group;
        this.totalReplicas = Math.multiplyExact(backends.size(), group.size());
        this.firstReplica = backends.size() * group.rank();
        this.batch = config.data().batchSize();
        this.accumulation = Math.toIntExact(config.train().accumulationSteps());
        Double clip = config.train().clipGradNorm();
        this.maxNorm = clip == null ? 0f : clip.floatValue();
        this.graphs = config.train().graphs(backends.stream().allMatch(Backend::capturesGraphs));
        AllReduce reduce = null;
        ModelPlan plan = ModelPlans.of(config, sampleShape, classes);
        try {
            for (Backend b : backends) {
                replicas.add(new Replica(b, config, plan, evalRows, firstReplica + replicas.size()));
            }
            reduce = AllReduce.create(this.backends, group,
                    Duration.ofMillis(Math.round(config.train().collectiveTimeout() * 1000)));
        } catch (RuntimeException | Error e) {
            replicas.forEach(Replica::close);
            throw e;
        }
        this.allReduce = reduce;
        this.pool = backends.size() > 1 ? Executors.newFixedThreadPool(backends.size(), r -> {
            Thread t = new Thread(r, "anneal-replica");
            t.setDaemon(true);
            return t;
        }) : null;
        if (graphs) {
            replicas.forEach(r -> r.optimizer.reserveState());
        }
        this.prefetch = prefetch ? new BatchPrefetch() : null;
    }

    public int size() {
        return replicas.size();
    }

    /** Initialises every replica's model from the same seed: the same bits everywhere, no training pass counted. */
    public void initialize(String init, long seed) {
        for (Replica r : replicas) {
            r.model.initialize(init, seed);
        }
        forwards = 0;
    }

    /** Trainable parameters of the model (of each replica). */
    public long parameters() {
        return first().model.size();
    }

    /**
     * The model's training passes so far: {@code train.accumulation_steps} per data step launched (applied or
     * skipped), on every replica alike. It is each replica's device counter (the dropout draw number) and batch
     * norm's {@code num_batches_tracked}; checkpoints save it with the trainer state.
     */
    public long forwards() {
        return forwards;
    }

    /** Sets the count of training passes on the host and in every replica's device counter (a resumed run). */
    void restoreForwards(long n) {
        forwards = n;
        for (Replica r : replicas) {
            r.model.restoreForwards(n);
        }
    }

    /** Replica 0: the one that is evaluated and checkpointed (all hold the same parameters). */
    Replica first() {
        return replicas.get(0);
    }

    List<Replica> all() {
        return replicas;
    }

    /** Whether steps are captured and replayed as CUDA graphs. */
    public boolean capturing() {
        return graphs;
    }

    /** How gradients are summed across replicas, for the run's log. */
    public String allReduceDescription() {
        return allReduce.describe();
    }

    /**
     * Data step {@code s} of the epoch with order {@code order}, at rate {@code lr} (and cycled momentum), run to
     * the end: the update is applied unless the summed gradient is not finite, in which case every buffer is left
     * as it was. {@link #launch} then {@link #drain}; no step may be in flight before.
     */
    public StepStats step(Dataset train, int[] order, int s, double lr, OptionalDouble momentum) {
        if (inFlight != null) {
            throw new IllegalStateException("a step is in flight: drain it first");
        }
        launch(train, order, s, Rates.known(lr, momentum));
        return drain().orElseThrow();
    }

    /**
     * The rate and momentum of a step, for both outcomes of the step in flight before it (which the host does not
     * know yet when it queues this one): if that step is skipped the schedule has not advanced, if it is applied it
     * has. Equal when no step is in flight.
     */
    public record Rates(double lrIfSkipped, OptionalDouble momentumIfSkipped, double lrIfApplied,
                        OptionalDouble momentumIfApplied) {
        /** The rates of a step whose predecessor's outcome is known. */
        public static Rates known(double lr, OptionalDouble momentum) {
            return new Rates(lr, momentum, lr, momentum);
        }
    }

    /** The step in flight: its samples and its statistics being read. */
    private record InFlight(int total, PendingRead[] stats) {
    }

    /**
     * Queues data step {@code s} of the epoch with order {@code order} on every replica and returns the outcome of
     * the step queued before it, if one is in flight: its statistics are read while step {@code s} runs, so the
     * device never waits for the host. The step's scalars are written for both outcomes of the step before it
     * ({@link dev.anneal.optim.Optimizer#prepareSpeculative}) and the device picks the one that holds, so every
     * update is exactly what {@link #step} would have made. Returns empty when no step was in flight.
     */
    public Optional<StepStats> launch(Dataset train, int[] order, int s, Rates rates) {
        int n = train.n();
        int devices = replicas.size();
        int total = Batches.step(n, batch * totalReplicas, accumulation, s).length();
        float gradScale = (float) (1.0 / total);
        if (prefetch == null || !prefetch.take(train, order, s)) {
            parallel(r -> replicas.get(r).gather(train, order, s, totalReplicas, firstReplica + r));
        }
        parallel(r -> replicas.get(r).uploadGathered());
        if (prefetch != null && s + 1 < Batches.stepsPerEpoch(n, batch * totalReplicas, accumulation)) {
            prefetch.start(train, order, s + 1, () -> {
                for (int r = 0; r < devices; r++) {
                    replicas.get(r).gather(train, order, s + 1, totalReplicas, firstReplica + r);
                }
            });
        }
        boolean full = replicas.stream().allMatch(Replica::fullStep);
        forwards += accumulation;
        for (Replica r : replicas) {
            if (inFlight == null) {
                r.optimizer.prepare(rates.lrIfSkipped(), rates.momentumIfSkipped());
            } else {
                r.optimizer.prepareSpeculative(rates.lrIfSkipped(), rates.momentumIfSkipped(), rates.lrIfApplied(),
                        rates.momentumIfApplied());
            }
        }
        if (graphs && full && warm) {
            if (first().gradientsGraph == null) {
                capture(gradScale);
            }
            replay();
        } else {
            eager(gradScale);
            warm |= full;
        }
        PendingRead[] reads = new PendingRead[devices];
        parallel(r -> reads[r] = replicas.get(r).readStatsLater());
        InFlight previous = inFlight;
        inFlight = new InFlight(total, reads);
        return previous == null ? Optional.empty() : Optional.of(resolve(previous));
    }

    /**
     * Nanoseconds the host has spent so far waiting for steps' statistics to be on the host: the part of
     * {@link #launch} and {@link #drain} that is the device's pace, not the host's work.
     */
    public long waitedNanos() {
        return waited;
    }

    /** Whether a step is in flight (launched, its outcome not yet returned). */
    public boolean stepInFlight() {
        return inFlight != null;
    }

    /** Waits for the step in flight, if any, and returns its outcome. */
    public Optional<StepStats> drain() {
        InFlight f = inFlight;
        inFlight = null;
        return f == null ? Optional.empty() : Optional.of(resolve(f));
    }

    /** The outcome of {@code f}, read, and recorded by every replica's optimizer. */
    private StepStats resolve(InFlight f) {
        float[][] stats = new float[f.stats().length][];
        long t0 = System.nanoTime();
        parallel(r -> stats[r] = f.stats()[r].get());
        waited += System.nanoTime() - t0;
        double lossSum = 0;
        for (float[] st : everyReplicasStats(stats)) {
            for (int m = 0; m < accumulation; m++) {
                lossSum += st[2 * m];
            }
        }
        double normSquared = stats[0][2 * accumulation];
        boolean applied = Float.isFinite(stats[0][2 * accumulation]);
        replicas.forEach(r -> r.optimizer.resolve(applied));
        return new StepStats(lossSum, normSquared, f.total(), applied);
    }

    /**
     * The statistics of every replica of every process in global replica order: this process's alone when it is
     * the only one, else gathered from every rank (the loss sums are added in the order one process of all the
     * replicas would add them, so the reported loss has the same bits).
     */
    private List<float[]> everyReplicasStats(float[][] local) {
        if (group.size() == 1) {
            return List.of(local);
        }
        java.nio.ByteBuffer mine = java.nio.ByteBuffer.allocate(4 * local.length * accumulation);
        for (float[] st : local) {
            for (int m = 0; m < accumulation; m++) {
                mine.putFloat(st[2 * m]);
            }
        }
        List<float[]> all = new ArrayList<>();
        for (byte[] rank : group.allGather(mine.array(), "step statistics")) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(rank);
            for (int r = 0; r < local.length; r++) {
                float[] st = new float[2 * accumulation];
                for (int m = 0; m < accumulation; m++) {
                    st[2 * m] = b.getFloat();
                }
                all.add(st);
            }
        }
        return all;
    }

    private void eager(float gradScale) {
        parallel(r -> replicas.get(r).gradients(gradScale));
        sumGradients();
        parallel(r -> replicas.get(r).update(maxNorm));
    }

    private void capture(float gradScale) {
        for (Replica r : replicas) {
            if (totalReplicas == 1) {
                r.gradientsGraph = r.backend.capture(() -> {
                    r.gradients(gradScale);
                    r.update(maxNorm);
                });
            } else {
                r.gradientsGraph = r.backend.capture(() -> r.gradients(gradScale));
                r.updateGraph = r.backend.capture(() -> r.update(maxNorm));
            }
        }
    }

    /** Steps that replayed captured graphs so far. */
    long replays() {
        return replays;
    }

    private void replay() {
        replays++;
        replicas.forEach(r -> r.gradientsGraph.replay());
        if (totalReplicas > 1) {
            sumGradients();
            replicas.forEach(r -> r.updateGraph.replay());
        }
    }

    private void sumGradients() {
        if (totalReplicas > 1) {
            List<FloatArray> grads = replicas.stream().map(r -> r.model.gradients()).toList();
            allReduce.sum(grads, 0, first().model.size());
        }
    }

    /**
     * Empty when every replica's parameters have replica 0's bits; else where they first differ. Over several
     * processes each compares its own replicas, then the ranks compare a checksum of their replica 0's parameter
     * bits ({@link ReplicaCheck#checksum}) with rank 0's (a collective: every rank calls this at the same updates).
     */
    Optional<String> firstDifference() {
        long size = first().model.size();
        Optional<String> local = Optional.empty();
        if (replicas.size() > 1) {
            List<FloatArray> params = replicas.stream().map(r -> r.model.parameters()).toList();
            local = ReplicaCheck.firstDifference(backends, params, 0, size);
        }
        if (group.size() == 1) {
            return local;
        }
        long mine = ReplicaCheck.checksum(first().backend, first().model.parameters(), 0, size);
        byte[][] sums = group.allGather(java.nio.ByteBuffer.allocate(8).putLong(mine).array(), "replica check");
        if (local.isPresent()) {
            return Optional.of("on rank " + group.rank() + ", " + local.get());
        }
        long reference = java.nio.ByteBuffer.wrap(sums[0]).getLong();
        for (int k = 1; k < sums.length; k++) {
            long other = java.nio.ByteBuffer.wrap(sums[k]).getLong();
            if (other != reference) {
                return Optional.of(String.format(java.util.Locale.ROOT, "rank %d's parameters differ from rank 0's "
                        + "(checksum %016x vs %016x)", k, other, reference));
            }
        }
        return Optional.empty();
    }

    /** Runs {@code work} for every replica index, on the replica threads when there are several. */
    private void parallel(IntConsumer work) {
        if (pool == null) {
            work.accept(0);
            return;
        }
        List<Future<?>> done = new ArrayList<>();
        for (int r = 0; r < replicas.size(); r++) {
            int replica = r;
            done.add(pool.submit(() -> work.accept(replica)));
        }
        RuntimeException failure = null;
        for (Future<?> f : done) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure != null ? failure : new IllegalStateException("interrupted while replicas worked", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof Error err) {
                    throw err;
                }
                failure = failure != null ? failure : c instanceof RuntimeException re ? re
                        : new IllegalStateException(c);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() {
        if (prefetch != null) {
            prefetch.close();
        }
        if (pool != null) {
            pool.shutdownNow();
        }
        allReduce.close();
        replicas.forEach(Replica::close);
    }
}
