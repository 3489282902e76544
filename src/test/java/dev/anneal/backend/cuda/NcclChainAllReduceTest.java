package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link NcclChainAllReduce} under {@code mpirun}, each rank with one emulated CUDA device and the NCCL stand-in
 * ({@code src/test/native/fake_nccl.cpp}: NCCL's calls over MPI on the emulation's host memory, each send and
 * receive a copy on its stream that the emulated driver checks and orders). W = 2 and 3 ranks get the bits of the
 * single-process loop over all ranks' gradients, for sizes that are not a multiple of the chunk, with no host
 * synchronisation; bugs planted in the chain (the additions in the wrong order, NCCL on a stream not ordered with
 * the kernels) and a send from freed memory are caught. What this proves is the call sequence against a stand-in,
 * not NCCL on a GPU. Runs only in {@code scripts/test-cuda-emulated.sh} (which builds the stand-in), and needs
 * Open MPI (mpirun, mpicc).
 */
@Tag("emulator")
@Tag("mpi")
class NcclChainAllReduceTest {
    private static final String MAIN = NcclChainCheckMain.class.getName();
    private Path fakeNccl;
    private Path shim;

    @BeforeEach
    void emulatorWithTheStandIn() throws IOException, InterruptedException {
        assumeTrue(EmulatedDriver.active(), "runs only against the emulated driver (scripts/test-cuda-emulated.sh)");
        assumeTrue(onPath("mpirun") && onPath("mpicc"), "needs Open MPI (mpirun, mpicc)");
        fakeNccl = standIn();
        assumeTrue(fakeNccl != null, "no NCCL stand-in libnccl.so.2 on LD_LIBRARY_PATH (scripts/test-cuda-emulated.sh "
                + "builds it with mpicxx)");
        shim = buildShim();
    }

    @Test
    void twoAndThreeRanksGetTheBitsOfTheSingleProcessLoop() throws Exception {
        for (int ranks : new int[] {2, 3}) {
            Job job = run(ranks, "sum", "NONE", "1000", "1", "999", "1000", "3001", "10007");
            assertEquals(0, job.exit, job.output);
            for (int r = 0; r < ranks; r++) {
                for (String n : new String[] {"1", "999", "1000", "3001", "10007"}) {
                    assertTrue(job.output.contains("RANK " + r + " OK " + n + "\n"), "rank " + r + ", " + n
                            + " floats:\n" + job.output);
                    assertTrue(job.output.contains("RANK " + r + " SYNC " + n + " 0\n"),
                            "the sum made the host wait for the device:\n" + job.output);
                }
                assertTrue(job.output.contains("RANK " + r + " DESCRIBE by NCCL 2.0.0-anneal-fake: an ordered chain "
                        + "of sends and receives across the " + ranks + " processes"), job.output);
            }
        }
    }

    /** Chunks of 256 KiB: over Open MPI's eager limit, so a send waits for its receive, as NCCL's do. */
    @Test
    void largeChunksWhoseSendsWaitForTheirReceives() throws Exception {
        Job job = run(3, "sum", "NONE", "65536", "200003");
        assertEquals(0, job.exit, job.output);
        for (int r = 0; r < 3; r++) {
            assertTrue(job.output.contains("RANK " + r + " OK 200003\n"), job.output);
        }
    }

    @Test
    void additionsInTheWrongOrderAreCaught() throws Exception {
        Job job = run(3, "sum", "REVERSED_CHAIN", "1000", "3001");
        assertNotEquals(0, job.exit, job.output);
        for (int r = 0; r < 3; r++) {
            assertTrue(job.output.contains("RANK " + r + " MISMATCH 3001 at "), job.output);
        }
    }

    @Test
    void ncclOnAStreamNotOrderedWithTheKernelsIsARace() throws Exception {
        Job job = run(2, "sum", "OWN_STREAM", "1000", "3001");
        assertNotEquals(0, job.exit, job.output);
        assertTrue(job.output.contains(" ERROR "), job.output);
        assertTrue(job.driverLog.contains("a race on a GPU"), "the emulated driver's log:\n" + job.driverLog
                + "\noutput:\n" + job.output);
    }

    @Test
    void sendingFreedMemoryIsRefused() throws Exception {
        Job job = run(2, "freed");
        assertNotEquals(0, job.exit, job.output);
        assertTrue(job.output.contains("ERROR NcclException: ncclGroupEnd: unhandled cuda error"), job.output);
        assertTrue(job.output.contains("the emulated driver refused to read them"), job.output);
        assertTrue(job.driverLog.contains("is in freed memory (use after free)"), job.driverLog);
    }

    // ---- the job -----------------------------------------------------------------------------------------------

    /** A finished job: exit status, output (stdout and stderr), and the emulated driver's error lines. */
    private record Job(int exit, String output, String driverLog) {
    }

    /**
     * {@code timeout -k 5 120 mpirun -np RANKS java -cp <class path> NcclChainCheckMain ARGS}, one emulated device
     * per rank, the stand-in as NCCL, the driver's error lines in a log of this job's own.
     */
    private Job run(int ranks, String... args) throws IOException, InterruptedException {
        Path log = Files.createTempFile("nccl-emucuda-", ".log");
        List<String> command = new ArrayList<>(List.of("timeout", "-k", "5", "120", "mpirun", "--allow-run-as-root",
                "--oversubscribe", "--bind-to", "none", "-x", "LD_LIBRARY_PATH", "-x", "ANNEAL_CUDA_EMULATOR", "-x",
                "ANNEAL_CUDA_EMULATOR_DEVICES", "-x", "ANNEAL_CUDA_EMULATOR_LOG", "-x", "ANNEAL_MPI_SHIM", "-x",
                "ANNEAL_NCCL_LIBRARY", "-np", Integer.toString(ranks),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), MAIN));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("ANNEAL_CUDA_EMULATOR_DEVICES", "1");
        builder.environment().put("ANNEAL_CUDA_EMULATOR_LOG", log.toString());
        builder.environment().put("ANNEAL_MPI_SHIM", shim.toString());
        builder.environment().put("ANNEAL_NCCL_LIBRARY", fakeNccl.toString());
        Process process = builder.start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("mpirun did not end after its output closed:\n" + output);
            }
            return new Job(process.exitValue(), output, Files.readString(log));
        } finally {
            List<ProcessHandle> tree = process.descendants().toList();
            process.destroyForcibly();
            tree.forEach(ProcessHandle::destroyForcibly);
            Files.deleteIfExists(log);
        }
    }

    /** The stand-in on LD_LIBRARY_PATH (where scripts/test-cuda-emulated.sh puts it), or null. */
    private static Path standIn() {
        String path = System.getenv("LD_LIBRARY_PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir, "libnccl.so.2");
            if (!dir.isEmpty() && Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        return null;
    }

    /** The MPI shim (with NCCL's natives) for this build, built by scripts/build-mpi.sh. */
    private static Path buildShim() throws IOException, InterruptedException {
        Path buildDir = Path.of(System.getProperty("anneal.build.dir", "target")).toAbsolutePath();
        Process build = new ProcessBuilder("bash", "scripts/build-mpi.sh", buildDir.toString())
                .redirectErrorStream(true).start();
        String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!build.waitFor(120, TimeUnit.SECONDS) || build.exitValue() != 0) {
            throw new AssertionError("scripts/build-mpi.sh failed:\n" + out);
        }
        Path library = buildDir.resolve("native").resolve("libanneal_mpi.so");
        if (!Files.isRegularFile(library)) {
            throw new AssertionError("scripts/build-mpi.sh made no " + library + ":\n" + out);
        }
        return library;
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
