package dev.anneal.train;

import dev.anneal.config.AnnealConfig;
import dev.anneal.spec.BadInput;

/**
 * The sizes a run multiplies out of its config, checked so that a value too large for the arithmetic is a
 * {@link BadInput} naming the keys rather than an overflow: micro-batches per update, samples per micro-batch over
 * every device, updates in the whole run.
 */
final class RunLength {
    private RunLength() {
    }

    /** {@code train.accumulation_steps} as an int. */
    static int accumulation(AnnealConfig config) {
        long a = config.train().accumulationSteps();
        if (a > Integer.MAX_VALUE) {
            throw new BadInput("train.accumulation_steps = " + a + " is more than " + Integer.MAX_VALUE
                    + " micro-batches per update; lower it");
        }
        return (int) a;
    }

    /** {@code data.batch_size x devices} as an int. */
    static int batchOverDevices(AnnealConfig config, int devices) {
        long b = (long) config.data().batchSize() * devices;
        if (b > Integer.MAX_VALUE) {
            throw new BadInput("data.batch_size " + config.data().batchSize() + " x devices " + devices + " = " + b
                    + " samples per micro-batch is more than " + Integer.MAX_VALUE + "; lower data.batch_size");
        }
        return (int) b;
    }

    /** {@code stepsPerEpoch x train.epochs}. */
    static long totalSteps(AnnealConfig config, long stepsPerEpoch) {
        try {
            return Math.multiplyExact(stepsPerEpoch, config.train().epochs());
        } catch (ArithmeticException e) {
            throw new BadInput("train.epochs = " + config.train().epochs() + " x " + stepsPerEpoch + " updates per "
                    + "epoch is more updates than a run can count (2^63); lower train.epochs");
        }
    }
}
