package dev.anneal.tune.sweep;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts one trial segment ({@code anneal train ...}) in its own JVM through {@link TrialMain}, with the sweep's
 * JVM options and class path, and {@code threads} CPU threads for both Anneal's pool ({@code anneal.cpu.threads})
 * and OpenBLAS ({@code OPENBLAS_NUM_THREADS}). Its own JVM because both thread counts are fixed when a JVM loads
 * them, so only a process gives each of several trials its share of the cores, and because a trial that fails or
 * runs out of memory then cannot take the sweep down. Output goes to the trial's log, appended.
 */
final class TrialProcess {
    /** How a segment ended: the exit status and the wall time in seconds. */
    record Exit(int status, double seconds) {
    }

    private TrialProcess() {
    }

    static Exit run(Path lock, Path freshDir, List<String> annealArgs, int threads, Path log)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.addAll(inheritedJvmOptions());
        cmd.add("-Danneal.cpu.threads=" + threads);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TrialMain.class.getName());
        cmd.add(lock.toString());
        cmd.add(freshDir == null ? "-" : freshDir.toString());
        cmd.addAll(annealArgs);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.writeString(log, "$ anneal " + String.join(" ", annealArgs) + "  (" + threads + " CPU threads)\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        env.put("OMP_NUM_THREADS", Integer.toString(threads));
        env.put("ANNEAL_CPU_THREADS", Integer.toString(threads));
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            int status = p.waitFor();
            return new Exit(status, (System.nanoTime() - t0) * 1e-9);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e;
        } finally {
            p.getOutputStream().close();
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The sweep JVM's -D, -X and -XX options (memory, anneal.home, ...), minus the thread count it sets itself. */
    private static List<String> inheritedJvmOptions() {
        List<String> out = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            boolean option = a.startsWith("-D") || a.startsWith("-X");
            if (option && !a.startsWith("-Danneal.cpu.threads=")) {
                out.add(a);
            }
        }
        return out;
    }
}
