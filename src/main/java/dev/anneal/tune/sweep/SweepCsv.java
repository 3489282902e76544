package dev.anneal.tune.sweep;

import dev.anneal.io.AtomicFiles;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code sweep.csv}: a header, then one row per finished trial in trial order: {@code trial}, every swept key,
 * {@code status}, {@code final_<metric>}, {@code best_<metric>}, {@code test_loss}, {@code test_accuracy},
 * {@code epochs}, {@code seconds}. Numbers are written in Java's shortest round-trip form (the exact double), so
 * that two sweeps that computed the same bits write the same text; only {@code seconds} (one decimal) depends on
 * the machine's speed. Fields holding a comma or a quote are quoted as RFC 4180 says. The file is rewritten
 * atomically after every trial, so a crash leaves the rows of the trials finished before it.
 */
final class SweepCsv {
    private SweepCsv() {
    }

    static List<String> header(List<String> keys, SweepMetric metric) {
        List<String> h = new ArrayList<>();
        h.add("trial");
        h.addAll(keys);
        h.addAll(List.of("status", "final_" + metric.name(), "best_" + metric.name(), "test_loss", "test_accuracy",
                "epochs", "seconds"));
        return h;
    }

    static void write(Path file, List<String> keys, SweepMetric metric, Collection<TrialRow> rows) throws IOException {
        StringBuilder out = new StringBuilder();
        line(out, header(keys, metric));
        Map<Integer, TrialRow> sorted = new TreeMap<>();
        rows.forEach(r -> sorted.put(r.trial(), r));
        for (TrialRow r : sorted.values()) {
            List<String> f = new ArrayList<>();
            f.add(Integer.toString(r.trial()));
            f.addAll(r.values());
            f.add(r.status());
            f.add(number(r.finalMetric()));
            f.add(number(r.bestMetric()));
            f.add(number(r.testLoss()));
            f.add(number(r.testAccuracy()));
            f.add(Long.toString(r.epochs()));
            f.add(String.format(Locale.ROOT, "%.1f", r.seconds()));
            line(out, f);
        }
        AtomicFiles.write(file, out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The rows of a {@code sweep.csv} written for these keys and metric (none when the file is absent). */
    static Map<Integer, TrialRow> read(Path file, List<String> keys, SweepMetric metric) throws IOException {
        Map<Integer, TrialRow> rows = new TreeMap<>();
        if (!Files.exists(file)) {
            return rows;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> header = header(keys, metric);
        if (lines.isEmpty() || !fields(lines.get(0)).equals(header)) {
            throw new BadInput(file + ":1: not the header of this sweep (" + String.join(",", header) + ")");
        }
        int k = keys.size();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            List<String> f = fields(lines.get(i));
            try {
                if (f.size() != header.size()) {
                    throw new IllegalArgumentException(f.size() + " fields, the header has " + header.size());
                }
                TrialRow r = new TrialRow(Integer.parseInt(f.get(0)), f.subList(1, 1 + k), f.get(1 + k),
                        parse(f.get(2 + k)), parse(f.get(3 + k)), parse(f.get(4 + k)), parse(f.get(5 + k)),
                        Long.parseLong(f.get(6 + k)), Double.parseDouble(f.get(7 + k)));
                rows.put(r.trial(), r);
            } catch (IllegalArgumentException e) {
                throw new BadInput(file + ":" + (i + 1) + ": not a row of this sweep (" + e.getMessage() + "); "
                        + "delete the line to run that trial again");
            }
        }
        return rows;
    }

    private static String number(Double v) {
        return v == null ? "" : Double.toString(v);
    }

    private static Double parse(String s) {
        return s.isEmpty() ? null : Double.valueOf(s);
    }

    private static void line(StringBuilder out, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            String f = fields.get(i);
            if (i > 0) {
                out.append(',');
            }
            if (f.contains(",") || f.contains("\"") || f.contains("\n")) {
                out.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                out.append(f);
            }
        }
        out.append('\n');
    }

    /** The fields of one line, RFC 4180 quoting undone. */
    static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    f.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        out.add(f.toString());
        return out;
    }
}
