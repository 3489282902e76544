package dev.anneal.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.spec.SpecException;
import java.util.List;

/**
 * A pair of sizes along height and width, written in a config as one whole number for both ({@code 3}) or as
 * {@code [h, w]} ({@code [3, 5]}), PyTorch's {@code int or tuple} for {@code kernel_size}, {@code stride} and
 * {@code padding}. Written back as it was given.
 */
public final class Size2d {
    private final int h;
    private final int w;
    private final boolean pair;

    private Size2d(int h, int w, boolean pair) {
        this.h = h;
        this.w = w;
        this.pair = pair;
    }

    /** The same size along both axes. */
    public static Size2d of(int both) {
        return new Size2d(both, both, false);
    }

    /** {@code [h, w]}. */
    public static Size2d of(int h, int w) {
        return new Size2d(h, w, true);
    }

    /** Binds a config value: a whole number {@code >= min} or a list of two. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Size2d parse(JsonNode n) {
        if (n.isIntegralNumber() && n.canConvertToInt()) {
            return new Size2d(n.asInt(), n.asInt(), false);
        }
        if (n.isArray() && n.size() == 2 && n.get(0).isIntegralNumber() && n.get(0).canConvertToInt()
                && n.get(1).isIntegralNumber() && n.get(1).canConvertToInt()) {
            return new Size2d(n.get(0).asInt(), n.get(1).asInt(), true);
        }
        throw new SpecException("", "must be a whole number or [h, w], got " + (n.isArray() ? n.toString()
                : n.isTextual() ? "'" + n.asText() + "'" : n.toString()));
    }

    public int h() {
        return h;
    }

    public int w() {
        return w;
    }

    /** Refuses a size below {@code min} along either axis, at {@code key}. */
    Size2d atLeast(String key, int min) {
        if (h < min || w < min) {
            throw new SpecException(key, "must be >= " + min + ", got " + this);
        }
        return this;
    }

    @JsonValue
    Object json() {
        return pair ? List.of(h, w) : Integer.valueOf(h);
    }

    /** {@code 3} or {@code [3, 5]}, as written. */
    @Override
    public String toString() {
        return pair ? "[" + h + ", " + w + "]" : Integer.toString(h);
    }

    /** {@code 3x3}: the two sizes. */
    String text() {
        return h + "x" + w;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Size2d s && s.h == h && s.w == w && s.pair == pair;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * h + w) + (pair ? 1 : 0);
    }
}
