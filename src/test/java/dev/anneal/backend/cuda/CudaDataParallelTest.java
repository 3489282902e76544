package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.data.Datasets;
import dev.anneal.train.LossCurve;
import dev.anneal.train.RunDirectory;
import dev.anneal.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Data parallelism over two CUDA devices (in CI: two emulated devices): two replicas with batch b train like one
 * device with batch 2b, with and without accumulation and with the step captured as CUDA graphs; two CUDA
 * replicas give the bits of two CPU replicas' loss curve to float tolerance.
 */
@Tag("gpu")
class CudaDataParallelTest {
    private static final String BASE = """
            optimizer: {type: adam, lr: 0.005}
            schedule: {type: cosine, t_max: 40, warmup: {steps: 4, start_factor: 0.2}}
            model: {hidden: [32], activation: relu, init: kaiming}
            data: {dataset: synthetic, train_samples: 301, test_samples: 100, features: 17, classes: 3, batch_size: 32}
            train: {epochs: 2, seed: 4, clip_grad_norm: 1.0}
            """;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "accumulation {0}, cuda_graph {1}")
    @CsvSource({"1, false", "2, false", "1, true", "2, true"})
    void twoDevicesTrainLikeOneWithTheGlobalBatch(int accumulation, boolean graph) throws IOException {
        int available = CudaStatus.probe().devices().size();
        try (Parity.Gpu probe = Parity.open(CudaBackend.Gemm.AUTO)) {
            probe.orSkip();
            assumeTrue(available >= 2, "needs 2 CUDA devices, this machine has " + available);
        }
        String[] common = {"train.accumulation_steps=" + accumulation, "train.cuda_graph=" + graph};
        Run one = train(config(1, 32, common), "cuda", "one");
        Run two = train(config(2, 16, common), "cuda", "two");
        Run cpu = train(config(2, 16, common), "cpu", "cpu");
        assertEquals(one.losses.size(), two.losses.size());
        for (int i = 0; i < one.losses.size(); i++) {
            double e = one.losses.get(i);
            assertEquals(e, two.losses.get(i), 1e-5 + 1e-5 * Math.abs(e), "loss of step " + (i + 1));
            assertEquals(cpu.losses.get(i), two.losses.get(i), 1e-5 + 1e-5 * Math.abs(e), "cpu vs cuda, step " + (i + 1));
        }
        for (int i = 0; i < one.params.length; i++) {
            assertEquals(one.params[i], two.params[i], 2e-5 + 2e-4 * Math.abs(one.params[i]), "parameter " + i);
        }
    }

    private static AnnealConfig config(int devices, int batch, String... sets) {
        List<String> all = new ArrayList<>(List.of("devices=" + devices, "data.batch_size=" + batch));
        all.addAll(List.of(sets));
        return LoadedConfig.parse("dp-gpu.yaml", BASE, all).config();
    }

    private record Run(List<Double> losses, float[] params) {
    }

    private Run train(AnnealConfig cfg, String kind, String name) throws IOException {
        LossCurve listener = new LossCurve();
        List<Double> losses = listener.losses;
        Datasets data = Datasets.load(cfg.data(), cfg.train().seed());
        List<Backend> backends = new ArrayList<>();
        try {
            for (int i = 0; i < cfg.devices(); i++) {
                backends.add(kind.equals("cpu") ? new CpuBackend() : CudaBackend.open(i));
            }
            try (Trainer t = new Trainer(cfg, data, backends, new RunDirectory(dir.resolve(name)), listener)) {
                t.initialize();
                t.run();
                assertEquals(java.util.Optional.empty(), t.replicaDifference(), "replicas hold the same bits");
                return new Run(losses, Parity.get(backends.get(0), t.model().parameters()));
            }
        } finally {
            backends.forEach(Backend::close);
        }
    }
}
