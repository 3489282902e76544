package dev.anneal.cli;

import dev.anneal.io.IoProblems;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads {@code --metrics}: one number per line; blank lines and {@code #} comments are skipped. A file that is
 * missing, a directory, binary or not UTF-8 text, or a line that is not a number, is one line naming the file
 * (and the line) and the fix.
 */
final class MetricsFile {
    private static final String FIX = "--metrics needs a text file with one metric value per line";

    private MetricsFile() {
    }

    static double[] read(Path file) {
        String[] lines = text(file).split("\\R", -1);
        double[] values = new double[lines.length];
        int n = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                values[n++] = Double.parseDouble(line);
            } catch (NumberFormatException e) {
                throw new BadInput(file + ":" + (i + 1) + ": '" + shorten(line) + "' is not a number; write one "
                        + "metric per line");
            }
        }
        return Arrays.copyOf(values, n);
    }

    private static String text(Path file) {
        if (Files.isDirectory(file)) {
            throw new BadInput(file + ": is a directory; " + FIX);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInput(file + ": no such file; " + FIX);
        } catch (IOException e) {
            throw new BadInput(file + ": cannot be read (" + IoProblems.reason(e) + "); " + FIX);
        } catch (OutOfMemoryError e) {
            throw new BadInput(file + ": is too large to read; " + FIX);
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw new BadInput(file + ":" + lineOf(bytes, i) + ": holds binary data (a zero byte); " + FIX);
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            throw new BadInput(file + ":" + lineOf(bytes, in.position()) + ": is not UTF-8 text (byte "
                    + String.format("0x%02x", bytes[in.position()] & 0xff) + "); " + FIX);
        }
        decoder.flush(out);
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

    private static String shorten(String line) {
        return line.length() <= 40 ? line : line.substring(0, 37) + "...";
    }
}
