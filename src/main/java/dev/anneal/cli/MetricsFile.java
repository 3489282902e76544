package dev.anneal.cli;

import dev.anneal.io.IoProblems;
import dev.anneal.io.Utf8Text;
import dev.anneal.spec.BadInput;
import java.io.IOException;
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
        return Utf8Text.decode(bytes, p -> new BadInput(file + ":" + p.line() + ": " + (p.zeroByte()
                ? "holds binary data (a zero byte)" : "is not UTF-8 text (byte " + String.format("0x%02x", p.value())
                + ")") + "; " + FIX));
    }

    private static String shorten(String line) {
        return line.length() <= 40 ? line : line.substring(0, 37) + "...";
    }
}
