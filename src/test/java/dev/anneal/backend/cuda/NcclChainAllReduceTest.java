package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anneal.distributed.MpiRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        shim = MpiRun.shimOrSkip();
        fakeNccl = standIn();
        assumeTrue(fakeNccl != null, "no NCCL stand-in libnccl.so.2 on LD_LIBRARY_PATH (scripts/test-cuda-emulated.sh "
                + "builds it with mpicxx)");
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
        try (MpiRun job = MpiRun.startMain(shim, List.of("LD_LIBRARY_PATH", "ANNEAL_CUDA_EMULATOR"),
                Map.of("ANNEAL_CUDA_EMULATOR_DEVICES", "1", "ANNEAL_CUDA_EMULATOR_LOG", log.toString(),
                        "ANNEAL_NCCL_LIBRARY", fakeNccl.toString()), ranks, MAIN, args)) {
            int exit = job.waitFor(120);
            return new Job(exit, job.output() + "\n", Files.readString(log));
        } finally {
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
}
