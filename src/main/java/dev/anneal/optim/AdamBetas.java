package dev.anneal.optim;

import dev.anneal.spec.Require;
import dev.anneal.spec.SpecException;
import java.util.List;

/** Validation shared by Adam and AdamW: {@code betas} is a pair, each in [0, 1). */
final class AdamBetas {
    static final List<Double> DEFAULT = List.of(0.9, 0.999);

    private AdamBetas() {
    }

    static List<Double> check(List<Double> betas) {
        List<Double> b = betas == null ? DEFAULT : betas;
        if (b.size() != 2) {
            throw new SpecException("betas", "must be a pair [beta1, beta2], got " + b);
        }
        for (int i = 0; i < 2; i++) {
            Double x = b.get(i);
            if (x == null || !(x >= 0 && x < 1)) {
                throw new SpecException("betas[" + i + "]", "must be in [0, 1), got " + x);
            }
        }
        return List.copyOf(b);
    }

    static void checkRest(Double lr, Double eps, Double weightDecay) {
        Require.nonNegative("lr", lr);
        Require.nonNegative("eps", eps);
        Require.nonNegative("weight_decay", weightDecay);
    }
}
