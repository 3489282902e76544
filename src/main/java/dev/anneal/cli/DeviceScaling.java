package dev.anneal.cli;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cuda.DeviceChoice;
import dev.anneal.bench.StepBench;
import dev.anneal.config.AnnealConfig;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code anneal bench step --devices 1,2,4}: the data-parallel training step timed for each replica count, the
 * batch per device fixed (weak scaling, as data parallelism is used), with the speed-up over the first count. CPU
 * replicas share one machine's cores and memory bandwidth, so on the CPU the figures show the overhead of
 * sharding and the all-reduce, not a scaling claim; a count needing more GPUs than the machine has is reported as
 * not measured.
 */
final class DeviceScaling {
    private DeviceScaling() {
    }

    static int run(PrintWriter out, AnnealConfig cfg, Path file, String device, List<Integer> counts, int warmup,
                   int steps, Path json) throws IOException {
        for (int n : counts) {
            if (n < 1) {
                throw new BadInput("--devices: replica counts must be >= 1, got " + n);
            }
        }
        String kind = device;
        if (!kind.equals("cpu") && !kind.equals("cuda") && !kind.equals("auto")) {
            throw new BadInput("--devices with --device " + device + ": use cpu, cuda or auto (the replicas take "
                    + "cuda:0..N-1)");
        }
        out.println(String.format(Locale.ROOT, "data-parallel step: batch %d per device x %d accumulation steps, %s; "
                + "%d warm-up steps, then the median of %d", cfg.data().batchSize(), cfg.train().accumulationSteps(),
                file, warmup, steps));
        List<Map<String, Object>> rows = new ArrayList<>();
        double first = Double.NaN;
        int firstCount = 0;
        boolean cpuSeen = false;
        for (int n : counts) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("devices", n);
            DeviceChoice.Choices choice;
            try {
                choice = DeviceChoice.openAll(kind, n);
            } catch (BadInput e) {
                out.println(String.format(Locale.ROOT, "devices %d: not measured (%s)", n, e.getMessage()));
                row.put("not_measured", e.getMessage());
                rows.add(row);
                continue;
            }
            List<Backend> backends = choice.backends();
            try {
                StepBench.Result r = StepBench.run(backends, cfg, warmup, steps, StepBench.wallClock(backends.get(0)));
                if (Double.isNaN(first)) {
                    first = r.samplesPerSecond();
                    firstCount = n;
                }
                boolean cpu = backends.get(0).name().equals("cpu");
                cpuSeen |= cpu;
                out.println(String.format(Locale.ROOT, "devices %d (%s): step %.3f ms, %.0f samples/s (global batch "
                        + "%d), %.2fx the samples/s of %d device(s)", n, choice.note(), r.secondsPerStep() * 1e3,
                        r.samplesPerSecond(), r.batch(), r.samplesPerSecond() / first, firstCount));
                row.put("samples_per_second_ratio", r.samplesPerSecond() / first);
                row.put("device", choice.note());
                row.put("global_batch", r.batch());
                row.put("seconds_per_step", r.secondsPerStep());
                row.put("samples_per_second", r.samplesPerSecond());
                rows.add(row);
            } finally {
                backends.forEach(Backend::close);
            }
        }
        if (cpuSeen) {
            out.println("note: CPU replicas share this machine's " + Runtime.getRuntime().availableProcessors()
                    + " cores and memory bandwidth: these figures show the cost of sharding and the all-reduce, not "
                    + "scaling");
        }
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("command", "bench step --devices");
            doc.put("config", file.toString());
            doc.put("batch_per_device", cfg.data().batchSize());
            doc.put("warmup", warmup);
            doc.put("steps", steps);
            doc.put("results", rows);
            BenchCommand.writeJson(json, doc);
            out.println("wrote " + json);
        }
        out.flush();
        return 0;
    }
}
