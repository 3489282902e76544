package dev.anneal.config;

import dev.anneal.io.Utf8Text;
import java.io.IOException;
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
        return Utf8Text.decode(bytes, p -> new ConfigError(label + ":" + p.line() + ": " + (p.zeroByte()
                ? "holds binary data (a zero byte), not YAML text; " + PASS_YAML
                : "is not UTF-8 text (byte " + String.format("0x%02x", p.value()) + " at column " + p.column()
                + "); save the file as UTF-8")));
    }
}
