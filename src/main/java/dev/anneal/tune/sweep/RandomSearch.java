package dev.anneal.tune.sweep;

import java.util.ArrayList;
import java.util.List;

/**
 * Random search (Bergstra and Bengio, "Random Search for Hyper-Parameter Optimization", JMLR 2012): each trial
 * draws every swept key independently from its space. Trial {@code i} draws from its own generator,
 * {@link SplitMix64#forTrial}{@code (seed, i)}, keys in their given order, so a seed always gives the same
 * trials and a longer search with the same seed begins with the trials of a shorter one.
 */
final class RandomSearch {
    private RandomSearch() {
    }

    static List<Trial> trials(List<SweptKey> keys, int count, long seed) {
        List<Trial> out = new ArrayList<>(count);
        for (int t = 0; t < count; t++) {
            SplitMix64 rng = SplitMix64.forTrial(seed, t);
            List<String> values = new ArrayList<>(keys.size());
            for (SweptKey k : keys) {
                values.add(SetValues.text(k.space().sample(rng)));
            }
            out.add(new Trial(t, values));
        }
        return out;
    }
}
