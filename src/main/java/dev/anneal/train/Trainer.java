package dev.anneal.train;

import dev.anneal.backend.Backend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.data.Batches;
import dev.anneal.data.Dataset;
import dev.anneal.data.Datasets;
import dev.anneal.data.EpochOrder;
import dev.anneal.distributed.CollectiveFailure;
import dev.anneal.distributed.ProcessGroup;
import dev.anneal.model.Sequential;
import dev.anneal.optim.Optimizer;
import dev.anneal.schedule.LrDriver;
import dev.anneal.schedule.ScheduleConfig;
import dev.anneal.schedule.torch.OneCycle;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The training loop. One data step takes {@code A = train.accumulation_steps} micro-batches of
 * {@code data.batch_size} samples per device in the epoch's seeded order (the global batch is
 * {@code batch_size x devices x A}); each sample's loss gradient is weighted by {@code 1/N}, N the samples of the
 * step, so the summed gradient is that of the step's mean loss (a short last micro-batch counts by its size). With
 * several devices each replica takes its shard of every micro-batch and the gradients are summed across replicas
 * ({@link ReplicaGroup}). Then the squared gradient norm decides on the device: if it is not finite the update is
 * skipped and the schedule does not advance; otherwise the clip coefficient {@code min(1, clip/(norm + 1e-6))} is
 * fused into the optimizer step, which uses the scheduled rate {@code lr(k)} (and cycled momentum), and {@code k}
 * advances once per global update. Each epoch ends with an evaluation, which a plateau schedule observes, and a
 * checkpoint: on the validation set when {@code data.validation_split} holds one out, the test set then being
 * evaluated once when the run ends (early or not) and added to the last epoch's line; else on the test set.
 *
 * <p>The host does not wait for a step before queuing the next: a step's outcome (loss, skipped or applied) is
 * read while the next step runs ({@link ReplicaGroup#launch}), the next step's scalars having been written for
 * both outcomes; the outcome is then counted, reported and checked as if it had been read at once. Before a
 * checkpoint or replica check that the step in flight may bring due, before each epoch's evaluation, and after
 * every step when {@link #synchronous} (a listener that inspects the model), the step in flight is taken first. The
 * results are the same bits either way.
 *
 * <p>After that evaluation, {@code train.early_stopping} ({@link EarlyStopper}, Keras' {@code EarlyStopping})
 * observes the same metrics (after the plateau schedule) and may end the run before {@code train.epochs}, and
 * {@code train.keep_best} ({@link BestCheckpoint}, Keras' {@code ModelCheckpoint(save_best_only=True)}) writes
 * {@code checkpoints/best/} when the evaluation is the best so far. Both keep their state in {@link TrainerState},
 * so a resumed run decides exactly as an uninterrupted one.
 */
public final class Trainer implements AutoCloseable {
    private final AnnealConfig config;
    private final Datasets data;
    private final ProcessGroup group;
    private final ReplicaGroup replicas;
    private final Backend backend;
    private final RunDirectory run;
    private final TrainListener listener;
    private final Sequential model;
    private final Optimizer optimizer;
    private final LrDriver driver;
    private final long stepsPerEpoch;
    private final long totalSteps;
    private final List<EvalMetrics> history = new ArrayList<>();
    private TrainerState state;
    private volatile boolean stopRequested;
    /** Take each step's outcome before queuing the next ({@link #synchronous()}). */
    private boolean synchronous;
    private boolean checkpointing = true;
    private String stoppedEarly;

    public Trainer(AnnealConfig config, Datasets data, Backend backend, RunDirectory run, TrainListener listener) {
        this(config, data, List.of(backend), run, listener);
    }

    /**
     * A trainer with one replica per backend ({@code config.devices()} of them), replica 0 on
     * {@code backends.get(0)}.
     */
    public Trainer(AnnealConfig config, Datasets data, List<Backend> backends, RunDirectory run,
                   TrainListener listener) {
        this(config, data, backends, run, listener, ProcessGroup.SINGLE);
    }

    /**
     * This process's part of a run over the processes of {@code group}, each with {@code config.devices()}
     * replicas: the global batch, the linear rate scaling and {@code schedule.scale_with_devices} count every
     * replica of every process ({@link AnnealConfig#acrossProcesses}). Every rank trains, evaluates and decides
     * alike; only rank 0 writes the run directory (metrics, plots, checkpoints) and evaluates, sending the results
     * to the others.
     */
    public Trainer(AnnealConfig config, Datasets data, List<Backend> backends, RunDirectory run,
                   TrainListener listener, ProcessGroup group) {
        if (backends.size() != config.devices()) {
            throw new IllegalArgumentException(backends.size() + " backends for devices: " + config.devices());
        }
        this.config = config;
        this.data = data;
        this.group = group;
        this.run = run;
        this.listener = listener;
        Dataset train = data.train();
        AnnealConfig job = config.acrossProcesses(group.size());
        int devices = job.devices();
        int accumulation = RunLength.accumulation(config);
        this.stepsPerEpoch = Batches.stepsPerEpoch(train.n(), RunLength.batchOverDevices(config, devices),
                accumulation);
        this.totalSteps = RunLength.totalSteps(config, stepsPerEpoch);
        this.driver = LrDriver.create(config.schedule(), job.effectiveLr(), devices, stepsPerEpoch);
        checkScheduleCoversRun();
        long evalRows = Math.max(data.monitored().n(), data.test() == null ? 0 : data.test().n());
        this.replicas = new ReplicaGroup(backends, config, train.shape(), train.classes(), evalRows, true, group);
        this.state = TrainerState.start().withReplicas(devices);
        this.backend = replicas.first().backend;
        this.model = replicas.first().model;
        this.optimizer = replicas.first().optimizer;
    }

    private void checkScheduleCoversRun() {
        ScheduleConfig schedule = config.effectiveSchedule();
        if (schedule.spec() instanceof OneCycle oc) {
            long last = oc.lastStep() + (schedule.warmup() == null ? 0 : schedule.warmup().length());
            if (totalSteps > last + 1) {
                throw new BadInput("schedule.total_steps = " + oc.totalSteps() + " is shorter than the run's "
                        + totalSteps + " updates (" + config.train().epochs() + " epochs x " + stepsPerEpoch
                        + "); raise schedule.total_steps or lower train.epochs");
            }
        }
    }

    private Checkpoints checkpointsOverride;

    /** Tests substitute a checkpoint writer that fails on purpose. */
    void checkpointsForTest(Checkpoints c) {
        this.checkpointsOverride = c;
    }

    /** Replica 0's model: the one evaluated and checkpointed. */
    public Sequential model() {
        return model;
    }

    /**
     * Asks {@link #run} to stop after the current data step (a listener may call it from {@code stepped} or
     * {@code skipped}): the run then ends without the epoch-end evaluation, checkpoint and plots, and returns an
     * evaluation of the current weights on the test set. A throwaway run such as {@code anneal lr-find} uses it.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Takes each step's outcome before the next step is queued, as a listener that inspects the model after every
     * step needs ({@code anneal lr-find} evaluates it); the default reads a step's outcome while the next one runs.
     * The results are the same bits either way. Call before {@link #run}.
     */
    public void synchronous() {
        synchronous = true;
    }

    /** Whether {@link #requestStop} was called. */
    public boolean stopRequested() {
        return stopRequested;
    }

    /** Writes no checkpoints (a throwaway run: {@code anneal lr-find}); call before {@link #run}. */
    public void disableCheckpoints() {
        checkpointing = false;
    }

    public long stepsPerEpoch() {
        return stepsPerEpoch;
    }

    public long totalSteps() {
        return totalSteps;
    }

    /** Why the run ended before {@code train.epochs} ({@code train.early_stopping}), or empty. */
    public java.util.Optional<String> stoppedEarly() {
        return java.util.Optional.ofNullable(stoppedEarly);
    }

    public TrainerState state() {
        return state;
    }

    public List<EvalMetrics> history() {
        return List.copyOf(history);
    }

    /** Initialises the model from the seed: a fresh run. */
    public void initialize() {
        replicas.initialize(config.model().init(), config.train().seed());
    }

    /**
     * Empty when every replica's parameters have replica 0's bits (always, with one device); else where they first
     * differ. The run checks this itself at each epoch's end and every {@code train.check_replicas_every} updates.
     */
    public java.util.Optional<String> replicaDifference() {
        return replicas.firstDifference();
    }

    /** The replicas, for tests. */
    ReplicaGroup replicaGroup() {
        return replicas;
    }

    /** Data steps run by replaying a captured CUDA graph ({@code train.cuda_graph}) so far in this process. */
    public long replayedSteps() {
        return replicas.replays();
    }

    /** How the replicas' gradients are summed ({@code null} with one device), and whether steps replay a graph. */
    public String parallelism() {
        int devices = replicas.size() * group.size();
        String where = group.size() > 1 ? " (" + replicas.size() + " in each of " + group.size() + " processes)" : "";
        return (devices > 1 ? devices + " replicas" + where + ", gradients summed " + replicas.allReduceDescription()
                : "1 replica") + (replicas.capturing() ? "; steps replayed as CUDA graphs" : "");
    }

    /** Continues from a checkpoint directory: {@link #resumeFrom(SavedCheckpoint)} of what it holds. */
    public void resumeFrom(Path checkpoint) throws IOException {
        resumeFrom(SavedCheckpoint.read(checkpoint));
    }

    /**
     * Continues from a checkpoint: weights, optimizer state, schedule and data position, metrics so far. Everything
     * is checked first (the checkpoint against this config's model, optimizer, schedule and data position, and the
     * run's {@code metrics.jsonl}); a mismatch is a {@link BadInput} and leaves the trainer as it was.
     */
    public void resumeFrom(SavedCheckpoint checkpoint) throws IOException {
        checkpoint.checkFits(model, optimizer);
        ResumePosition.check(checkpoint, config, stepsPerEpoch, driver.metricDriven(), state.replicas(),
                group.size());
        List<EvalMetrics> earlier = run.readMetrics();
        TrainerState saved = checkpoint.state();
        for (Replica r : replicas.all()) {
            checkpoint.restore(r.model, r.optimizer, r.backend);
        }
        replicas.restoreForwards(saved.modelForwards());
        state = saved.withReplicas(state.replicas());
        if (state.plateau() != null) {
            driver.restorePlateau(state.plateau());
        }
        for (EvalMetrics m : earlier) {
            if (m.step() <= state.updates()) {
                history.add(m);
            }
        }
    }

    /** Trains until the configured epochs are done; returns the last evaluation. */
    public EvalMetrics run() throws IOException {
        Checkpoints checkpoints = checkpointsOverride != null ? checkpointsOverride
                : new Checkpoints(run.path(), config.train().keepCheckpoints());
        listener.started(state.updates(), totalSteps, stepsPerEpoch, data.description());
        Dataset train = data.train();
        long epochs = config.train().epochs();
        EarlyStopper stopper = config.train().earlyStopping() == null ? null
                : new EarlyStopper(config.train().earlyStopping());
        BestCheckpoint best = config.train().keepBest() ? new BestCheckpoint(config.train().bestMetric()) : null;
        for (long epoch = state.epoch(); epoch < epochs; epoch++) {
            if (stopper != null && stopper.exhausted(state.earlyStopping())) {
                stoppedEarly = stopper.reason(state.earlyStopping(), epoch);
                break;
            }
            int[] order = EpochOrder.permutation(config.train().seed(), epoch, train.n());
            long last = System.nanoTime();
            for (long s = state.stepInEpoch(); s < stepsPerEpoch; s++) {
                if (replicas.stepInFlight() && (synchronous || mayCheckpointAfterInFlight())) {
                    last = process(replicas.drain().orElseThrow(), epoch, last, checkpoints);
                    if (stopRequested) {
                        return stopNow();
                    }
                }
                long k = state.updates();
                ReplicaGroup.Rates rates = replicas.stepInFlight()
                        ? new ReplicaGroup.Rates(driver.lr(k), driver.momentum(k), driver.lr(k + 1),
                                driver.momentum(k + 1))
                        : ReplicaGroup.Rates.known(driver.lr(k), driver.momentum(k));
                var previous = replicas.launch(train, order, (int) s, rates);
                if (previous.isPresent()) {
                    last = process(previous.get(), epoch, last, checkpoints);
                }
                if (synchronous || stopRequested) {
                    Optional<ReplicaGroup.StepStats> now = replicas.drain();
                    if (now.isPresent()) {
                        last = process(now.get(), epoch, last, checkpoints);
                    }
                    if (stopRequested) {
                        return stopNow();
                    }
                }
            }
            Optional<ReplicaGroup.StepStats> tail = replicas.drain();
            if (tail.isPresent()) {
                process(tail.get(), epoch, last, checkpoints);
                if (stopRequested) {
                    return stopNow();
                }
            }
            checkReplicas();
            EvalMetrics m = evaluateEpoch(epoch + 1);
            history.add(m);
            if (group.writes()) {
                run.writeMetrics(history);
            }
            listener.evaluated(m);
            if (driver.metricDriven()) {
                double metric = MonitoredMetric.of(config.train().plateauMetric(), m);
                driver.observe(state.updates(), metric);
            }
            boolean bestNow = best != null && best.improves(m, state.bestKept());
            state = new TrainerState(state.updates(), epoch + 1, 0, optimizer.momentumStarted(), state.skippedInARow(),
                    state.skippedTotal(), plateauState(), 0, 0, 0,
                    stopper == null ? null : stopper.observe(state.earlyStopping(), m),
                    bestNow ? Double.valueOf(best.value(m)) : state.bestKept(), state.modelForwards(),
                    state.replicas());
            if (checkpointing && bestNow && group.writes()) {
                listener.checkpointed(checkpoints.saveBest(state, model, optimizer, backend));
            }
            if (checkpointing && group.writes()) {
                listener.checkpointed(checkpoints.save(state, model, optimizer, backend));
            }
        }
        EvalMetrics last = history.isEmpty() ? evaluateEpoch(epochs) : history.get(history.size() - 1);
        if (data.validating() && data.test() != null && !last.tested()) {
            last = withTest(last);
            if (!history.isEmpty()) {
                history.set(history.size() - 1, last);
                if (group.writes()) {
                    run.writeMetrics(history);
                }
            }
        }
        if (group.writes()) {
            run.writePlots(history, driver, state.updates());
        }
        listener.finished(last);
        return last;
    }

    /**
     * Whether the step in flight, if it is applied, brings the update count to a checkpoint
     * ({@code train.checkpoint_every}) or a replica check ({@code train.check_replicas_every}): then its outcome is
     * taken before the next step is queued, so the checkpoint holds exactly the weights after it.
     */
    private boolean mayCheckpointAfterInFlight() {
        long next = state.updates() + 1;
        long every = config.train().checkpointEvery();
        long check = config.train().checkReplicasEvery();
        return checkpointing && every > 0 && next % every == 0 || check > 0 && next % check == 0;
    }

    /**
     * Takes the outcome of data step {@code state.stepInEpoch()} of {@code epoch}, read back after the next step was
     * queued (or after the step itself when nothing followed it): the update count or the skip count, the epoch's
     * loss and time, the listener, and the checkpoint or replica check that falls due. Returns the time it was taken.
     */
    private long process(ReplicaGroup.StepStats st, long epoch, long since, Checkpoints checkpoints)
            throws IOException {
        long now = System.nanoTime();
        double seconds = (now - since) * 1e-9;
        long s = state.stepInEpoch();
        long updates = state.updates() + (st.applied() ? 1 : 0);
        long inARow = st.applied() ? 0 : state.skippedInARow() + 1;
        if (!st.applied()) {
            String why = "the gradient norm is not finite" + (Double.isFinite(st.lossSum()) ? ""
                    : " (the loss is " + st.lossSum() + ")");
            listener.skipped(updates, inARow, why);
            if (inARow >= config.train().maxSkippedSteps()) {
                throw new TrainingStopped("stopped after " + inARow + " updates in a row with non-finite "
                        + "gradients (at update " + updates + ", epoch " + (epoch + 1) + "): lower "
                        + "optimizer.lr, set train.clip_grad_norm, or check the data");
            }
        }
        double loss = st.applied() ? st.lossSum() / st.samples() : 0;
        int samples = st.samples();
        state = new TrainerState(updates, epoch, s + 1, optimizer.momentumStarted(), inARow,
                state.skippedTotal() + (st.applied() ? 0 : 1), plateauState(), state.epochLossSum() + loss * samples,
                state.epochSamples() + samples, state.epochSeconds() + seconds, state.earlyStopping(),
                state.bestKept(), state.modelForwards() + config.train().accumulationSteps(), state.replicas());
        listener.stepped(state.updates(), loss, driver.lr(Math.max(0, state.updates() - 1)),
                samples / Math.max(seconds, 1e-9));
        if (stopRequested) {
            return now;
        }
        long every = config.train().checkpointEvery();
        if (checkpointing && every > 0 && st.applied() && state.updates() % every == 0
                && s + 1 < stepsPerEpoch && group.writes()) {
            listener.checkpointed(checkpoints.save(state, model, optimizer, backend));
        }
        long check = config.train().checkReplicasEvery();
        if (check > 0 && st.applied() && state.updates() % check == 0) {
            checkReplicas();
        }
        return now;
    }

    /** Stops the run when a replica's parameters are no longer replica 0's bits (a bug, never expected). */
    private void checkReplicas() {
        replicas.firstDifference().ifPresent(d -> {
            throw new IllegalStateException("data-parallel replicas diverged after update " + state.updates() + ": "
                    + d);
        });
    }

    /** The end of a run stopped by {@link #requestStop}: the current weights evaluated, nothing written. */
    private EvalMetrics stopNow() {
        EvalMetrics now = evaluateEpoch(state.epoch());
        listener.finished(now);
        return now;
    }

    /**
     * The evaluation after an epoch: the validation set's loss and accuracy when there is one, else the test
     * set's.
     */
    EvalMetrics evaluateEpoch(long epoch) {
        EvalMetrics m = evaluate(data.monitored(), epoch);
        if (!data.validating()) {
            return m;
        }
        return new EvalMetrics(m.epoch(), m.step(), m.lr(), m.trainLoss(), m.testLoss(), m.testAccuracy(), null,
                null, m.samplesPerSecond(), m.skippedSteps());
    }

    /** {@code last} with the test set's loss and accuracy of the current weights. */
    private EvalMetrics withTest(EvalMetrics last) {
        EvalMetrics t = evaluate(data.test(), last.epoch());
        return last.withTest(t.testLoss(), t.testAccuracy());
    }

    /**
     * Mean loss and accuracy of the current weights over {@code test} (any dataset of the model's shape, such as
     * a fixed subset of the test set), in batches of {@code data.eval_batch_size}; the training state is not
     * changed. {@code epoch} is the number of finished epochs.
     */
    public EvalMetrics evaluate(Dataset test, long epoch) {
        int evalBatch = config.data().evalBatchSize();
        double lossSum = 0;
        double correct = 0;
        if (group.rank() == 0) {
            for (int e = 0; e < Batches.evalBatches(test.n(), evalBatch); e++) {
                float[] st = replicas.first().evaluate(test, Batches.evalBatch(test.n(), evalBatch, e));
                lossSum += st[0];
                correct += st[1];
            }
        }
        if (group.size() > 1) {
            // Rank 0 evaluated (replica 0 holds the model's batch-norm statistics); the others take its sums, so
            // that a plateau schedule or early stopping decides alike on every rank.
            byte[] mine = java.nio.ByteBuffer.allocate(16).putDouble(lossSum).putDouble(correct).array();
            java.nio.ByteBuffer sums;
            try {
                sums = java.nio.ByteBuffer.wrap(group.broadcast(mine, "evaluation"));
            } catch (CollectiveFailure e) {
                throw new CollectiveFailure(e.getMessage() + " (rank 0 evaluates alone while the others wait: "
                        + "train.collective_timeout must be longer than an evaluation)", e);
            }
            lossSum = sums.getDouble();
            correct = sums.getDouble();
        }
        double trainLoss = state.epochSamples() == 0 ? Double.NaN : state.epochLossSum() / state.epochSamples();
        double sps = state.epochSeconds() == 0 ? 0 : state.epochSamples() / state.epochSeconds();
        return new EvalMetrics(epoch, state.updates(), driver.lr(state.updates()), trainLoss, lossSum / test.n(),
                correct / test.n(), sps, state.skippedTotal());
    }

    private dev.anneal.schedule.torch.PlateauController.State plateauState() {
        return driver.plateauState().orElse(null);
    }

    @Override
    public void close() {
        replicas.close();
    }
}
