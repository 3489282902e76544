package dev.anneal.tune.sweep;

import java.util.List;

/**
 * One trial of a sweep: its number (from 0, the order of the grid or of the draws) and its swept values, one per
 * swept key in the sweep's key order, each the text of {@code --set key=value}.
 */
record Trial(int index, List<String> values) {
    Trial {
        values = List.copyOf(values);
    }

    /** {@code key=value} for each swept key: the trial's {@code --set} assignments. */
    List<String> assignments(List<String> keys) {
        if (keys.size() != values.size()) {
            throw new IllegalArgumentException("trial " + index + " has " + values.size() + " values for "
                    + keys.size() + " keys");
        }
        return java.util.stream.IntStream.range(0, keys.size()).mapToObj(i -> keys.get(i) + "=" + values.get(i))
                .toList();
    }
}
