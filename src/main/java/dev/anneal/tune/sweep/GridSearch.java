package dev.anneal.tune.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.spec.BadInput;
import java.util.ArrayList;
import java.util.List;

/**
 * Every combination of the swept keys' values (the Cartesian product, like scikit-learn's ParameterGrid), in the
 * order of nested loops with the first key outermost and the last varying fastest ({@code itertools.product}).
 */
final class GridSearch {
    private GridSearch() {
    }

    /** How many trials the grid has; a {@link BadInput} when a key holds a range rather than values. */
    static long size(List<SweptKey> keys) {
        long n = 1;
        for (SweptKey k : keys) {
            n = multiply(n, values(k).size());
        }
        return n;
    }

    static List<Trial> trials(List<SweptKey> keys) {
        int n = Math.toIntExact(size(keys));
        List<Trial> out = new ArrayList<>(n);
        for (int t = 0; t < n; t++) {
            String[] v = new String[keys.size()];
            int rest = t;
            for (int k = keys.size() - 1; k >= 0; k--) {
                List<JsonNode> axis = values(keys.get(k));
                v[k] = SetValues.text(axis.get(rest % axis.size()));
                rest /= axis.size();
            }
            out.add(new Trial(t, List.of(v)));
        }
        return out;
    }

    private static List<JsonNode> values(SweptKey k) {
        if (k.space() instanceof ValueSpace.ValueList list) {
            return list.values();
        }
        throw new BadInput("--grid " + k.key() + "=" + k.space().text() + ": a grid needs values ([v1, v2, ...], "
                + "linspace or logspace); " + k.space().text().replaceAll("\\(.*", "") + " draws values, so use it "
                + "with --random N --space");
    }

    private static long multiply(long a, long b) {
        long r = a * b;
        return (b != 0 && (r / b != a || r < 0)) ? Long.MAX_VALUE : r;
    }
}
