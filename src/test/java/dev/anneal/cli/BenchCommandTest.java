package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.cuda.CudaStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    private static final String TINY = """
            optimizer: {type: adamw, lr: 0.01}
            model: {hidden: [16]}
            data: {dataset: synthetic, train_samples: 100, test_samples: 20, features: 8, classes: 3, batch_size: 32}
            """;

    @TempDir
    Path dir;

    @Test
    void kernelsTimesEveryOpAndSaysWhatItTimed() throws IOException {
        Path json = dir.resolve("k.json");
        CliRun r = CliRun.of("bench", "kernels", "--sizes", "100000", "--gemm-sizes", "64", "--repeats", "3",
                "--json", json.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        String first = r.lines()[0];
        if (!CudaStatus.probe().usable()) {
            assertTrue(first.startsWith("no CUDA device (") && first.contains("): timing the CPU backend"), first);
        }
        for (String op : new String[] {"adam ", "adamw ", "sgd-momentum ", "rmsprop ", "scale ", "axpy ",
                "squared-norm ", "sgemm "}) {
            assertTrue(r.out().contains("\n" + op), op + " missing from\n" + r.out());
        }
        assertTrue(r.out().contains("% of copy ("), r.out());
        String doc = Files.readString(json);
        assertTrue(doc.contains("\"op\" : \"adam\"") && doc.contains("\"unit\" : \"GFLOP/s\""), doc);
    }

    @Test
    void kernelsOnTheCpuWhenAsked() {
        CliRun r = CliRun.of("bench", "kernels", "--device", "cpu", "--sizes", "1000", "--gemm-sizes", "0",
                "--repeats", "1", "--warmup", "0");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.lines()[0].startsWith("device cpu: timing the CPU backend"), r.out());
        assertTrue(!r.out().contains("sgemm"), r.out());
    }

    @Test
    void stepReportsSamplesPerSecond() throws IOException {
        Path cfg = dir.resolve("tiny.yaml");
        Files.writeString(cfg, TINY);
        CliRun r = CliRun.of("bench", "step", "--config", cfg.toString(), "--steps", "3");
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("model: mlp 8-16-3 ("), r.out());
        assertTrue(r.out().contains("batch 32"), r.out());
        assertTrue(r.out().matches("(?s).*step: [0-9.]+ ms, [0-9]+ samples/s.*"), r.out());
    }

    @Test
    void stepPerDeviceCountTimesTheDataParallelStep() throws IOException {
        Path cfg = dir.resolve("tiny.yaml");
        Files.writeString(cfg, TINY);
        Path json = dir.resolve("scaling.json");
        CliRun r = CliRun.of("bench", "step", "--config", cfg.toString(), "--device", "cpu", "--devices", "1,3",
                "--steps", "3", "--json", json.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().matches("(?s).*devices 1 \\(cpu[^\n]*samples/s \\(global batch 32\\), 1.00x.*"), r.out());
        assertTrue(r.out().matches("(?s).*devices 3 \\(cpu x 3 replicas[^\n]*\\(global batch 96\\).*"), r.out());
        assertTrue(r.out().contains("not scaling"), r.out());
        String doc = Files.readString(json);
        assertTrue(doc.contains("\"devices\" : 3") && doc.contains("\"global_batch\" : 96"), doc);
    }

    @Test
    void badOptionsGiveOneLineAndExit2() throws IOException {
        Path cfg = dir.resolve("tiny.yaml");
        Files.writeString(cfg, TINY);
        String[][] cases = {
                {"bench", "kernels", "--sizes", "0"},
                {"bench", "kernels", "--repeats", "0"},
                {"bench", "kernels", "--gemm-sizes", "-4"},
                {"bench", "kernels", "--device", "tpu"},
                {"bench", "step", "--config", cfg.toString(), "--steps", "0"},
                {"bench", "step", "--config", cfg.toString(), "--devices", "1,0"},
                {"bench", "step", "--config", cfg.toString(), "--devices", "2", "--device", "cuda:1"},
                {"bench", "step", "--config", dir.resolve("missing.yaml").toString()},
        };
        for (String[] args : cases) {
            CliRun r = CliRun.of(args);
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().split("\n").length, r.err());
            assertTrue(r.err().startsWith("anneal: "), r.err());
        }
    }

    @Test
    void benchWithoutASubcommandIsAUsageError() {
        assertEquals(2, CliRun.of("bench").status());
    }
}
