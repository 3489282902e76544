package dev.anneal.distributed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * One {@code mpirun} job of {@link MpiCheckMain} (or another main class) for the tests: {@code timeout -k 5 120 mpirun --allow-run-as-root
 * --oversubscribe --bind-to none -np W java -cp <this JVM's class path> MpiCheckMain ARGS}, with
 * {@code ANNEAL_MPI_SHIM} pointing at the shim this build made. Output lines are kept with the time they
 * arrived. {@link #close()} ends the job's processes by handle (the whole tree under the launcher).
 */
public final class MpiRun implements AutoCloseable {
    /** A line of the job's output (stdout and stderr) and when it arrived ({@link System#nanoTime()}). */
    record Line(String text, long nanos) {
    }

    private final Process process;
    private final List<Line> lines = new ArrayList<>();
    private final Thread reader;
    private volatile long exitNanos;

    private MpiRun(Process process) {
        this.process = process;
        process.onExit().thenRun(() -> exitNanos = System.nanoTime());
        this.reader = new Thread(this::read, "mpirun output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * The shim for this build ({@code <anneal.build.dir>/native}), built with {@code scripts/build-mpi.sh} when
     * mpicc is there; aborts the calling test (skipped, with the reason) without mpirun or mpicc.
     */
    public static Path shimOrSkip() throws IOException, InterruptedException {
        Assumptions.assumeTrue(onPath("mpirun"), "no mpirun on PATH: the MPI tests need Open MPI (openmpi-bin)");
        Assumptions.assumeTrue(onPath("mpicc"), "no mpicc on PATH: the MPI shim cannot be built (libopenmpi-dev)");
        Path buildDir = Path.of(System.getProperty("anneal.build.dir", "target")).toAbsolutePath();
        Process build = new ProcessBuilder("bash", "scripts/build-mpi.sh", buildDir.toString())
                .redirectErrorStream(true).start();
        String log = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!build.waitFor(120, TimeUnit.SECONDS) || build.exitValue() != 0) {
            throw new AssertionError("scripts/build-mpi.sh failed:\n" + log);
        }
        Path shim = buildDir.resolve("native").resolve(MpiShim.LIBRARY);
        if (!Files.isRegularFile(shim)) {
            throw new AssertionError("scripts/build-mpi.sh made no " + shim + ":\n" + log);
        }
        return shim;
    }

    static MpiRun start(Path shim, int ranks, String... args) throws IOException {
        return startMain(shim, ranks, MpiCheckMain.class.getName(), args);
    }

    /** The same job running {@code mainClass} (e.g. the CLI, {@code dev.anneal.cli.Main}) in each rank. */
    static MpiRun startMain(Path shim, int ranks, String mainClass, String... args) throws IOException {
        return startMain(shim, List.of(), ranks, mainClass, args);
    }

    /**
     * The same, with this JVM's environment variables {@code forwarded} (those that are set) exported to every rank
     * too ({@code mpirun -x}): e.g. the emulated CUDA driver's {@code LD_LIBRARY_PATH} and
     * {@code ANNEAL_CUDA_EMULATOR*}.
     */
    static MpiRun startMain(Path shim, List<String> forwarded, int ranks, String mainClass, String... args)
            throws IOException {
        return startMain(shim, forwarded, Map.of(), ranks, mainClass, args);
    }

    /**
     * The same, with the variables {@code set} put into the job's environment and exported to every rank too
     * (e.g. a driver log of this job's own).
     */
    public static MpiRun startMain(Path shim, List<String> forwarded, Map<String, String> set, int ranks,
                                   String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("timeout", "-k", "5", "120", "mpirun", "--allow-run-as-root",
                "--oversubscribe", "--bind-to", "none", "-x", MpiShim.PATH_VARIABLE));
        for (String name : forwarded) {
            if (System.getenv(name) != null && !set.containsKey(name)) {
                command.addAll(List.of("-x", name));
            }
        }
        for (String name : set.keySet()) {
            command.addAll(List.of("-x", name));
        }
        command.addAll(List.of("-np", Integer.toString(ranks),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djava.awt.headless=true", "-cp",
                System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put(MpiShim.PATH_VARIABLE, shim.toString());
        builder.environment().putAll(set);
        return new MpiRun(builder.start());
    }

    /** Waits for the job to end (at most {@code seconds}) and returns its exit status. */
    public int waitFor(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("mpirun did not end within " + seconds + " s; output:\n" + output());
        }
        reader.join(10_000);
        return process.exitValue();
    }

    /** When the job was seen to end, as {@link System#nanoTime()} (after {@link #waitFor}). */
    long exitNanos() {
        process.onExit().join();
        long seen = exitNanos;
        return seen != 0 ? seen : System.nanoTime();
    }

    /** Waits (at most {@code seconds}) for a line that satisfies {@code test}. */
    Optional<Line> awaitLine(Predicate<String> test, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            synchronized (lines) {
                for (Line line : lines) {
                    if (test.test(line.text())) {
                        return Optional.of(line);
                    }
                }
            }
            if (!process.isAlive() && !reader.isAlive()) {
                return Optional.empty();
            }
            Thread.sleep(20);
        }
        return Optional.empty();
    }

    /**
     * The processes of the job now: the launcher this class started ({@code timeout}), {@code mpirun} and every
     * process under them (the ranks' JVMs).
     */
    List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process.toHandle());
        process.descendants().forEach(all::add);
        return all;
    }

    /**
     * The JVM of each rank, by rank, once {@code ranks} of them are running (at most {@code seconds}): the job's
     * processes whose environment holds {@code OMPI_COMM_WORLD_RANK} (read from {@code /proc/PID/environ}, so
     * Linux only; mpirun itself has no rank).
     */
    Map<Integer, ProcessHandle> rankProcesses(int ranks, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Map<Integer, ProcessHandle> found = new TreeMap<>();
        while (found.size() < ranks) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("found the processes of ranks " + found.keySet() + " of " + ranks
                        + " within " + seconds + " s; output:\n" + output());
            }
            process.descendants().forEach(p -> rankOf(p).ifPresent(r -> found.put(r, p)));
            Thread.sleep(20);
        }
        return found;
    }

    private static Optional<Integer> rankOf(ProcessHandle p) {
        byte[] environ;
        try {
            environ = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ"));
        } catch (IOException e) {
            return Optional.empty(); // ended meanwhile, or not Linux
        }
        for (String entry : new String(environ, StandardCharsets.UTF_8).split("\0")) {
            if (entry.startsWith("OMPI_COMM_WORLD_RANK=")) {
                return Optional.of(Integer.parseInt(entry.substring("OMPI_COMM_WORLD_RANK=".length())));
            }
        }
        return Optional.empty();
    }

    /** The output lines that start with {@code prefix}. */
    List<String> lines(String prefix) {
        synchronized (lines) {
            return lines.stream().map(Line::text).filter(t -> t.startsWith(prefix)).toList();
        }
    }

    /** The job's output lines so far, joined by newlines. */
    public String output() {
        synchronized (lines) {
            return lines.stream().map(Line::text).collect(Collectors.joining("\n"));
        }
    }

    @Override
    public void close() {
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String text;
            while ((text = in.readLine()) != null) {
                synchronized (lines) {
                    lines.add(new Line(text, System.nanoTime()));
                }
            }
        } catch (IOException e) {
            synchronized (lines) {
                lines.add(new Line("(reading mpirun's output failed: " + e + ")", System.nanoTime()));
            }
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
