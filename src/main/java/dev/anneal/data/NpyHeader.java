package dev.anneal.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header dictionary of a {@code .npy} file, parsed exactly as the Python literal it is (NEP 1, numpy's
 * {@code numpy/lib/format.py}): {@code {'descr': '<f4', 'fortran_order': False, 'shape': (60000, 784), }}
 * padded with spaces and ended by a newline. The parser accepts the subset of Python literals numpy writes:
 * strings in single or double quotes, {@code True}, {@code False}, {@code None}, integers (an old {@code L} suffix
 * allowed), tuples and lists of these, and the dict itself; the keys must be exactly {@code descr},
 * {@code fortran_order} and {@code shape}, as numpy's reader requires.
 *
 * @param descr the dtype string, or null when {@code descr} is not a string (a structured dtype's list)
 * @param fortranOrder whether the data is in Fortran (column-major) order
 * @param shape the dimensions, each &gt;= 0 ({@code ()} for a scalar)
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {

    /**
     * Parses {@code text}; a problem is returned as an {@link IllegalArgumentException} whose message says what
     * is wrong (the caller adds the file).
     */
    static NpyHeader parse(String text) {
        Parser p = new Parser(text.strip());
        Object value = p.value();
        p.skipSpace();
        if (p.pos != p.s.length()) {
            throw new IllegalArgumentException("the header has text after its dictionary at offset " + p.pos);
        }
        if (!(value instanceof Map<?, ?> dict)) {
            throw new IllegalArgumentException("the header is not a Python dict: " + shorten(text.strip()));
        }
        if (dict.size() != 3 || !dict.containsKey("descr") || !dict.containsKey("fortran_order")
                || !dict.containsKey("shape")) {
            throw new IllegalArgumentException("the header dict has keys " + dict.keySet()
                    + ", expected exactly descr, fortran_order and shape");
        }
        Object descr = dict.get("descr");
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new IllegalArgumentException("fortran_order is " + dict.get("fortran_order")
                    + ", expected True or False");
        }
        if (!(dict.get("shape") instanceof Tuple shapeTuple)) {
            throw new IllegalArgumentException("shape is " + dict.get("shape") + ", expected a tuple of integers");
        }
        long[] shape = new long[shapeTuple.items().size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeTuple.items().get(i) instanceof Long d) || d < 0) {
                throw new IllegalArgumentException("shape " + shapeTuple + " has an entry that is not an "
                        + "integer >= 0");
            }
            shape[i] = d;
        }
        return new NpyHeader(descr instanceof String s ? s : null, fortran, shape);
    }

    /** A parenthesised tuple (the shape); lists parse to {@link List}. */
    record Tuple(List<Object> items) {
        @Override
        public String toString() {
            return Npy.shapeText(items.stream().mapToLong(o -> o instanceof Long l ? l : -1).toArray());
        }
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    /** Recursive descent over the literal subset. */
    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) {
            this.s = s;
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("the header is not a valid Python literal: " + what + " at offset "
                    + pos);
        }

        Object value() {
            skipSpace();
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(pos);
            if (c == '{') {
                return dict();
            }
            if (c == '(') {
                return new Tuple(sequence('(', ')'));
            }
            if (c == '[') {
                return sequence('[', ']');
            }
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '-' || Character.isDigit(c)) {
                return integer();
            }
            for (String word : new String[] {"True", "False", "None"}) {
                if (s.startsWith(word, pos)) {
                    pos += word.length();
                    return word.equals("None") ? NONE : Boolean.valueOf(word.equals("True"));
                }
            }
            throw error("unexpected '" + c + "'");
        }

        Map<Object, Object> dict() {
            Map<Object, Object> m = new LinkedHashMap<>();
            pos++;
            while (true) {
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == '}') {
                    pos++;
                    return m;
                }
                Object key = value();
                skipSpace();
                expect(':');
                Object v = value();
                if (m.put(key, v) != null) {
                    throw error("duplicate key " + key);
                }
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                } else {
                    skipSpace();
                    expect('}');
                    return m;
                }
            }
        }

        List<Object> sequence(char open, char close) {
            List<Object> items = new ArrayList<>();
            pos++;
            while (true) {
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == close) {
                    pos++;
                    return items;
                }
                items.add(value());
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                } else {
                    expect(close);
                    return items;
                }
            }
        }

        String string() {
            char quote = s.charAt(pos++);
            StringBuilder b = new StringBuilder();
            while (pos < s.length() && s.charAt(pos) != quote) {
                char c = s.charAt(pos++);
                if (c == '\\' && pos < s.length()) {
                    c = s.charAt(pos++);
                }
                b.append(c);
            }
            expect(quote);
            return b.toString();
        }

        Long integer() {
            int start = pos;
            if (s.charAt(pos) == '-') {
                pos++;
            }
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            String digits = s.substring(start, pos);
            if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) {
                pos++;
            }
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw error("integer " + digits + " out of range");
            }
        }

        void expect(char c) {
            if (pos >= s.length() || s.charAt(pos) != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }
    }

    /** Python's None. */
    private static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };
}
