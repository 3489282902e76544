package dev.anneal.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The text of a config file, or a {@link ConfigError} that says in one line why the file is not YAML text: it is
 * missing, a directory, too large, a known binary format (a PNG, a gzip archive...), binary data, UTF-16, or not
 * valid UTF-8 (with the line and column of the first bad byte). Never the decoder's "Input length = 1".
 */
final class ConfigText {
    /** Configs are a few kilobytes; anything larger than this was passed by mistake. */
    static final long MAX_BYTES = 16L << 20;

    private static final String PASS_YAML = "pass a YAML config (see configs/)";

    private ConfigText() {
    }

    static String read(Path file) {
        String label = file.toString();
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw new ConfigError(label + ": is a directory, not a config file; " + PASS_YAML);
            }
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new ConfigError(label + ": is " + (size >> 20) + " MiB, far too large for a YAML config (at most "
                        + (MAX_BYTES >> 20) + " MiB); " + PASS_YAML);
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigError(label + ": no such file; pass an existing YAML config (see configs/)");
        } catch (AccessDeniedException e) {
            throw new ConfigError(label + ": permission denied; make the file readable or " + PASS_YAML);
        } catch (IOException e) {
            throw new ConfigError(label + ": cannot read: " + e.getMessage() + "; " + PASS_YAML);
        }
        return decode(label, bytes);
    }

    /** {@code bytes} as UTF-8 text; {@code label} names the file in messages. */
    static String decode(String label, byte[] bytes) {
        String format = BinaryFormats.name(bytes);
        if (format != null && format.startsWith("UTF")) {
            throw new ConfigError(label + ": is " + format + "; save the file as UTF-8");
        }
        if (format != null) {
            throw new ConfigError(label + ": is " + format + ", not a YAML text file; " + PASS_YAML);
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw new ConfigError(label + ":" + lineOf(bytes, i) + ": holds binary data (a zero byte), not YAML "
                        + "text; " + PASS_YAML);
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            int at = in.position();
            int lineStart = at;
            while (lineStart > 0 && bytes[lineStart - 1] != '\n') {
                lineStart--;
            }
            throw new ConfigError(label + ":" + lineOf(bytes, at) + ": is not UTF-8 text (byte "
                    + String.format("0x%02x", bytes[at] & 0xff) + " at column " + (at - lineStart + 1)
                    + "); save the file as UTF-8");
        }
        try {
            CoderResult flush = decoder.flush(out);
            if (flush.isError()) {
                flush.throwException();
            }
        } catch (CharacterCodingException e) {
            throw new ConfigError(label + ": is not UTF-8 text; save the file as UTF-8");
        }
        out.flip();
        return out.toString();
    }

    private static int lineOf(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }
}
