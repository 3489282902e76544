package dev.anneal.bench;

import dev.anneal.backend.Backend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.data.Batches;
import dev.anneal.data.Dataset;
import dev.anneal.data.EpochOrder;
import dev.anneal.data.Span;
import dev.anneal.train.ReplicaGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The data loader alone against the training step, on a config's own training set.
 *
 * <p>Loader: what the trainer does to feed its steps, on one thread: each epoch's order
 * ({@link EpochOrder#permutation}, as {@code Trainer} draws it) and, for every step of the epoch, the
 * {@link Batches#gather} of each non-empty micro-batch into buffers of {@code batch x accumulation} rows reused for
 * every step (exactly {@code Replica.load} of one replica, without the upload, which belongs to the step). Timed per
 * epoch with {@link System#nanoTime()}; {@code loader samples/s = n / median epoch seconds}. Only
 * {@code Batches.gather}, {@link Dataset#n()}, {@link Dataset#d()} and {@link Dataset#classes()} touch the data, so
 * the bench times whatever storage a dataset has.
 *
 * <p>Step: the trainer's whole data step ({@link ReplicaGroup#step}, one replica: gather, upload, forward, backward,
 * norm, optimizer step, statistics read back) on the same dataset in the same shuffled order, the config's model
 * built for the data's {@code d} and {@code classes}; {@code step samples/s = samples of a full step / median step
 * seconds}. Because the trainer gathers inside its step, the step's time includes the loader's share of it:
 * {@code ratio = loader samples/s / step samples/s}, and {@code 1 / ratio} is the share of the step spent
 * gathering. A ratio below 1 would make the loader the bottleneck.
 */
public final class LoaderBench {
    /**
     * How long to measure.
     *
     * @param warmupEpochs untimed loader epochs first
     * @param epochs at least this many timed loader epochs
     * @param minSeconds and at least this long in timed epochs (tiny datasets take microseconds per epoch); the
     *     warm-up also runs at least a quarter of it
     * @param warmupSteps untimed training steps first
     * @param steps timed training steps (the median is reported)
     */
    public record Settings(int warmupEpochs, int epochs, double minSeconds, int warmupSteps, int steps) {
        public Settings {
            if (warmupEpochs < 0 || epochs < 1 || minSeconds < 0 || warmupSteps < 0 || steps < 1) {
                throw new IllegalArgumentException("need epochs, steps >= 1 and warm-ups, minSeconds >= 0");
            }
        }
    }

    /**
     * The loader's measurement.
     *
     * @param epochs timed epochs
     * @param secondsPerEpoch median seconds per epoch
     * @param samplesPerSecond {@code n / secondsPerEpoch}
     */
    public record Loader(int epochs, double secondsPerEpoch, double samplesPerSecond) {
    }

    /**
     * The training step's measurement.
     *
     * @param steps timed steps
     * @param samplesPerStep samples in each timed step (a full global batch, or the whole set when it is smaller)
     * @param secondsPerStep median seconds per step
     * @param parameters trainable parameters of the model
     */
    public record Step(int steps, int samplesPerStep, double secondsPerStep, long parameters) {
        public double samplesPerSecond() {
            return samplesPerStep / secondsPerStep;
        }
    }

    /**
     * Both, for one dataset.
     *
     * @param n training samples
     * @param d features per sample
     * @param classes classes
     * @param batch {@code data.batch_size}
     * @param accumulation {@code train.accumulation_steps}
     */
    public record Result(int n, int d, int classes, int batch, int accumulation, Loader loader, Step step) {
        /** Loader samples/s over step samples/s: how many times faster the loader delivers than the step consumes. */
        public double ratio() {
            return loader.samplesPerSecond() / step.samplesPerSecond();
        }

        /** The share of a step's time spent gathering its batch: {@code 1 / ratio}. */
        public double loaderShare() {
            return 1 / ratio();
        }
    }

    private LoaderBench() {
    }

    /** The loader, then the step on {@code backend}, both on {@code train} with {@code cfg}'s batch and model. */
    public static Result run(Backend backend, AnnealConfig cfg, Dataset train, Settings settings) {
        int batch = cfg.data().batchSize();
        int accumulation = Math.toIntExact(cfg.train().accumulationSteps());
        long seed = cfg.train().seed();
        Loader loader = loader(train, batch, accumulation, seed, settings);
        Step step = step(backend, cfg, train, settings.warmupSteps(), settings.steps(), StepBench.wallClock(backend));
        return new Result(train.n(), train.d(), train.classes(), batch, accumulation, loader, step);
    }

    /** Times whole loader epochs (order and every step's gathers) on one thread; see the class comment. */
    public static Loader loader(Dataset train, int batch, int accumulation, long seed, Settings settings) {
        int n = train.n();
        int rows = Math.multiplyExact(batch, accumulation);
        float[] x = new float[Math.multiplyExact(rows, train.d())];
        int[] y = new int[rows];
        long epoch = 0;
        long warmEnd = System.nanoTime() + (long) (settings.minSeconds() / 4 * 1e9);
        for (int i = 0; i < settings.warmupEpochs() || System.nanoTime() < warmEnd; i++) {
            epoch(train, EpochOrder.permutation(seed, epoch++, n), batch, accumulation, x, y);
        }
        List<Double> times = new ArrayList<>();
        double total = 0;
        while (times.size() < settings.epochs() || total < settings.minSeconds() && times.size() < 1_000_000) {
            long t0 = System.nanoTime();
            epoch(train, EpochOrder.permutation(seed, epoch++, n), batch, accumulation, x, y);
            double s = (System.nanoTime() - t0) / 1e9;
            times.add(s);
            total += s;
        }
        double median = Sampler.median(times.stream().mapToDouble(Double::doubleValue).toArray());
        return new Loader(times.size(), median, n / median);
    }

    /** One epoch of {@code Replica.load}'s gathers (one replica) into {@code x} and {@code y}; returns rows read. */
    static long epoch(Dataset train, int[] order, int batch, int accumulation, float[] x, int[] y) {
        int n = train.n();
        int d = train.d();
        long rows = 0;
        int steps = Batches.stepsPerEpoch(n, batch, accumulation);
        for (int s = 0; s < steps; s++) {
            int micro = Batches.microBatchesInStep(n, batch, accumulation, s);
            for (int m = 0; m < micro; m++) {
                Span span = Batches.microBatch(n, batch, accumulation, s, m);
                rows += Batches.gather(train, order, span, x, y, m * batch * d, m * batch);
            }
        }
        return rows;
    }

    /**
     * The median of {@code steps} training steps (after {@code warmup}) of {@code cfg}'s model with one replica on
     * {@code backend}, going through the full steps of epoch 0's order and on to later epochs' orders; a set
     * smaller than one global batch repeats its single short step.
     */
    public static Step step(Backend backend, AnnealConfig cfg, Dataset train, int warmup, int steps, OpTimer timer) {
        int n = train.n();
        int batch = cfg.data().batchSize();
        int accumulation = Math.toIntExact(cfg.train().accumulationSteps());
        long seed = cfg.train().seed();
        int full = n / Math.multiplyExact(batch, accumulation);
        int perEpoch = Math.max(1, full);
        int samples = full > 0 ? batch * accumulation : n;
        double lr = cfg.effectiveLr();
        try (ReplicaGroup group = new ReplicaGroup(List.of(backend), cfg, train.shape(), train.classes())) {
            group.initialize(cfg.model().init(), seed);
            int[][] order = {EpochOrder.permutation(seed, 0, n)};
            int[] call = {0};
            double median = Sampler.median(timer, warmup, steps, 1, set -> {
                int c = call[0]++;
                if (c > 0 && c % perEpoch == 0) {
                    order[0] = EpochOrder.permutation(seed, c / perEpoch, n);
                }
                group.step(train, order[0], c % perEpoch, lr, OptionalDouble.empty());
            });
            return new Step(steps, samples, median, group.parameters());
        }
    }
}
