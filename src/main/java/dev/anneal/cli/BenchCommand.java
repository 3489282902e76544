package dev.anneal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.anneal.backend.Backend;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.backend.cpu.CpuGemm;
import dev.anneal.backend.cpu.CpuParallel;
import dev.anneal.backend.cuda.CudaBackend;
import dev.anneal.backend.cuda.CudaException;
import dev.anneal.backend.cuda.CudaStatus;
import dev.anneal.backend.cuda.CudaUnavailable;
import dev.anneal.backend.cuda.DeviceChoice;
import dev.anneal.bench.BenchResult;
import dev.anneal.bench.KernelBench;
import dev.anneal.bench.OpTimer;
import dev.anneal.bench.StepBench;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.config.SizeLimits;
import dev.anneal.spec.SpecException;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code anneal bench kernels}, {@code anneal bench step} and {@code anneal bench loader}
 * ({@link BenchLoaderCommand}): kernel timings, training-step throughput, and the data loader against the step. The
 * first line says what is timed; without a usable GPU and with {@code --device auto} they run the CPU backend
 * and say so ({@code "no CUDA device (why): timing the CPU backend"}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time the kernels (GB/s, GFLOP/s), the training step (samples/s) or the data loader "
                + "against it.",
        subcommands = {BenchCommand.Kernels.class, BenchCommand.Step.class, BenchLoaderCommand.class})
final class BenchCommand implements Runnable {
    /** CUDA: rotate buffer sets holding at least twice this (above the L2 of current GPUs: 50 MB on H100). */
    static final long CUDA_CACHE_BYTES = 128L << 20;
    /** The largest vector size (the copy for Adam's bytes is 3.5x as many floats, in a Java array on the CPU). */
    static final long MAX_SIZE = 500_000_000L;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing a command: anneal bench kernels | step | loader");
    }

    @Command(name = "kernels", mixinStandardHelpOptions = true,
            description = "Time the fused optimizer steps and elementwise ops (GB/s, %% of a copy of the same bytes) "
                    + "and SGEMM (GFLOP/s, %% of cuBLAS on CUDA).")
    static final class Kernels implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--sizes", split = ",", paramLabel = "N",
                description = "Elements per vector op (default: 10000000,100000000 on CUDA, 10000000 on the CPU).")
        List<Long> sizes;

        @Option(names = "--gemm-sizes", split = ",", paramLabel = "N",
                description = "SGEMM matrix sides, n x n times n x n (default: 1024,2048,4096); 0 for none.")
        List<Integer> gemmSizes;

        @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto",
                description = "auto | cpu | cuda | cuda:N (default: ${DEFAULT-VALUE}).")
        String device;

        @Option(names = "--repeats", paramLabel = "R",
                description = "Timed runs per op; the median is reported (default: 50 on CUDA, 10 on the CPU).")
        Integer repeats;

        @Option(names = "--warmup", paramLabel = "W",
                description = "Untimed runs first (default: 5 on CUDA, 2 on the CPU).")
        Integer warmup;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
        Path json;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            OutputPath.check("--json", json);
            List<Long> vectorSizes = sizes == null ? null : checkSizes(sizes);
            List<Integer> gemm = gemmSizes == null ? List.of(1024, 2048, 4096) : checkGemmSizes(gemmSizes);
            checkRuns(repeats, warmup);
            try (Opened o = Opened.open(device)) {
                out.println(o.line());
                boolean cuda = o.backend() instanceof CudaBackend;
                KernelBench.Settings settings = new KernelBench.Settings(
                        vectorSizes != null ? vectorSizes : cuda ? List.of(10_000_000L, 100_000_000L)
                                : List.of(10_000_000L),
                        gemm,
                        warmup != null ? warmup : cuda ? 5 : 2,
                        repeats != null ? repeats : cuda ? 50 : 10,
                        cuda ? CUDA_CACHE_BYTES : lastLevelCacheBytes(),
                        cuda ? 3 : 2);
                out.println(String.format(Locale.ROOT, "method: %d warm-up runs, then the median of %d, rotating "
                        + "buffer sets holding >= %d MiB together; timed with %s", settings.warmup(),
                        settings.repeats(), 2 * settings.cacheBytes() >> 20,
                        cuda ? "CUDA events on the backend's stream" : "System.nanoTime around each call"));
                List<BenchResult> results;
                CudaBackend ours = null;
                try {
                    Backend gemmBackend = o.backend();
                    KernelBench.GemmReference ref;
                    if (o.backend() instanceof CudaBackend c) {
                        if (!gemm.isEmpty()) {
                            ours = CudaBackend.open(c.device().ordinal(), "kernels");
                            gemmBackend = ours;
                        }
                        ref = c.gemmImplementation().equals("cuBLAS")
                                ? new KernelBench.GemmReference("cuBLAS", c, null)
                                : KernelBench.GemmReference.none(c.gemmImplementation());
                    } else {
                        ref = KernelBench.GemmReference.none("cuBLAS is CUDA only");
                        out.println("note: the CPU backend's copy is one System.arraycopy while its fused ops run on "
                                + CpuParallel.threads() + " threads, so on the CPU \"% of copy\" can pass 100");
                    }
                    out.println(header());
                    out.flush();
                    KernelBench bench = new KernelBench(o.backend(), gemmBackend, ref, BenchCommand::timerFor,
                            settings);
                    results = bench.run(r -> {
                        out.println(row(r));
                        out.flush();
                    });
                } finally {
                    if (ours != null) {
                        ours.close();
                    }
                }
                if (json != null) {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("command", "bench kernels");
                    doc.put("device", o.line());
                    doc.put("backend", o.backend().name());
                    doc.put("warmup", settings.warmup());
                    doc.put("repeats", settings.repeats());
                    doc.put("results", results.stream().map(BenchCommand::toMap).collect(Collectors.toList()));
                    writeJson(json, doc);
                    out.println("wrote " + json);
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "step", mixinStandardHelpOptions = true,
            description = "Training-step throughput (samples/s) of the config's model at its batch size on random "
                    + "data of its shape.")
    static final class Step implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", paramLabel = "FILE",
                description = "YAML config (default: " + TrainCommand.DEFAULT_CONFIG + ").")
        Path config;

        @Option(names = "--device", paramLabel = "DEVICE",
                description = "auto | cpu | cuda | cuda:N (default: the config's device).")
        String device;

        @Option(names = "--steps", paramLabel = "N", defaultValue = "50",
                description = "Timed steps; the median is reported (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--warmup", paramLabel = "W", defaultValue = "5",
                description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON to FILE.")
        Path json;

        @picocli.CommandLine.Mixin
        ConfigOverrides overrides;

        @Option(names = "--devices", paramLabel = "N[,N...]", split = ",",
                description = "Data-parallel replica counts to time, e.g. 1,2,4: the step with the batch per device "
                        + "of the config on N devices (CPU replicas on threads, or cuda:0..N-1), and the speed-up "
                        + "over the first count.")
        List<Integer> devices;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            checkRuns(steps, warmup);
            OutputPath.check("--json", json);
            Path file = config != null ? config : TrainCommand.defaultConfig("--config", "pass --config FILE");
            LoadedConfig loaded = LoadedConfig.load(file, overrides.assignments());
            AnnealConfig cfg = loaded.config();
            if (devices != null) {
                checkReplicasFit(loaded, devices);
                return DeviceScaling.run(out, cfg, file, device != null ? device : cfg.device(), devices, warmup, steps,
                        json);
            }
            try (Opened o = Opened.open(device != null ? device : cfg.device())) {
                out.println(o.line());
                out.flush();
                StepBench.Result r = StepBench.run(o.backend(), cfg, warmup, steps, StepBench.wallClock(o.backend()));
                String model = cfg.model().type().equals("sequential")
                        ? "sequential " + cfg.model().layers().stream().map(dev.anneal.model.LayerSpec::nameOf)
                                .collect(Collectors.joining("-"))
                        : "mlp " + r.inputs() + "-" + cfg.model().hidden().stream().map(String::valueOf)
                        .collect(Collectors.joining("-")) + (cfg.model().hidden().isEmpty() ? "" : "-") + r.classes();
                out.println(String.format(Locale.ROOT, "model: %s (%d parameters), batch %d, %s; %s", model,
                        r.parameters(), r.batch(), cfg.optimizer().getClass().getSimpleName().toLowerCase(Locale.ROOT),
                        file));
                out.println(String.format(Locale.ROOT, "method: %d warm-up steps, then the median of %d "
                        + "(upload, forward + backward, norm, optimizer step, statistics read back; wall clock)%s",
                        warmup, steps, cfg.train().graphs(o.backend().capturesGraphs())
                                ? "; replayed as a CUDA graph (train.cuda_graph: " + cfg.train().cudaGraph() + ")"
                                : o.backend().capturesGraphs() ? "; op by op (train.cuda_graph: false)" : ""));
                out.println(String.format(Locale.ROOT, "step: %.3f ms, %.0f samples/s", r.secondsPerStep() * 1e3,
                        r.samplesPerSecond()));
                out.println(String.format(Locale.ROOT, "host: %.1f us per step (queuing a step while the one before "
                        + "it runs, waits for the device excluded%s)", r.hostSecondsPerStep() * 1e6,
                        o.backend().capturesGraphs() ? "" : "; the CPU runs each op as it is queued, so this is the "
                        + "whole step"));
                if (json != null) {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("command", "bench step");
                    doc.put("device", o.line());
                    doc.put("backend", o.backend().name());
                    doc.put("config", file.toString());
                    doc.put("model", model);
                    doc.put("parameters", r.parameters());
                    doc.put("batch", r.batch());
                    doc.put("warmup", warmup);
                    doc.put("steps", steps);
                    doc.put("seconds_per_step", r.secondsPerStep());
                    doc.put("host_seconds_per_step", r.hostSecondsPerStep());
                    doc.put("samples_per_second", r.samplesPerSecond());
                    writeJson(json, doc);
                    out.println("wrote " + json);
                }
            }
            out.flush();
            return 0;
        }
    }

    /**
     * Refuses {@code --devices} counts whose replicas cannot all be allocated ({@link SizeLimits}), before any
     * is timed.
     */
    static void checkReplicasFit(LoadedConfig loaded, List<Integer> counts) {
        int most = counts.stream().mapToInt(Integer::intValue).max().orElse(1);
        if (most < 1) {
            return;
        }
        AnnealConfig widest;
        try {
            widest = loaded.config().withDevices(most);
        } catch (SpecException e) {
            throw loaded.document().error(e.key(), e.problem());
        }
        SizeLimits.check(widest, key -> true).ifPresent(e -> {
            if (e.key().equals("devices")) {
                throw new BadInput("--devices " + e.problem());
            }
            throw loaded.document().error(e.key(), e.problem() + " (with --devices " + most + ")");
        });
    }

    /** The backend to time and the first line saying which it is. */
    record Opened(Backend backend, String line) implements AutoCloseable {
        static Opened open(String device) {
            if (device.equals("cpu")) {
                return new Opened(new CpuBackend(), "device cpu: timing the CPU backend (" + cpuDetails() + ")");
            }
            if (!device.equals("auto")) {
                DeviceChoice.Choice c = DeviceChoice.open(device);
                return new Opened(c.backend(), "device " + c.note());
            }
            CudaStatus status = CudaStatus.probe();
            String reason = status.problem();
            if (reason == null && status.devices().isEmpty()) {
                reason = "there is no CUDA device";
            }
            if (reason == null) {
                try {
                    CudaBackend b = CudaBackend.open(0);
                    return new Opened(b, "device cuda:0 (" + b.device().describe() + ", driver " + status.driver()
                            + "); SGEMM " + b.gemmImplementation());
                } catch (CudaUnavailable e) {
                    reason = e.reason();
                } catch (CudaException e) {
                    reason = "setting up cuda:0 failed: " + e.getMessage();
                }
            }
            return new Opened(new CpuBackend(), "no CUDA device (" + reason + "): timing the CPU backend ("
                    + cpuDetails() + ")");
        }

        @Override
        public void close() {
            backend.close();
        }
    }

    static OpTimer timerFor(Backend b) {
        if (b instanceof CudaBackend c) {
            return op -> c.elapsedMillis(op) / 1e3;
        }
        return StepBench.wallClock(b);
    }

    private static String cpuDetails() {
        return "SGEMM " + CpuGemm.implementation() + ", " + CpuParallel.threads() + " threads";
    }

    static List<Long> checkSizes(List<Long> sizes) {
        for (long n : sizes) {
            if (n < 1 || n > MAX_SIZE) {
                throw new BadInput("--sizes must be between 1 and " + MAX_SIZE + ", got " + n);
            }
        }
        return sizes;
    }

    static List<Integer> checkGemmSizes(List<Integer> sizes) {
        List<Integer> kept = new ArrayList<>();
        for (int n : sizes) {
            if (n < 0 || n > 32768) {
                throw new BadInput("--gemm-sizes must be between 1 and 32768 (0 for none), got " + n);
            }
            if (n > 0) {
                kept.add(n);
            }
        }
        return kept;
    }

    static void checkRuns(Integer repeats, Integer warmup) {
        if (repeats != null && repeats < 1) {
            throw new BadInput("--repeats/--steps must be >= 1, got " + repeats);
        }
        if (warmup != null && warmup < 0) {
            throw new BadInput("--warmup must be >= 0, got " + warmup);
        }
    }

    /** The largest CPU cache in /sys (the L3 on most machines), or 32 MiB where it cannot be read. */
    static long lastLevelCacheBytes() {
        long best = 0;
        for (int i = 0; i < 8; i++) {
            Path p = Path.of("/sys/devices/system/cpu/cpu0/cache/index" + i + "/size");
            try {
                if (Files.isRegularFile(p)) {
                    best = Math.max(best, parseCacheSize(Files.readString(p).trim()));
                }
            } catch (IOException | NumberFormatException e) {
                // unreadable: keep what we have
            }
        }
        return best > 0 ? best : 32L << 20;
    }

    /** {@code "32768K"}, {@code "1M"}, {@code "512"} to bytes. */
    static long parseCacheSize(String s) {
        char unit = Character.toUpperCase(s.charAt(s.length() - 1));
        if (unit == 'K') {
            return Long.parseLong(s.substring(0, s.length() - 1)) << 10;
        }
        if (unit == 'M') {
            return Long.parseLong(s.substring(0, s.length() - 1)) << 20;
        }
        return Long.parseLong(s);
    }

    static String header() {
        return String.format(Locale.ROOT, "%-14s %11s %12s %10s %-8s %s", "op", "size", "median", "rate", "unit",
                "vs");
    }

    static String row(BenchResult r) {
        String vs;
        if (r.reference() == null) {
            vs = "no reference (" + r.note() + ")";
        } else {
            vs = String.format(Locale.ROOT, "%5.1f%% of %s (%.1f %s)", r.percent(), r.reference(), r.referenceRate(),
                    r.unit());
        }
        return String.format(Locale.ROOT, "%-14s %11d %12s %10.1f %-8s %s", r.op(), r.size(), time(r.seconds()),
                r.rate(), r.unit(), vs);
    }

    /** Seconds in a readable unit: {@code 12.3 us}, {@code 4.56 ms}, {@code 1.234 s}. */
    static String time(double seconds) {
        if (seconds < 1e-3) {
            return String.format(Locale.ROOT, "%.1f us", seconds * 1e6);
        }
        if (seconds < 1) {
            return String.format(Locale.ROOT, "%.3f ms", seconds * 1e3);
        }
        return String.format(Locale.ROOT, "%.3f s", seconds);
    }

    static Map<String, Object> toMap(BenchResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("op", r.op());
        m.put("size", r.size());
        m.put("median_seconds", r.seconds());
        m.put("rate", r.rate());
        m.put("unit", r.unit());
        m.put("reference", r.reference());
        m.put("reference_rate", Double.isNaN(r.referenceRate()) ? null : r.referenceRate());
        m.put("percent_of_reference", Double.isNaN(r.percent()) ? null : r.percent());
        m.put("note", r.note());
        return m;
    }

    /** Writes {@code doc} to {@code --json FILE}; a file that cannot be written is one line naming it. */
    static void writeJson(Path file, Map<String, Object> doc) throws IOException {
        byte[] bytes = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc);
        OutputPath.write("--json", file, out -> out.write(bytes));
    }
}
