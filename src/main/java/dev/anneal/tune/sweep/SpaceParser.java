package dev.anneal.tune.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import dev.anneal.spec.BadInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the values of one swept key, written after {@code --grid KEY=} or {@code --space KEY=} (or as a string
 * in a {@code sweep:} section):
 * <ul>
 *   <li>{@code [v1, v2, ...]}: those values, read as YAML (a single value is a list of one);</li>
 *   <li>{@code linspace(a, b, n)}, {@code logspace(a, b, n)}: n values as NumPy gives them ({@link NumpySpaces});
 *   logspace's ends are exponents of 10, as in NumPy: {@code logspace(-5, 0, 10)} runs from 1e-5 to 1;</li>
 *   <li>{@code choice(v1, v2, ...)}: a list, under its random-search name;</li>
 *   <li>{@code uniform(a, b)}, {@code loguniform(a, b)} ({@code 0 < a}), {@code int_uniform(a, b)}: ranges, random
 *   search only.</li>
 * </ul>
 * Anything else is a {@link BadInput} naming the option and the form expected.
 */
final class SpaceParser {
    private static final Pattern CALL = Pattern.compile("([A-Za-z_]+)\\s*\\((.*)\\)", Pattern.DOTALL);
    /** More values than this in one linspace/logspace is a typo, not a grid axis. */
    static final int MAX_POINTS = 1_000_000;

    private SpaceParser() {
    }

    /**
     * @param text what follows {@code KEY=}
     * @param origin the option or file location, for messages ({@code --grid optimizer.lr=...})
     */
    static ValueSpace parse(String text, String origin) {
        String t = text.strip();
        Matcher call = CALL.matcher(t);
        if (call.matches()) {
            return function(call.group(1).toLowerCase(Locale.ROOT), call.group(2), t, origin);
        }
        JsonNode node = SetValues.read(t);
        if (node == null || node.isMissingNode() || t.isEmpty()) {
            throw new BadInput(origin + ": expected values like [1e-4, 3e-4], logspace(-5, 0, 10), "
                    + "linspace(0.1, 0.9, 9), uniform(a, b), loguniform(a, b), int_uniform(a, b) or choice(a, b)");
        }
        return list(node, t, origin);
    }

    /** Values given as a YAML node: a list, or one value. */
    static ValueSpace list(JsonNode node, String text, String origin) {
        List<JsonNode> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(values::add);
        } else {
            values.add(node);
        }
        if (values.isEmpty()) {
            throw new BadInput(origin + ": the list of values is empty; give at least one value");
        }
        for (JsonNode v : values) {
            if (v.isNull()) {
                throw new BadInput(origin + ": a value is empty (null); write every value of the list");
            }
        }
        return new ValueSpace.ValueList(List.copyOf(values), text);
    }

    private static ValueSpace function(String name, String args, String text, String origin) {
        JsonNode list = SetValues.read("[" + args + "]");
        if (list == null || !list.isArray()) {
            throw new BadInput(origin + ": the arguments of " + name + "(...) are not a comma-separated list of "
                    + "values");
        }
        return switch (name) {
            case "linspace", "logspace" -> points(name, list, text, origin);
            case "choice" -> list(list, text, origin);
            case "uniform" -> {
                double[] r = range(name, list, origin);
                yield new ValueSpace.Uniform(r[0], r[1]);
            }
            case "loguniform", "log_uniform" -> {
                double[] r = range(name, list, origin);
                if (r[0] <= 0) {
                    throw new BadInput(origin + ": loguniform(a, b) needs 0 < a, got a = " + r[0]);
                }
                yield new ValueSpace.LogUniform(r[0], r[1]);
            }
            case "int_uniform" -> intRange(list, origin);
            default -> throw new BadInput(origin + ": unknown function " + name + "(...); use linspace, logspace, "
                    + "choice, uniform, loguniform or int_uniform");
        };
    }

    private static ValueSpace points(String name, JsonNode args, String text, String origin) {
        String usage = name + " takes (start, stop, num), e.g. " + name
                + (name.equals("logspace") ? "(-5, 0, 10) for 1e-5 to 1" : "(0.1, 0.9, 9)");
        if (args.size() != 3 || !args.get(0).isNumber() || !args.get(1).isNumber() || !args.get(2).isIntegralNumber()) {
            throw new BadInput(origin + ": " + usage);
        }
        long num = args.get(2).asLong();
        if (num < 1 || num > MAX_POINTS) {
            throw new BadInput(origin + ": " + name + "'s num must be from 1 to " + MAX_POINTS + ", got " + num);
        }
        double a = args.get(0).asDouble();
        double b = args.get(1).asDouble();
        if (!Double.isFinite(a) || !Double.isFinite(b)) {
            throw new BadInput(origin + ": " + usage);
        }
        double[] v = name.equals("logspace") ? NumpySpaces.logspace(a, b, (int) num)
                : NumpySpaces.linspace(a, b, (int) num);
        List<JsonNode> values = new ArrayList<>();
        for (double x : v) {
            if (!Double.isFinite(x)) {
                throw new BadInput(origin + ": " + name + " gives " + x + "; keep the exponents within +-308");
            }
            values.add(DoubleNode.valueOf(x));
        }
        return new ValueSpace.ValueList(List.copyOf(values), text);
    }

    private static double[] range(String name, JsonNode args, String origin) {
        if (args.size() != 2 || !args.get(0).isNumber() || !args.get(1).isNumber()) {
            throw new BadInput(origin + ": " + name + " takes two numbers (low, high), e.g. " + name + "(1e-4, 1e-1)");
        }
        double a = args.get(0).asDouble();
        double b = args.get(1).asDouble();
        if (!(a < b) || !Double.isFinite(a) || !Double.isFinite(b)) {
            throw new BadInput(origin + ": " + name + "(a, b) needs finite a < b, got (" + a + ", " + b + ")");
        }
        return new double[] {a, b};
    }

    private static ValueSpace intRange(JsonNode args, String origin) {
        if (args.size() != 2 || !args.get(0).isIntegralNumber() || !args.get(1).isIntegralNumber()) {
            throw new BadInput(origin + ": int_uniform takes two integers (low, high), e.g. int_uniform(1, 8)");
        }
        long a = args.get(0).asLong();
        long b = args.get(1).asLong();
        if (a > b || b - a >= Long.MAX_VALUE || b - a < 0) {
            throw new BadInput(origin + ": int_uniform(a, b) needs a <= b (both included), got (" + a + ", " + b + ")");
        }
        return new ValueSpace.IntUniform(a, b);
    }
}
