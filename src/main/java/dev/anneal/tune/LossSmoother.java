package dev.anneal.tune;

/**
 * The bias-corrected exponential moving average of the range test's losses, as fastai ({@code AvgSmoothLoss})
 * and Lightning ({@code _LRCallback}) compute it:
 *
 * <pre>
 * avg_i      = beta * avg_(i-1) + (1 - beta) * loss_i        (avg_(-1) = 0)
 * smoothed_i = avg_i / (1 - beta^(i+1))
 * </pre>
 *
 * The correction makes the first value the first loss and removes the pull towards the initial 0 (Adam's bias
 * correction). {@code beta = 0} gives the raw losses. Default {@code beta = 0.98} as both peers.
 */
public final class LossSmoother {
    private final double beta;
    private double avg;
    private long count;

    /** @param beta the weight of the past, in [0, 1) */
    public LossSmoother(double beta) {
        if (!(beta >= 0 && beta < 1)) {
            throw new IllegalArgumentException("beta must be in [0, 1), got " + beta);
        }
        this.beta = beta;
    }

    /** Adds loss {@code i} and returns {@code smoothed_i}. */
    public double add(double loss) {
        avg = beta * avg + (1 - beta) * loss;
        count++;
        return avg / (1 - Math.pow(beta, count));
    }

    /** {@code smoothed_i} for every loss of {@code losses}. */
    public static double[] smooth(double[] losses, double beta) {
        LossSmoother s = new LossSmoother(beta);
        double[] out = new double[losses.length];
        for (int i = 0; i < losses.length; i++) {
            out[i] = s.add(losses[i]);
        }
        return out;
    }
}
