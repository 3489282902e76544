package dev.anneal.tune.sweep;

import dev.anneal.data.SplitMix64;
import java.util.ArrayList;
import java.util.List;

/**
 * Random search (Bergstra and Bengio, "Random Search for Hyper-Parameter Optimization", JMLR 2012): each trial
 * draws every swept key independently from its space. Trial {@code i} draws from its own generator,
 * {@link #forTrial}{@code (seed, i)}, keys in their given order, so a seed always gives the same
 * trials and a longer search with the same seed begins with the trials of a shorter one. The generator is
 * SplitMix64 ({@link SplitMix64}), written out so that a seed gives the same trials on every JVM and release.
 */
final class RandomSearch {
    private RandomSearch() {
    }

    static List<Trial> trials(List<SweptKey> keys, int count, long seed) {
        List<Trial> out = new ArrayList<>(count);
        for (int t = 0; t < count; t++) {
            SplitMix64 rng = forTrial(seed, t);
            List<String> values = new ArrayList<>(keys.size());
            for (SweptKey k : keys) {
                values.add(SetValues.text(k.space().sample(rng)));
            }
            out.add(new Trial(t, values));
        }
        return out;
    }

    /** The generator of trial {@code trial} of a search seeded with {@code seed}: independent of other trials. */
    static SplitMix64 forTrial(long seed, int trial) {
        return new SplitMix64(new SplitMix64(seed ^ 0x5357_4545_5053_4545L).nextLong()
                + trial * 0x9E37_79B9_7F4A_7C15L);
    }
}
