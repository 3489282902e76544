package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The promise for bad input: exit status 2, exactly one line on stderr that starts with {@code anneal: } and holds
 * the given fragments (the file and line, the key, the fix), nothing on stdout, and no stack trace.
 */
final class BadInputAssert {
    private BadInputAssert() {
    }

    /** Asserts the promise and returns the one line. */
    static String oneLine(CliRun r, String... fragments) {
        String all = r.out() + r.err();
        assertEquals(2, r.status(), "exit status; stderr: " + r.err());
        assertFalse(all.contains("Exception"), "no exception class names: " + all);
        assertFalse(all.contains("\tat "), "no stack trace: " + all);
        assertFalse(all.contains("Error:"), "no JVM error: " + all);
        String[] lines = r.err().strip().split("\\R");
        assertEquals(1, lines.length, "exactly one line on stderr: " + r.err());
        String line = lines[0];
        assertTrue(line.startsWith("anneal: "), line);
        for (String f : fragments) {
            assertTrue(line.contains(f), "expected '" + f + "' in: " + line);
        }
        assertEquals("", r.out(), "nothing on stdout");
        return line;
    }

    /** A usage error: one {@code anneal: } line with the fragments, then the usage; exit status 2. */
    static String usageError(CliRun r, String... fragments) {
        String all = r.out() + r.err();
        assertEquals(2, r.status(), "exit status; stderr: " + r.err());
        assertFalse(all.contains("Exception"), all);
        assertFalse(all.contains("\tat "), all);
        String[] lines = r.err().split("\\R");
        String line = lines[0];
        assertTrue(line.startsWith("anneal: "), line);
        for (String f : fragments) {
            assertTrue(line.contains(f), "expected '" + f + "' in: " + line);
        }
        assertTrue(lines.length > 1 && lines[1].startsWith("Usage: anneal"), "the usage follows: " + r.err());
        for (int i = 1; i < lines.length; i++) {
            assertFalse(lines[i].startsWith("anneal: "), "only one error line: " + r.err());
        }
        return line;
    }
}
