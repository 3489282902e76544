package dev.anneal.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * YAML text to a Jackson tree, with what Jackson's own reading leaves out: the 1-based line of every key path,
 * YAML's special floats ({@link YamlSpecialFloats}), a repeated key reported with both of its lines, a second
 * document refused, and every syntax error at the line that needs fixing, in words a user can act on
 * (SnakeYAML's marks are 0-based, and Jackson reports the last token it read rather than the problem).
 */
final class YamlTree {
    /** The tree (null when the text holds no value at all) and the line of each key path. */
    record Parsed(JsonNode root, Map<String, Integer> lines, int firstLine) {
    }

    /** Text that is not valid YAML: the 1-based line (0 when unknown) and what is wrong, with the fix. */
    static final class Invalid extends Exception {
        private final int line;

        Invalid(int line, String message) {
            super(message);
            this.line = line;
        }

        int line() {
            return line;
        }
    }

    private static final String END = "the end of the file";

    private YamlTree() {
    }

    static Parsed read(String text) throws Invalid {
        Map<String, Integer> lines = new HashMap<>();
        int firstLine = walk(text, lines);
        try (JsonParser p = new YamlSpecialFloats(ConfigMapper.get().createParser(text))) {
            JsonNode root = p.nextToken() == null ? null : ConfigMapper.get().readTree(p);
            return new Parsed(root, lines, firstLine);
        } catch (JsonProcessingException e) {
            throw translate(e, text);
        } catch (IOException e) {
            throw new Invalid(0, "cannot be parsed: " + e.getMessage());
        }
    }

    /**
     * Records the line of each key path, refuses repeated keys and a second document; returns the line of the
     * first token (0 when there is none).
     */
    private static int walk(String text, Map<String, Integer> lines) throws Invalid {
        int firstLine = 0;
        try (JsonParser p = new YamlSpecialFloats(ConfigMapper.get().createParser(text))) {
            p.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            int depth = 0;
            boolean rootDone = false;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                int line = p.currentTokenLocation().getLineNr();
                if (rootDone) {
                    throw new Invalid(separatorBefore(text, line), "a second YAML document starts here; a config is one document: remove "
                            + "the '---' line and everything after it, or merge the two");
                }
                if (firstLine == 0) {
                    firstLine = line;
                }
                if (t == JsonToken.FIELD_NAME || p.getParsingContext().inArray()) {
                    String path = ConfigDocument.dotted(p.getParsingContext().pathAsPointer());
                    Integer first = lines.putIfAbsent(path, line);
                    if (t == JsonToken.FIELD_NAME && first != null) {
                        throw new Invalid(line, (path.isEmpty() ? "an empty key" : path) + " is written twice "
                                + "(first on line " + first + "); keep one of them");
                    }
                }
                if (t.isStructStart()) {
                    depth++;
                } else if (t.isStructEnd()) {
                    depth--;
                }
                rootDone = depth == 0 && t != JsonToken.FIELD_NAME;
            }
        } catch (JsonProcessingException e) {
            throw translate(e, text);
        } catch (IOException e) {
            throw new Invalid(0, "cannot be parsed: " + e.getMessage());
        }
        return firstLine;
    }

    private static Invalid translate(JsonProcessingException e, String text) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof MarkedYAMLException m) {
                return describe(m);
            }
            if (c instanceof ReaderException r) {
                int line = lineOf(text, r.getPosition());
                return new Invalid(line, "holds the control character " + String.format("U+%04X", r.getCodePoint())
                        + ", which YAML does not allow in text; delete it (is this a text file?)");
            }
        }
        JsonLocation loc = e.getLocation();
        int line = loc == null ? 0 : loc.getLineNr();
        String what = String.valueOf(e.getOriginalMessage()).split("\n")[0];
        return new Invalid(Math.max(line, 0), "not valid YAML: " + what);
    }

    /** SnakeYAML's error in plain words, at the line to fix: where an unclosed bracket or quote opened. */
    private static Invalid describe(MarkedYAMLException m) {
        String problem = m.getProblem() == null ? "" : m.getProblem();
        String context = m.getContext() == null ? "" : m.getContext();
        int problemLine = line(m.getProblemMark());
        int contextLine = line(m.getContextMark());
        String found = found(problem);
        if (problem.contains("cannot start any token") && problem.contains("TAB")) {
            return new Invalid(problemLine, "not valid YAML: a tab character indents this line; YAML indents with "
                    + "spaces only: replace the tab with spaces");
        }
        if (context.contains("flow sequence") || context.contains("flow mapping")) {
            boolean list = context.contains("sequence");
            return new Invalid(contextLine, "not valid YAML: the '" + (list ? "[" : "{") + "' opened on this line "
                    + "is not closed: expected ',' or '" + (list ? "]" : "}") + "' but found " + found
                    + (problemLine != contextLine && problemLine > 0 && !found.equals(END) ? " on line "
                    + problemLine : "")
                    + "; close it with '" + (list ? "]" : "}") + "'");
        }
        if (context.contains("quoted scalar")) {
            return new Invalid(contextLine, "not valid YAML: the quote opened on this line is not closed"
                    + (problem.contains("end of stream") ? " before the end of the file" : " (" + problem + ")")
                    + "; add the closing quote");
        }
        if (context.contains("simple key")) {
            return new Invalid(contextLine, "not valid YAML: this line is neither 'key: value' nor a list item "
                    + "('- value'): add the ':' after the key, or fix the indentation");
        }
        if (problem.startsWith("mapping values are not allowed")) {
            return new Invalid(problemLine, "not valid YAML: a ':' where no key can start: line this key up with "
                    + "the keys above it, check that the line above has its ':', or quote a value that contains "
                    + "': '");
        }
        if (context.contains("block mapping") || context.contains("block collection")) {
            return new Invalid(problemLine, "not valid YAML: expected another key of the mapping on line "
                    + contextLine + " but found " + found + "; check this line's indentation");
        }
        if (problem.contains("found undefined alias")) {
            return new Invalid(problemLine, "not valid YAML: " + problem + "; define the anchor (&name) first");
        }
        String where = context.isEmpty() ? "" : " (" + context + (contextLine > 0 ? " on line " + contextLine : "")
                + ")";
        return new Invalid(problemLine > 0 ? problemLine : contextLine, "not valid YAML: " + problem + where);
    }

    /** What SnakeYAML found where it expected something else, in words. */
    private static String found(String problem) {
        int at = Math.max(problem.lastIndexOf("but got "), problem.lastIndexOf("but found "));
        if (at < 0) {
            return "something else";
        }
        String thing = problem.substring(problem.indexOf(' ', problem.indexOf(' ', at) + 1) + 1).trim();
        return switch (thing) {
            case "<stream end>" -> END;
            case "<block end>" -> "a line indented less";
            case "<scalar>" -> "a value";
            case "<block mapping start>" -> "the start of a mapping";
            case "<block sequence start>", "<block entry>" -> "a list item";
            case ":" -> "a ':'";
            default -> thing;
        };
    }

    private static int line(Mark mark) {
        return mark == null ? 0 : mark.getLine() + 1;
    }

    /** The last {@code ---} line before 1-based line {@code line}, else {@code line} itself. */
    private static int separatorBefore(String text, int line) {
        String[] lines = text.split("\n", -1);
        for (int i = Math.min(line, lines.length) - 1; i >= 0; i--) {
            if (lines[i].startsWith("---")) {
                return i + 1;
            }
        }
        return line;
    }

    /** The 1-based line of code point {@code position} of {@code text}. */
    private static int lineOf(String text, int position) {
        int line = 1;
        int end = Math.min(text.length(), text.offsetByCodePoints(0, Math.min(position,
                text.codePointCount(0, text.length()))));
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
