package dev.anneal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reading YAML text: 1-based lines of keys and of syntax errors, special floats, refused duplicates. */
class ConfigDocumentTest {
    private static String error(String yaml) {
        return assertThrows(ConfigError.class, () -> ConfigDocument.parse("x.yaml", yaml)).getMessage();
    }

    @Test
    void keysRememberTheirOneBasedLines() {
        ConfigDocument doc = ConfigDocument.parse("x.yaml", "optimizer:\n  type: sgd\n\n  lr: 0.1\nmodel:\n"
                + "  hidden: [8,\n    4]\n");
        assertEquals("x.yaml:1", doc.where("optimizer"));
        assertEquals("x.yaml:4", doc.where("optimizer.lr"));
        assertEquals("x.yaml:6", doc.where("model.hidden[0]"));
        assertEquals("x.yaml:7", doc.where("model.hidden[1]"));
    }

    @Test
    void syntaxErrorLinesAreOneBasedAtTheProblem() {
        assertTrue(error("a: 1\nb: 2\n\tc: 3\n").startsWith("x.yaml:3: not valid YAML: a tab character"));
        assertTrue(error("a: 1\nb: [1,\n2\nc: 3\n").startsWith("x.yaml:2: not valid YAML: the '['"));
        assertTrue(error("a: 'open\nb: 2\n").startsWith("x.yaml:1: not valid YAML: the quote"));
    }

    @Test
    void messagesNeverCarryParserInternals() {
        for (String bad : new String[] {"a: [1,\n", "a: {b: 1\n", "a: 1\n b: 2\n", "a:\n\tb: 1\n", "a: 'x\n"}) {
            String m = error(bad);
            assertTrue(!m.contains("reader") && !m.contains("Exception") && !m.contains("\n"), m);
        }
    }

    @Test
    void specialFloatsAreDoubles() {
        ConfigDocument doc = ConfigDocument.parse("x.yaml", "a: .nan\nb: .Inf\nc: -.INF\nd: +.inf\ne: '.nan'\n");
        assertTrue(Double.isNaN(doc.root().get("a").doubleValue()));
        assertEquals(Double.POSITIVE_INFINITY, doc.root().get("b").doubleValue());
        assertEquals(Double.NEGATIVE_INFINITY, doc.root().get("c").doubleValue());
        assertEquals(Double.POSITIVE_INFINITY, doc.root().get("d").doubleValue());
        assertEquals(".nan", doc.root().get("e").asText(), "quoted, it stays text");
    }

    @Test
    void duplicateKeysNameBothLines() {
        assertEquals("x.yaml:3: a.b is written twice (first on line 2); keep one of them",
                error("a:\n  b: 1\n  b: 2\n"));
    }

    @Test
    void sameKeyInDifferentSectionsIsNoDuplicate() {
        ConfigDocument doc = ConfigDocument.parse("x.yaml", "a: {lr: 1}\nb: {lr: 2}\nc: [{lr: 1}, {lr: 2}]\n");
        assertEquals("x.yaml:2", doc.where("b.lr"));
    }

    @Test
    void invalidUtf8NamesLineAndColumn() {
        byte[] bytes = "a: 1\nbb: x\n".getBytes(StandardCharsets.UTF_8);
        bytes[9] = (byte) 0xc3;
        String m = assertThrows(ConfigError.class, () -> ConfigText.decode("x.yaml", bytes)).getMessage();
        assertEquals("x.yaml:2: is not UTF-8 text (byte 0xc3 at column 5); save the file as UTF-8", m);
    }

    @Test
    void binaryFormatsAreRecognised() {
        assertEquals("a PNG image", BinaryFormats.name(new byte[] {(byte) 0x89, 'P', 'N', 'G'}));
        assertEquals("gzip-compressed data", BinaryFormats.name(new byte[] {0x1f, (byte) 0x8b, 8}));
        assertEquals(null, BinaryFormats.name("optimizer:".getBytes(StandardCharsets.UTF_8)));
    }
}
