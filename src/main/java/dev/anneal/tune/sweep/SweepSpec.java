package dev.anneal.tune.sweep;

import java.util.List;

/**
 * What a sweep tries and how it ranks: the method ({@code grid} or {@code random}), the swept keys and their
 * values, the number of random trials and their seed, the metric and its goal, ASHA early stopping (null for
 * none) and the {@code --set} overrides every trial shares ({@code fixed}, applied before the swept values).
 */
record SweepSpec(String method, List<SweptKey> keys, int count, long seed, SweepMetric metric, Asha asha,
                        List<String> fixed) {
    static final String GRID = "grid";
    static final String RANDOM = "random";

    SweepSpec {
        keys = List.copyOf(keys);
        fixed = List.copyOf(fixed);
    }

    List<String> keyNames() {
        return keys.stream().map(SweptKey::key).toList();
    }

    /** The grid's size, or the random search's count. */
    long size() {
        return method.equals(GRID) ? GridSearch.size(keys) : count;
    }

    List<Trial> trials() {
        return method.equals(GRID) ? GridSearch.trials(keys) : RandomSearch.trials(keys, count, seed);
    }
}
