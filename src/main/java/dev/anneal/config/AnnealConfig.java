package dev.anneal.config;

import dev.anneal.data.DataSpec;
import dev.anneal.model.ModelSpec;
import dev.anneal.optim.LrScaling;
import dev.anneal.optim.OptimizerSpec;
import dev.anneal.schedule.ScheduleConfig;
import dev.anneal.schedule.ScheduleSpec;
import dev.anneal.schedule.ScheduleTypes;
import dev.anneal.schedule.torch.Constant;
import dev.anneal.schedule.torch.Cyclic;
import dev.anneal.schedule.torch.OneCycle;
import dev.anneal.schedule.torch.Plateau;
import dev.anneal.schedule.torch.Sequential;
import dev.anneal.schedule.tf.PiecewiseConstant;
import dev.anneal.spec.SpecException;
import dev.anneal.train.MonitoredMetric;
import dev.anneal.train.TrainSpec;
import java.util.Objects;

/**
 * A whole, validated config: the root of what a YAML file binds to. Each section is an immutable record whose
 * compact constructor holds its defaults; a missing section takes all of them.
 *
 * <p>Data parallelism: {@code devices} replicas each run {@code data.batch_size} samples per micro-batch, so one
 * optimizer update covers the global batch {@code B = data.batch_size x devices x train.accumulation_steps}
 * ({@link #globalBatch}) and the schedule counter advances once per such update. The base rate the schedule
 * scales is {@link #effectiveLr} {@code = optimizer.lr x factor}, the factor given by {@code optimizer.lr_scaling}
 * ({@link LrScaling}: 1, or {@code B / reference_batch} by the linear rule of Goyal et al. 2017). The schedule's
 * step durations divide by {@code devices} only when {@code schedule.scale_with_devices} is on
 * ({@link ScheduleConfig#forDevices}, TensorFlow's {@code DECAY_STEP // num_gpu}); that is checked here, so a
 * duration that would become 0 is reported at its key.
 *
 * @param optimizer {@code optimizer} (required): the optimizer type and its hyperparameters, {@code lr} the base rate
 * @param schedule {@code schedule}: how the rate changes with the update counter; default a constant rate
 * @param model {@code model}: the network
 * @param data {@code data}: the dataset and batch sizes
 * @param train {@code train}: epochs, accumulation, clipping, checkpoints, seed
 * @param device {@code device}: auto | cpu | cuda | cuda:N | cuda:N,M,... (distinct N >= 0), default auto
 * @param devices {@code devices}: data-parallel replicas, one per device, &gt;= 1; default the length of a
 *     {@code device} list, else 1 (see {@link #of})
 * @param lrScaling {@code optimizer.lr_scaling} and {@code optimizer.reference_batch}; default none
 */
public record AnnealConfig(OptimizerSpec optimizer, ScheduleConfig schedule, ModelSpec model, DataSpec data,
                           TrainSpec train, String device, int devices, LrScaling lrScaling) {
    public AnnealConfig {
        Objects.requireNonNull(optimizer, "optimizer");
        schedule = schedule == null ? ScheduleConfig.of(new Constant(null, null)) : schedule;
        model = model == null ? ModelSpec.defaults() : model;
        data = data == null ? DataSpec.defaults() : data;
        train = train == null ? TrainSpec.defaults() : train;
        device = device == null ? "auto" : device;
        lrScaling = lrScaling == null ? LrScaling.NONE : lrScaling;
        Devices.check(device);
        Devices.checkCount(device, devices);
        try {
            train = train.forRun(data.validationSplit() != null);
        } catch (SpecException e) {
            throw e.under("train");
        }
        if (schedule.spec() instanceof Plateau p) {
            boolean wantsMax = MonitoredMetric.higherIsBetter(train.plateauMetric());
            if (wantsMax != p.mode().equals("max")) {
                throw new SpecException("schedule.mode", "is " + p.mode() + " but train.plateau_metric is "
                        + train.plateauMetric() + ", which should be " + (wantsMax ? "maximised: use mode: max"
                        : "minimised: use mode: min") + ", or set train.plateau_metric: "
                        + train.plateauMetric().replaceFirst(wantsMax ? "_accuracy$" : "_loss$",
                        wantsMax ? "_loss" : "_accuracy"));
            }
        }
        if (lrScaling.linear()) {
            String absolute = absoluteRates(schedule.spec(), "schedule.");
            if (absolute != null) {
                throw new SpecException("optimizer.lr_scaling", "linear scales optimizer.lr, but " + absolute
                        + " absolute rates that it would leave unchanged; scale them yourself and use "
                        + "lr_scaling: none");
            }
        }
        try {
            schedule.forDevices(devices);
        } catch (SpecException e) {
            throw e.under("schedule");
        }
    }

    /** The same config with {@code devices} left to its default (the length of a {@code device} list, else 1). */
    public AnnealConfig(OptimizerSpec optimizer, ScheduleConfig schedule, ModelSpec model, DataSpec data,
                        TrainSpec train, String device) {
        this(optimizer, schedule, model, data, train, device, Devices.defaultCount(device), null);
    }

    /** A config whose {@code devices} may be unset (null): it then defaults to the {@code device} list's length. */
    public static AnnealConfig of(OptimizerSpec optimizer, ScheduleConfig schedule, ModelSpec model, DataSpec data,
                                  TrainSpec train, String device, Integer devices, LrScaling lrScaling) {
        int n = devices != null ? devices : Devices.defaultCount(device);
        return new AnnealConfig(optimizer, schedule, model, data, train, device, n, lrScaling);
    }

    /** A config of an optimizer alone, every other section at its defaults. */
    public static AnnealConfig of(OptimizerSpec optimizer, ScheduleConfig schedule) {
        return new AnnealConfig(optimizer, schedule, null, null, null, null);
    }

    /**
     * The samples of one optimizer update over every replica:
     * {@code data.batch_size x devices x train.accumulation_steps}.
     */
    public long globalBatch() {
        return Math.multiplyExact(Math.multiplyExact((long) data.batchSize(), devices), train.accumulationSteps());
    }

    /** The factor {@code optimizer.lr_scaling} puts on {@code optimizer.lr}: 1, or globalBatch / reference_batch. */
    public double lrScalingFactor() {
        return lrScaling.factor(globalBatch());
    }

    /**
     * The base rate {@code lr0} that the schedule scales: {@code optimizer.lr x} {@link #lrScalingFactor} (the
     * linear scaling rule of Goyal et al. 2017, "Accurate, Large Minibatch SGD", when {@code lr_scaling: linear}).
     */
    public double effectiveLr() {
        return optimizer.lr() * lrScalingFactor();
    }

    /** The schedule as it runs on {@link #devices} devices (durations divided when scale_with_devices is on). */
    public ScheduleConfig effectiveSchedule() {
        return schedule.forDevices(devices);
    }

    /**
     * The same config on {@code n} devices, for {@code anneal schedule --devices N}: a {@code device} that names
     * GPUs (a list, or {@code cuda:N} with {@code n > 1}) and does not fit {@code n} becomes {@code cuda}
     * (cuda:0 to cuda:n-1); {@code auto}, {@code cpu} and {@code cuda} stay.
     *
     * @throws SpecException with the full key path when the config is not valid on {@code n} devices
     */
    public AnnealConfig withDevices(int n) {
        String d = device;
        boolean fits = Devices.isList(d) ? Devices.ordinals(d).size() == n : !d.startsWith("cuda:") || n == 1;
        if (!fits) {
            d = "cuda";
        }
        return new AnnealConfig(optimizer, schedule, model, data, train, d, n, lrScaling);
    }

    /**
     * The whole job when {@code processes} processes each run this config's {@code devices} replicas: the same
     * config on {@code devices x processes} replicas, so that {@link #globalBatch}, {@link #effectiveLr} and
     * {@link #effectiveSchedule} count every replica of every process. {@code device} is left out (it names this
     * process's devices only). This config itself for one process.
     *
     * @throws SpecException with the full key path when the config is not valid on that many replicas
     */
    public AnnealConfig acrossProcesses(int processes) {
        if (processes == 1) {
            return this;
        }
        if (processes < 1) {
            throw new IllegalArgumentException("processes must be >= 1, got " + processes);
        }
        return new AnnealConfig(optimizer, schedule, model, data, train, "auto",
                Math.multiplyExact(devices, processes), lrScaling);
    }

    /** Which keys of {@code spec} hold absolute rates that a base-rate factor would not reach, or null. */
    private static String absoluteRates(ScheduleSpec spec, String path) {
        String type = ScheduleTypes.nameOf(spec);
        if (spec instanceof PiecewiseConstant) {
            return path + "values of " + type + " are";
        }
        if (spec instanceof Cyclic) {
            return path + "base_lr and max_lr of " + type + " are";
        }
        if (spec instanceof OneCycle) {
            return path + "max_lr of " + type + " is";
        }
        if (spec instanceof Sequential s) {
            for (int i = 0; i < s.schedules().size(); i++) {
                String child = absoluteRates(s.schedules().get(i), path + "schedules[" + i + "].");
                if (child != null) {
                    return child;
                }
            }
        }
        return null;
    }
}
