package dev.anneal.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.data.Datasets;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Data parallelism on CPU replicas: N replicas with batch b train like one device with batch N*b (same global
 * batches in the same order, so the same updates up to the float summation order), the schedule advances once
 * per global update, and the replicas stay bit-identical.
 */
class DataParallelTest {
    // 601 samples: the last global step is short and does not split evenly among 3 or 4 replicas.
    private static final String BASE = """
            optimizer: {type: sgd, lr: 0.05, momentum: 0.9}
            schedule: {type: step, step_size: 7, gamma: 0.5}
            model: {hidden: [24], activation: tanh, init: kaiming}
            data: {dataset: synthetic, train_samples: 601, test_samples: 100, features: 12, classes: 4, batch_size: 48}
            train: {epochs: 2, seed: 11, clip_grad_norm: 2.0}
            """;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} replicas x batch {1}, accumulation {2}")
    @CsvSource({"2, 24, 1", "4, 12, 1", "3, 16, 1", "2, 12, 2", "4, 6, 2"})
    void replicasTrainLikeOneDeviceWithTheGlobalBatch(int devices, int batch, int accumulation) throws IOException {
        int global = devices * batch * accumulation;
        Run one = train(config(1, global / accumulation, accumulation), "one");
        Run many = train(config(devices, batch, accumulation), "many");
        assertEquals(one.losses.size(), many.losses.size(), "steps");
        assertEquals((601 + global - 1) / global * 2, many.losses.size(), "steps per epoch follow the global batch");
        for (int i = 0; i < one.losses.size(); i++) {
            double e = one.losses.get(i);
            double a = many.losses.get(i);
            assertEquals(e, a, 1e-5 + 1e-5 * Math.abs(e), "loss of step " + (i + 1));
            assertEquals(one.lrs.get(i), many.lrs.get(i), 0, "rate of step " + (i + 1));
        }
        for (int i = 0; i < one.params.length; i++) {
            assertEquals(one.params[i], many.params[i], 2e-5 + 2e-4 * Math.abs(one.params[i]), "parameter " + i);
        }
        assertEquals(one.last.testAccuracy(), many.last.testAccuracy(), 1.0 / 100);
    }

    @Test
    void replicasStayBitIdenticalAndADivergenceStopsTheRun() throws IOException {
        AnnealConfig cfg = LoadedConfig.parse("dp.yaml", BASE, List.of("devices=3", "train.check_replicas_every=5"))
                .config();
        Datasets data = Datasets.load(cfg.data(), cfg.train().seed());
        List<Backend> backends = List.of(new CpuBackend(), new CpuBackend(), new CpuBackend());
        try (Trainer t = new Trainer(cfg, data, backends, new RunDirectory(dir.resolve("ok")), new TrainListener() { })) {
            t.initialize();
            t.run();
            assertTrue(t.replicaGroup().firstDifference().isEmpty());
        }
        try (Trainer t = new Trainer(cfg, data, backends, new RunDirectory(dir.resolve("bad")),
                new TrainListener() { })) {
            t.initialize();
            // The planted bug: one parameter of replica 2 one ulp off.
            Replica r2 = t.replicaGroup().all().get(2);
            float[] p = new float[1];
            r2.backend.download(r2.model.parameters(), 17, p, 0, 1);
            r2.backend.upload(new float[] {Math.nextUp(p[0])}, 0, r2.model.parameters(), 17, 1);
            IllegalStateException e = assertThrows(IllegalStateException.class, t::run);
            assertTrue(e.getMessage().contains("replica 2") && e.getMessage().contains("update 5"), e.getMessage());
        }
    }

    private static AnnealConfig config(int devices, int batch, int accumulation) {
        return LoadedConfig.parse("dp.yaml", BASE, List.of("devices=" + devices, "data.batch_size=" + batch,
                "train.accumulation_steps=" + accumulation)).config();
    }

    private record Run(List<Double> losses, List<Double> lrs, float[] params, EvalMetrics last) {
    }

    private Run train(AnnealConfig cfg, String name) throws IOException {
        LossCurve listener = new LossCurve();
        Datasets data = Datasets.load(cfg.data(), cfg.train().seed());
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < cfg.devices(); i++) {
            backends.add(new CpuBackend());
        }
        try (Trainer t = new Trainer(cfg, data, backends, new RunDirectory(dir.resolve(name + cfg.devices())),
                listener)) {
            t.initialize();
            EvalMetrics last = t.run();
            assertTrue(t.replicaGroup().firstDifference().isEmpty(), "replicas bit-identical");
            return new Run(listener.losses, listener.rates, TrainerHarness.params(t, (CpuBackend) backends.get(0)), last);
        }
    }
}
