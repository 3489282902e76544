package dev.anneal.tune;

/**
 * One update of the range test.
 *
 * @param step the update, 0-based ({@code i} of the {@link Ramp})
 * @param lr the rate that update used
 * @param loss the mean training loss of the update's global batch, computed before the update
 * @param smoothedLoss {@link LossSmoother}'s value after this loss
 * @param testLoss mean loss on the evaluation subset after the update, NaN where not evaluated
 * @param testAccuracy accuracy on the evaluation subset after the update, NaN where not evaluated
 */
public record CurvePoint(long step, double lr, double loss, double smoothedLoss, double testLoss,
                         double testAccuracy) {
    public boolean evaluated() {
        return !Double.isNaN(testAccuracy);
    }
}
