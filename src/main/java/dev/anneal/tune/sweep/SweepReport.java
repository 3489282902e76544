package dev.anneal.tune.sweep;

import dev.anneal.io.AtomicFiles;
import dev.anneal.plot.SweepPlot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a finished sweep shows: the table of trials on stdout (the swept values, status, metric and epochs, the
 * best marked, like the seed article's table of rate, decay and accuracy), {@code best.yaml} (the best trial's
 * {@code config.yaml}, which {@code anneal train --config} reruns) and {@code sweep.png} ({@link SweepPlot}).
 */
final class SweepReport {
    private SweepReport() {
    }

    /**
     * The best trial: among those that trained all their epochs ({@code done}), else among the stopped ones, the
     * best final metric (NaN last); ties go to the lower trial number.
     */
    static Optional<TrialRow> best(Collection<TrialRow> rows, SweepMetric metric) {
        for (String status : List.of(TrialRow.DONE, TrialRow.STOPPED)) {
            TrialRow best = null;
            for (TrialRow r : rows) {
                if (r.status().equals(status) && r.finalMetric() != null
                        && (best == null || metric.better(r.finalMetric(), best.finalMetric()))) {
                    best = r;
                }
            }
            if (best != null) {
                return Optional.of(best);
            }
        }
        return Optional.empty();
    }

    static void write(SweepDirectory dir, SweepSpec spec, Collection<TrialRow> rows, PrintWriter out)
            throws IOException {
        Optional<TrialRow> best = best(rows, spec.metric());
        table(spec, rows, best, out);
        if (best.isPresent()) {
            TrialRow b = best.get();
            String config = Files.readString(dir.trialDir(b.trial()).resolve("config.yaml"), StandardCharsets.UTF_8);
            String head = String.format(Locale.ROOT, "# the best trial of the sweep in %s: %s, %s %s%n", dir.root(),
                    dir.trialName(b.trial()), spec.metric().name(), b.finalMetric());
            AtomicFiles.write(dir.best(), (head + config).getBytes(StandardCharsets.UTF_8));
            out.println("anneal: best " + dir.trialName(b.trial()) + " (" + String.join(" ",
                    new Trial(b.trial(), b.values()).assignments(spec.keyNames())) + "): " + spec.metric().name() + " "
                    + b.finalMetric() + "; its config is " + dir.best());
        } else {
            out.println("anneal: no trial produced a " + spec.metric().name() + "; see " + dir.root().resolve("logs"));
        }
        if (!spec.keys().isEmpty()) {
            SweepPlot plot = new SweepPlot("Sweep: " + spec.metric().name() + " (" + spec.metric().goal() + ")",
                    spec.keyNames(), spec.metric().name()).subtitle(dir.root().getFileName().toString());
            for (TrialRow r : rows) {
                plot.add(r.values(), r.finalMetric() == null ? Double.NaN : r.finalMetric());
            }
            plot.writePng(dir.plot(), 900, 650);
        }
        out.println("anneal: sweep " + dir.root() + ": sweep.csv, best.yaml, sweep.png");
        out.flush();
    }

    private static void table(SweepSpec spec, Collection<TrialRow> rows, Optional<TrialRow> best, PrintWriter out) {
        List<List<String>> cells = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("trial"));
        header.addAll(spec.keyNames());
        header.addAll(List.of("status", spec.metric().name(), "epochs", "seconds"));
        cells.add(header);
        for (TrialRow r : rows) {
            List<String> line = new ArrayList<>(List.of(Integer.toString(r.trial())));
            line.addAll(r.values());
            line.add(r.status());
            line.add(r.finalMetric() == null ? "-" : String.format(Locale.ROOT, "%.4f", r.finalMetric()));
            line.add(Long.toString(r.epochs()));
            line.add(String.format(Locale.ROOT, "%.1f", r.seconds()));
            if (best.isPresent() && best.get().trial() == r.trial()) {
                line.set(line.size() - 1, line.get(line.size() - 1) + "  <- best");
            }
            cells.add(line);
        }
        int[] width = new int[header.size()];
        for (List<String> line : cells) {
            for (int i = 0; i < line.size(); i++) {
                width[i] = Math.max(width[i], line.get(i).length());
            }
        }
        for (int l = 0; l < cells.size(); l++) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < cells.get(l).size(); i++) {
                String c = cells.get(l).get(i);
                s.append(i == 0 ? "" : "  ").append(c).append(" ".repeat(Math.max(0, width[i] - c.length())));
            }
            out.println(s.toString().stripTrailing());
            if (l == 0) {
                out.println("-".repeat(s.toString().stripTrailing().length()));
            }
        }
    }
}
