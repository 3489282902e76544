package dev.anneal.train;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.StepGraph;
import dev.anneal.config.AnnealConfig;
import dev.anneal.data.Batches;
import dev.anneal.data.Dataset;
import dev.anneal.data.Span;
import dev.anneal.model.ModelPlan;
import dev.anneal.model.Sequential;
import dev.anneal.optim.Optimizer;

/**
 * One copy of the model on one backend: parameters, gradients and running statistics ({@link Sequential}), the
 * optimizer with its state,
 * and the device buffers a step reads. Micro-batch {@code m} of a step has its own region of the input buffers
 * (rows {@code [m * batch, (m + 1) * batch)}) so that every upload of a step can happen before its first kernel,
 * which is what lets the step's kernels be captured once and replayed.
 *
 * <p>Statistics buffer: {@code stats[2m]} the loss sum and {@code stats[2m + 1]} the correct count of micro-batch
 * {@code m}, {@code stats[2A]} the squared gradient norm.
 *
 * <p>Host side: two {@link HostBatch}es, one being uploaded for the current step while the other is filled with
 * the next step's rows ({@link #gather}, possibly on {@link BatchPrefetch}'s thread), and a separate buffer for
 * evaluation batches.
 */
final class Replica implements AutoCloseable {
    final Backend backend;
    final Sequential model;
    final Optimizer optimizer;
    private final int d;
    private final int batch;
    private final int accumulation;
    private final FloatArray x;
    private final IntArray labels;
    private final FloatArray stats;
    private final HostBatch[] staged;
    /** The index in {@link #staged} that the next {@link #gather} fills. */
    private int spare;
    private final float[] hostX;
    private final int[] hostLabels;
    private final float[] hostStats;
    private final int[] rows;
    /** Captured steps: {@code gradients} then {@code update}, or the whole step in {@code gradients} alone. */
    StepGraph gradientsGraph;
    StepGraph updateGraph;

    Replica(Backend backend, AnnealConfig config, int[] sampleShape, int classes) {
        this(backend, config, ModelPlans.of(config, sampleShape, classes), Long.MAX_VALUE, 0);
    }

    /**
     * Replica {@code index} of the model {@code plan}, whose evaluation buffers hold
     * {@code min(data.eval_batch_size, evalRows)} rows: evaluating at most {@code evalRows} samples, a larger
     * evaluation batch would only allocate rows never filled (the batches, and so the results, are the same: every
     * set no larger than the batch is one batch).
     */
    Replica(Backend backend, AnnealConfig config, ModelPlan plan, long evalRows, int index) {
        this.backend = backend;
        int d = (int) ModelPlans.features(plan);
        this.d = d;
        this.batch = config.data().batchSize();
        this.accumulation = Math.toIntExact(config.train().accumulationSteps());
        int evalBatch = (int) Math.max(1, Math.min(config.data().evalBatchSize(), evalRows));
        int rowsCapacity = Math.max(batch * accumulation, evalBatch);
        this.staged = new HostBatch[] {new HostBatch(batch, accumulation, d), new HostBatch(batch, accumulation, d)};
        Sequential m = null;
        Optimizer o = null;
        FloatArray xs = null;
        IntArray ls = null;
        try {
            m = new Sequential(backend, plan, batch, Math.max(batch, evalBatch), ModelPlans.dropoutSeed(config),
                    index);
            o = Optimizer.create(config.optimizer(), backend, m.size());
            xs = backend.allocate((long) rowsCapacity * d);
            ls = backend.allocateInts(rowsCapacity);
            this.stats = backend.allocate(2L * accumulation + 1);
        } catch (RuntimeException | Error e) {
            for (AutoCloseable c : new AutoCloseable[] {m, o, xs, ls}) {
                closeQuietly(c, e);
            }
            throw e;
        }
        this.model = m;
        this.optimizer = o;
        this.x = xs;
        this.labels = ls;
        this.hostX = new float[evalBatch * d];
        this.hostLabels = new int[evalBatch];
        this.hostStats = new float[2 * accumulation + 1];
        this.rows = new int[accumulation];
    }

    /**
     * Gathers this replica's shards of step {@code s}'s micro-batches (global micro-batches of
     * {@code batch * replicas} samples, shard {@code r} of each) into the spare host batch. Touches no device
     * buffer, so it may run on another thread while the current step's kernels run.
     */
    void gather(Dataset train, int[] order, int s, int replicas, int r) {
        staged[spare].gather(train, order, s, replicas, r);
    }

    /** Uploads the last gathered host batch, records each micro-batch's row count, and makes the other one spare. */
    void uploadGathered() {
        HostBatch b = staged[spare];
        spare ^= 1;
        System.arraycopy(b.rows, 0, rows, 0, accumulation);
        for (int m = 0; m < accumulation; m++) {
            if (rows[m] > 0) {
                backend.upload(b.x, m * batch * d, x, (long) m * batch * d, rows[m] * d);
                backend.upload(b.labels, m * batch, labels, (long) m * batch, rows[m]);
            }
        }
    }

    /** Whether every micro-batch of the loaded step has {@code batch} rows: the shape a captured graph has. */
    boolean fullStep() {
        for (int r : rows) {
            if (r != batch) {
                return false;
            }
        }
        return true;
    }

    /**
     * Zeroes the gradients and statistics, then accumulates the gradients of the loaded micro-batches, each
     * sample's loss gradient weighted by {@code gradScale} (1 / samples of the global update): one training pass
     * per micro-batch, counted by the model even where this replica's shard is empty, so that every replica's count
     * is the number of micro-batches. Kernels only.
     */
    void gradients(float gradScale) {
        model.zeroGradients();
        backend.fill(stats, 0, stats.length(), 0f);
        for (int m = 0; m < accumulation; m++) {
            if (rows[m] > 0) {
                model.accumulateGradients(new Mat(x, (long) m * batch * d, rows[m], d), labels, (long) m * batch,
                        gradScale, stats, 2L * m);
            } else {
                model.skipForward();
            }
        }
    }

    /**
     * The squared gradient norm into {@code stats[2A]}, the step scalars' skip flag and clip coefficient from it on
     * the device, then the fused optimizer kernel (a no-op when skipped). Kernels only.
     */
    void update(float maxNorm) {
        long size = model.size();
        backend.squaredNorm(model.gradients(), 0, size, stats, 2L * accumulation);
        backend.finalizeStepScalars(stats, 2L * accumulation, maxNorm, optimizer.scalars());
        optimizer.apply(model.parameters(), model.gradients());
    }

    /** Queues the read of the step's statistics {@code [loss sum, correct, ..., squared norm]} behind its kernels. */
    dev.anneal.backend.PendingRead readStatsLater() {
        return backend.readLater(stats, 0, hostStats.length);
    }

    /** The loss sum and correct count of the test samples {@code span} (in index order), read back. */
    float[] evaluate(Dataset test, Span span) {
        int got = Batches.gatherRange(test, span, hostX, hostLabels);
        backend.upload(hostX, 0, x, 0, got * test.d());
        backend.upload(hostLabels, 0, labels, 0, got);
        model.evaluate(new Mat(x, 0, got, test.d()), labels, 0, stats, 0);
        backend.download(stats, 0, hostStats, 0, 2);
        return hostStats;
    }

    /**
     * The same as {@link #evaluate(Dataset, Span)} (the same kernels, so the same bits) and, into
     * {@code predicted[0..rows)}, each sample's predicted class: the first index of its largest logit, the rule the
     * loss kernel counts a correct prediction by.
     */
    float[] evaluate(Dataset test, Span span, int[] predicted) {
        int got = Batches.gatherRange(test, span, hostX, hostLabels);
        backend.upload(hostX, 0, x, 0, got * test.d());
        backend.upload(hostLabels, 0, labels, 0, got);
        Mat logits = model.forward(new Mat(x, 0, got, test.d()), false);
        backend.softmaxCrossEntropy(logits, labels, 0, 0f, null, stats, 0);
        backend.download(stats, 0, hostStats, 0, 2);
        int classes = logits.cols();
        float[] host = new float[got * classes];
        backend.download(logits.data(), logits.offset(), host, 0, host.length);
        for (int i = 0; i < got; i++) {
            float max = Float.NEGATIVE_INFINITY;
            int argmax = 0;
            for (int j = 0; j < classes; j++) {
                if (host[i * classes + j] > max) {
                    max = host[i * classes + j];
                    argmax = j;
                }
            }
            predicted[i] = argmax;
        }
        return hostStats;
    }

    void dropGraphs() {
        if (gradientsGraph != null) {
            gradientsGraph.close();
            gradientsGraph = null;
        }
        if (updateGraph != null) {
            updateGraph.close();
            updateGraph = null;
        }
    }

    @Override
    public void close() {
        dropGraphs();
        model.close();
        optimizer.close();
        x.close();
        labels.close();
        stats.close();
    }

    private static void closeQuietly(AutoCloseable c, Throwable into) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            into.addSuppressed(e);
        }
    }
}
