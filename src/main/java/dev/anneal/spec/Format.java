package dev.anneal.spec;

import java.util.Locale;

/** Number formatting shared by error messages and CSV output. */
public final class Format {
    private Format() {
    }

    /**
     * The shortest decimal that reads back as exactly {@code v} (Java's {@link Double#toString} is
     * round-trip exact), without a trailing ".0" on integral values so that messages read naturally.
     */
    public static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /**
     * Bytes in decimal units for messages: whole megabytes below a gigabyte ({@code 5 MB}, at least 1), then one
     * decimal ({@code 6.3 GB}, {@code 20.4 TB}, up to exabytes).
     */
    public static String bytes(long bytes) {
        String[] units = {"MB", "GB", "TB", "PB", "EB"};
        double v = bytes / 1e6;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%.0f MB", Math.max(1, v))
                : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
