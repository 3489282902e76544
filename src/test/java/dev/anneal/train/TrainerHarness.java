package dev.anneal.train;

import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.data.Datasets;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Small synthetic training runs for tests. */
final class TrainerHarness {
    static final String BASE = """
            optimizer: {type: adamw, lr: 0.01}
            schedule: {type: cosine, t_max: 60, warmup: {steps: 5, start_factor: 0.1}}
            model: {hidden: [16], init: kaiming}
            data: {dataset: synthetic, train_samples: 200, test_samples: 64, features: 8, classes: 3, batch_size: 20}
            train: {epochs: 2, seed: 3}
            """;

    private TrainerHarness() {
    }

    static AnnealConfig config(String... sets) {
        return LoadedConfig.parse("test.yaml", BASE, List.of(sets)).config();
    }

    /** Trains a fresh run in {@code dir} and returns the final parameters. */
    static float[] train(AnnealConfig cfg, Path dir) throws IOException {
        return train(cfg, dir, new TrainListener() { });
    }

    static float[] train(AnnealConfig cfg, Path dir, TrainListener listener) throws IOException {
        Datasets data = Datasets.load(cfg.data(), cfg.train().seed());
        try (CpuBackend b = new CpuBackend(); Trainer t = new Trainer(cfg, data, b, new RunDirectory(dir), listener)) {
            t.initialize();
            t.run();
            return params(t, b);
        }
    }

    /** Resumes the run in {@code dir} from its newest checkpoint and returns the final parameters. */
    static float[] resume(AnnealConfig cfg, Path dir) throws IOException {
        Datasets data = Datasets.load(cfg.data(), cfg.train().seed());
        try (CpuBackend b = new CpuBackend();
             Trainer t = new Trainer(cfg, data, b, new RunDirectory(dir), new TrainListener() { })) {
            t.resumeFrom(new Checkpoints(dir, 1).latest().orElseThrow());
            t.run();
            return params(t, b);
        }
    }

    static float[] params(Trainer t, CpuBackend b) {
        float[] p = new float[(int) t.model().size()];
        b.download(t.model().parameters(), 0, p, 0, p.length);
        return p;
    }
}
