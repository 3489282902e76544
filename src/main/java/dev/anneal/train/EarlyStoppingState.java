package dev.anneal.train;

/**
 * What {@link EarlyStopper} remembers between evaluations (saved in {@code trainer.json} as
 * {@code earlyStopping}).
 *
 * @param best the best metric value so far, null before the first evaluation
 * @param waitCount evaluations since the last improvement
 */
public record EarlyStoppingState(Double best, long waitCount) {
    static final EarlyStoppingState START = new EarlyStoppingState(null, 0);
}
