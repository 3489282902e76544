package dev.anneal.tune.sweep;

import dev.anneal.io.AtomicFiles;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * ASHA's record of results at rungs, shared by the trials that run at once and kept in {@code rungs.csv}
 * ({@code trial,epochs,metric}, rewritten atomically on every result) so that a resumed sweep knows which rungs
 * its trials passed. {@link #decide} compares a trial with the trials numbered below it only, waiting for each of
 * them to record the rung or to end without reaching it: the decision is then the same whatever the timing.
 */
final class RungBoard {
    private final Path file;
    private final Asha asha;
    private final SweepMetric metric;
    private final Map<Integer, Map<Long, Double>> results = new TreeMap<>();
    private final Set<Integer> ended = new HashSet<>();
    private boolean aborted;

    RungBoard(Path file, Asha asha, SweepMetric metric) throws IOException {
        this.file = file;
        this.asha = asha;
        this.metric = metric;
        if (Files.exists(file)) {
            load();
        }
    }

    synchronized Double result(int trial, long rung) {
        Map<Long, Double> r = results.get(trial);
        return r == null ? null : r.get(rung);
    }

    synchronized void record(int trial, long rung, double value) throws IOException {
        results.computeIfAbsent(trial, t -> new TreeMap<>()).put(rung, value);
        save();
        notifyAll();
    }

    /** The trial will record nothing more (finished, stopped or failed). */
    synchronized void end(int trial) {
        ended.add(trial);
        notifyAll();
    }

    /** Wakes every waiting trial with an {@link InterruptedException}: the sweep is stopping. */
    synchronized void abort() {
        aborted = true;
        notifyAll();
    }

    /** Whether {@code trial}, which recorded {@code rung}, goes on ({@link Asha#continues}). */
    synchronized boolean decide(int trial, long rung) throws InterruptedException {
        List<Double> recorded = new ArrayList<>();
        for (int j = 0; j < trial; j++) {
            while (result(j, rung) == null && !ended.contains(j)) {
                if (aborted) {
                    throw new InterruptedException("the sweep is stopping");
                }
                wait();
            }
            Double v = result(j, rung);
            if (v != null) {
                recorded.add(v);
            }
        }
        double own = result(trial, rung);
        recorded.add(own);
        return asha.continues(own, recorded, metric);
    }

    private void save() throws IOException {
        StringBuilder out = new StringBuilder("trial,epochs,metric\n");
        results.forEach((t, rungs) -> rungs.forEach((r, v) -> out.append(t).append(',').append(r).append(',')
                .append(v).append('\n')));
        AtomicFiles.write(file, out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void load() throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            try {
                results.computeIfAbsent(Integer.parseInt(f[0]), t -> new TreeMap<>())
                        .put(Long.parseLong(f[1]), Double.parseDouble(f[2]));
            } catch (RuntimeException e) {
                throw new BadInput(file + ":" + (i + 1) + ": not a line trial,epochs,metric; delete the file to "
                        + "rerun the rungs");
            }
        }
    }
}
