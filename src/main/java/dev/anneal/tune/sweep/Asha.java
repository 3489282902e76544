package dev.anneal.tune.sweep;

import dev.anneal.spec.BadInput;
import java.util.ArrayList;
import java.util.List;

/**
 * Asynchronous successive halving (ASHA: Li, Jamieson, Rostamizadeh, Gonina, Ben-tzur, Hardt, Recht and
 * Talwalkar, "A System for Massively Parallel Hyperparameter Tuning", MLSys 2020, arXiv:1810.05934), in its
 * stopping form (Ray Tune's ASHAScheduler): a trial is evaluated at rungs of {@code r_k = min_epochs * eta^k}
 * epochs below its {@code train.epochs}; at each rung it goes on only if it is in the top {@code 1/eta} of the
 * results recorded at that rung, its own included: fewer than {@code ceil(n / eta)} of those {@code n} results
 * are strictly better. The first trial to reach a rung therefore always goes on, as with Ray's quantile cutoff.
 *
 * <p>Asynchronous as in the paper (no trial waits for a whole rung to fill), but deterministic: the results that
 * trial {@code i} is compared with are those of trials {@code 0..i} ({@link RungBoard} waits for each earlier
 * trial to pass the rung or to end below it), so the decisions do not depend on timing, on {@code --parallel}
 * or on an interruption and {@code --resume}.
 */
record Asha(long minEpochs, int eta) {
    Asha {
        if (minEpochs < 1) {
            throw new BadInput("--min-epochs must be >= 1 epoch, got " + minEpochs);
        }
        if (eta < 2) {
            throw new BadInput("--eta (ASHA's reduction factor) must be >= 2, got " + eta);
        }
    }

    /** The rungs of a trial of {@code epochs} epochs: {@code min_epochs * eta^k < epochs}, then {@code epochs}. */
    List<Long> rungs(long epochs) {
        List<Long> out = new ArrayList<>();
        for (long r = minEpochs; r < epochs; r = r > Long.MAX_VALUE / eta ? epochs : r * eta) {
            out.add(r);
        }
        out.add(epochs);
        return out;
    }

    /** Whether a trial with {@code own} at a rung goes on, given the {@code recorded} results there (own included). */
    boolean continues(double own, List<Double> recorded, SweepMetric metric) {
        long better = recorded.stream().filter(r -> metric.better(r, own)).count();
        long keep = (recorded.size() + eta - 1) / eta;
        return better < keep;
    }
}
