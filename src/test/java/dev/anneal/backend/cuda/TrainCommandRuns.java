package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code anneal train} run in process by the tests that compare the command's CUDA runs with its CPU run. */
final class TrainCommandRuns {
    private TrainCommandRuns() {
    }

    /** Skips the test unless CUDA can be used here, with at least {@code n} devices. */
    static void requireDevices(int n) {
        int available = CudaStatus.probe().devices().size();
        try (Parity.Gpu probe = Parity.open(CudaBackend.Gemm.AUTO)) {
            probe.orSkip();
            assumeTrue(available >= n, "needs " + n + " CUDA devices, this machine has " + available);
        }
    }

    /**
     * {@code anneal train --config config --run-dir dir/name --set s...}: asserts that it exits 0 and names its
     * device, keeps what it printed in {@code dir/name.out}, and returns the epochs of its metrics.jsonl.
     */
    static List<JsonNode> train(Path dir, Path config, String name, String... sets) throws IOException {
        List<String> args = new ArrayList<>(List.of("train", "--config", config.toString(), "--run-dir",
                dir.resolve(name).toString()));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.execute(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertEquals(0, status, name + ": " + out + err);
        Files.writeString(dir.resolve(name + ".out"), out.toString());
        assertTrue(out.toString().contains("anneal: device "), out.toString());
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> epochs = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(name).resolve("metrics.jsonl"))) {
            epochs.add(json.readTree(line));
        }
        return epochs;
    }
}
