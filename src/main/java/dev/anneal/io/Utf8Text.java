package dev.anneal.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Strict decoding of a text file the user gave: UTF-8 with no malformed sequence and no zero byte (the sign of a
 * binary file), the first offending byte located by line and column so that the caller's message can point at it.
 */
public final class Utf8Text {
    /**
     * Where the bytes stop being text.
     *
     * @param zeroByte a zero byte, else a byte that is not valid UTF-8
     * @param line 1-based line of the byte
     * @param column 1-based byte column within its line
     * @param value the byte, 0..255
     */
    public record Problem(boolean zeroByte, int line, int column, int value) {
    }

    private Utf8Text() {
    }

    /** The text of {@code bytes}, or the exception {@code fail} makes of the first problem (thrown). */
    public static String decode(byte[] bytes, Function<Problem, RuntimeException> fail) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw fail.apply(problem(bytes, i, true));
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            throw fail.apply(problem(bytes, in.position(), false));
        }
        decoder.flush(out);
        out.flip();
        return out.toString();
    }

    private static Problem problem(byte[] bytes, int at, boolean zero) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at; i++) {
            if (bytes[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new Problem(zero, line, at - lineStart + 1, bytes[at] & 0xff);
    }
}
