package dev.anneal.bench;

import dev.anneal.backend.Backend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.ModelShapes;
import dev.anneal.data.DataSpec;
import dev.anneal.data.Datasets;
import dev.anneal.data.Dataset;
import dev.anneal.train.ReplicaGroup;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Training-step throughput: the config's model at its batch size on a random batch of the config's sample shape
 * and classes (random values; the user's own files are read once for their shape only): the trainer's whole data
 * step, timed from issue to completion.
 */
public final class StepBench {
    /**
     * @param inputs features per sample
     * @param classes output classes
     * @param batch samples per step
     * @param parameters trainable parameters
     * @param steps timed steps
     * @param secondsPerStep median seconds per step
     * @param hostSecondsPerStep median seconds the host spends queuing one step while the step before it runs, the
     *     wait for that step's statistics excluded: the host's own cost per step, which bounds the step rate when
     *     the device is faster (on the CPU backend, which runs every op as it is queued, the whole step)
     */
    public record Result(int inputs, int classes, int batch, long parameters, int steps, double secondsPerStep,
                         double hostSecondsPerStep) {
        public double samplesPerSecond() {
            return batch / secondsPerStep;
        }
    }

    /**
     * The input the bench feeds the model: the shape of one sample ({@code [D]} features or PyTorch's
     * {@code [C, H, W]} of images) and the classes.
     */
    record Input(int[] sample, int classes) {
        /** Features per sample: the product of the sample shape. */
        int features() {
            int d = 1;
            for (int s : sample) {
                d = Math.multiplyExact(d, s);
            }
            return d;
        }
    }

    private StepBench() {
    }

    /**
     * The sample shape and classes of the config's data: what the config tells before any file is read (synthetic
     * {@code [data.features]} in {@code data.classes}, the IDX datasets' {@code [1, 28, 28]} in 10), and for the
     * user's own files ({@code npz}, {@code npy}, {@code csv}, {@code image_folder}) the shape of the data as it
     * loads (read once for that: an image array or folder gives {@code [C, H, W]}, which a convolution needs).
     */
    static Input input(AnnealConfig cfg) {
        DataSpec data = cfg.data();
        if (DataSpec.isOwnFiles(data.dataset())) {
            Dataset train = Datasets.load(data, 0).train();
            return new Input(train.shape(), train.classes());
        }
        int[] known = ModelShapes.knownShape(cfg).orElseThrow(() -> new IllegalStateException("no known sample "
                + "shape for dataset " + data.dataset()));
        return new Input(known, ModelShapes.knownClasses(cfg));
    }

    /** {@link #run(List, AnnealConfig, int, int, OpTimer)} on one backend. */
    public static Result run(Backend backend, AnnealConfig cfg, int warmup, int steps, OpTimer timer) {
        return run(List.of(backend), cfg, warmup, steps, timer);
    }

    /**
     * The trainer's data step ({@link ReplicaGroup}) with one replica per backend: each replica gathers and uploads
     * its shard of a random global batch of {@code batch_size x replicas x accumulation_steps} samples, runs
     * forward and backward, the gradients are summed across replicas, and every replica applies the optimizer step
     * (CUDA graphs when the config asks for them); timed until the step's statistics are back on the host.
     */
    public static Result run(List<Backend> backends, AnnealConfig cfg, int warmup, int steps, OpTimer timer) {
        Input input = input(cfg);
        int d = input.features();
        int classes = input.classes();
        int global = Math.toIntExact(cfg.data().batchSize() * (long) backends.size()
                * cfg.train().accumulationSteps());
        long seed = cfg.train().seed();
        float[] features = new float[global * d];
        int[] labels = new int[global];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < global; i++) {
            labels[i] = rnd.nextInt(classes);
        }
        Dataset data = new Dataset(features, labels, d, classes).withShape(input.sample());
        int[] order = new int[global];
        for (int i = 0; i < global; i++) {
            order[i] = i;
        }
        double lr = cfg.effectiveLr();
        try (ReplicaGroup group = new ReplicaGroup(backends, cfg, input.sample(), classes)) {
            group.initialize(cfg.model().init(), seed);
            double median = Sampler.median(timer, warmup, steps, 1,
                    s -> group.step(data, order, 0, lr, OptionalDouble.empty()));
            return new Result(d, classes, global, group.parameters(), steps, median,
                    hostSeconds(group, data, order, lr, warmup, steps));
        }
    }

    /**
     * The median host seconds of queuing a step while the previous one is in flight ({@link ReplicaGroup#launch}),
     * less the time it waited for the previous step's statistics.
     */
    private static double hostSeconds(ReplicaGroup group, Dataset data, int[] order, double lr, int warmup,
                                      int steps) {
        ReplicaGroup.Rates rates = ReplicaGroup.Rates.known(lr, OptionalDouble.empty());
        for (int i = 0; i < warmup; i++) {
            group.launch(data, order, 0, rates);
        }
        double[] host = new double[steps];
        for (int i = 0; i < steps; i++) {
            long waited = group.waitedNanos();
            long t0 = System.nanoTime();
            group.launch(data, order, 0, rates);
            host[i] = (System.nanoTime() - t0 - (group.waitedNanos() - waited)) * 1e-9;
        }
        group.drain();
        java.util.Arrays.sort(host);
        return host[steps / 2];
    }

    /** Wall-clock seconds of one call including {@code backend.synchronize()}: valid on any backend. */
    public static OpTimer wallClock(Backend backend) {
        return op -> {
            long t0 = System.nanoTime();
            op.run();
            backend.synchronize();
            return (System.nanoTime() - t0) / 1e9;
        };
    }
}
