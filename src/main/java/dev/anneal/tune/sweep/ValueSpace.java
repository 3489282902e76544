package dev.anneal.tune.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.anneal.data.SplitMix64;
import java.util.List;

/**
 * The values one swept key may take: a list (a grid axis, or a random choice) or a range to draw from. Values are
 * YAML nodes, given to the trial as {@code --set key=value} ({@link SetValues}); {@link #text} is the canonical
 * form that {@link SpaceParser} reads back, saved in {@code sweep.yaml}.
 */
sealed interface ValueSpace {
    /** The form {@link SpaceParser#parse} reads back to this space. */
    String text();

    /** Draws one value: uniformly from a list, or from the range's distribution. */
    JsonNode sample(SplitMix64 rng);

    /** A list of values: in a grid every one is tried, in a random search each is equally likely (choice). */
    record ValueList(List<JsonNode> values, String text) implements ValueSpace {
        @Override
        public JsonNode sample(SplitMix64 rng) {
            return values.get((int) rng.nextLong(values.size()));
        }
    }

    /** {@code uniform(a, b)}: {@code a + (b - a) u}, u uniform in [0, 1). */
    record Uniform(double lo, double hi) implements ValueSpace {
        @Override
        public String text() {
            return "uniform(" + lo + ", " + hi + ")";
        }

        @Override
        public JsonNode sample(SplitMix64 rng) {
            return DoubleNode.valueOf(lo + (hi - lo) * rng.nextDouble());
        }
    }

    /**
     * {@code loguniform(a, b)}, {@code 0 < a < b}: {@code exp(ln a + (ln b - ln a) u)}, so every decade is equally
     * likely (scipy.stats.loguniform, W&B's log_uniform_values, Optuna's suggest_float(log=True)).
     */
    record LogUniform(double lo, double hi) implements ValueSpace {
        @Override
        public String text() {
            return "loguniform(" + lo + ", " + hi + ")";
        }

        @Override
        public JsonNode sample(SplitMix64 rng) {
            double a = Math.log(lo);
            return DoubleNode.valueOf(Math.exp(a + (Math.log(hi) - a) * rng.nextDouble()));
        }
    }

    /** {@code int_uniform(a, b)}: an integer from a to b inclusive, each equally likely (W&B's int_uniform). */
    record IntUniform(long lo, long hi) implements ValueSpace {
        @Override
        public String text() {
            return "int_uniform(" + lo + ", " + hi + ")";
        }

        @Override
        public JsonNode sample(SplitMix64 rng) {
            return LongNode.valueOf(lo + rng.nextLong(hi - lo + 1));
        }
    }
}
