package dev.anneal.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anneal.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mpirun -np 2 anneal train} on the emulated CUDA driver, one device per process ({@code device: cuda} means
 * the process's own GPU: rank 1 takes cuda:1), with the step replayed as CUDA graphs around the host-staged chain,
 * against one process training two emulated devices with the peer-copy all-reduce: every file of the last
 * checkpoint has the same bytes. Runs in scripts/test-cuda-emulated.sh (tag {@code emulator}), and only where Open
 * MPI is installed.
 */
@Tag("emulator")
@Tag("mpi")
class MultiProcessCudaTrainingTest {
    /** The emulated driver's environment, which the ranks need too. */
    private static final List<String> EMULATOR = List.of("LD_LIBRARY_PATH", "ANNEAL_CUDA_EMULATOR",
            "ANNEAL_CUDA_EMULATOR_DEVICES", "ANNEAL_CUDA_EMULATOR_LOG", "ANNEAL_CUDA_EMULATOR_PEER");
    private static final String CONFIG = """
            optimizer: {type: adamw, lr: 0.005}
            schedule: {type: cosine, t_max: 30}
            model:
              type: sequential
              layers:
                - {type: linear, out_features: 16}
                - {type: batch_norm1d}
                - {type: relu}
                - {type: dropout, p: 0.2}
                - {type: linear}
            data: {dataset: synthetic, train_samples: 256, test_samples: 64, features: 17, classes: 3, batch_size: 16}
            train: {epochs: 2, seed: 4, cuda_graph: true}
            device: cuda
            """;

    @TempDir
    Path dir;

    @Test
    void twoProcessesOfOneEmulatedGpuGiveTheBitsOfOneProcessOfTwo() throws Exception {
        assumeTrue("1".equals(System.getenv("ANNEAL_CUDA_EMULATOR")),
                "runs against the emulated driver (scripts/test-cuda-emulated.sh)");
        Path shim = MpiRun.shimOrSkip();
        Path config = Files.writeString(dir.resolve("job.yaml"), CONFIG);
        Path alone = dir.resolve("alone");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out), new PrintWriter(err), "train", "--config",
                config.toString(), "--run-dir", alone.toString(), "--set", "devices=2"), err.toString());
        Path spread = dir.resolve("spread");
        try (MpiRun job = MpiRun.startMain(shim, EMULATOR, 2, Main.class.getName(), "train", "--config",
                config.toString(), "--run-dir", spread.toString())) {
            assertEquals(0, job.waitFor(120), job.output());
            String log = job.output();
            assertTrue(log.contains("anneal: device cuda:0 (Anneal CUDA emulator"), log);
            assertTrue(log.contains("2 replicas (1 in each of 2 processes), gradients summed by an ordered chain"),
                    log);
            assertTrue(log.contains("steps replayed as CUDA graphs"), log);
        }
        Path last = lastCheckpoint(alone);
        for (String file : List.of("model.safetensors", "optimizer.safetensors", "trainer.json")) {
            Path other = spread.resolve("checkpoints").resolve(last.getFileName()).resolve(file);
            assertArrayEquals(Files.readAllBytes(last.resolve(file)), Files.readAllBytes(other), other
                    + " differs from " + last.resolve(file));
        }
    }

    private static Path lastCheckpoint(Path run) throws Exception {
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            List<Path> all = s.sorted().toList();
            return all.get(all.size() - 1);
        }
    }
}
