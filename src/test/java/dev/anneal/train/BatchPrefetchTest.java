package dev.anneal.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.data.Batches;
import dev.anneal.data.Dataset;
import dev.anneal.data.Datasets;
import dev.anneal.data.EpochOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * Gathering the next step's batches on a background thread ({@link BatchPrefetch}) changes no bit: two replicas
 * with accumulation and a short last step train to the same parameters and step statistics with and without it,
 * also when a prefetched step is not the one asked for next.
 */
class BatchPrefetchTest {
    private static final AnnealConfig CFG = TrainerHarness.config("devices=2", "train.accumulation_steps=2",
            "data.batch_size=7", "data.train_samples=101");

    private record Outcome(float[] params, List<ReplicaGroup.StepStats> stats) {
    }

    private static Outcome run(boolean prefetch, int[][] schedule) {
        Datasets data = Datasets.load(CFG.data(), CFG.train().seed());
        Dataset train = data.train();
        List<Backend> backends = List.of(new CpuBackend(), new CpuBackend());
        List<ReplicaGroup.StepStats> stats = new ArrayList<>();
        try (ReplicaGroup g = new ReplicaGroup(backends, CFG, train.shape(), train.classes(), 64, prefetch)) {
            g.initialize("kaiming", 3);
            for (int[] epochAndStep : schedule) {
                int[] order = EpochOrder.permutation(CFG.train().seed(), epochAndStep[0], train.n());
                stats.add(g.step(train, order, epochAndStep[1], 0.01, OptionalDouble.empty()));
            }
            float[] p = new float[(int) g.parameters()];
            backends.get(0).download(g.first().model.parameters(), 0, p, 0, p.length);
            return new Outcome(p, stats);
        } finally {
            backends.forEach(Backend::close);
        }
    }

    @Test
    void everyStepOfTwoEpochsGivesTheSameBitsWithAndWithoutPrefetching() {
        Datasets data = Datasets.load(CFG.data(), CFG.train().seed());
        int steps = Batches.stepsPerEpoch(data.train().n(), 7 * 2, 2);
        assertEquals(4, steps, "101 samples in steps of 28: the last one short");
        List<int[]> all = new ArrayList<>();
        for (int e = 0; e < 2; e++) {
            for (int s = 0; s < steps; s++) {
                all.add(new int[] {e, s});
            }
        }
        int[][] schedule = all.toArray(new int[0][]);
        Outcome plain = run(false, schedule);
        Outcome prefetched = run(true, schedule);
        assertArrayEquals(plain.params(), prefetched.params());
        assertEquals(plain.stats(), prefetched.stats());
    }

    @Test
    void aPrefetchedStepThatIsNotTheNextOneIsGatheredAgain() {
        int[][] schedule = {{0, 0}, {0, 2}, {1, 1}, {1, 2}};
        Outcome plain = run(false, schedule);
        Outcome prefetched = run(true, schedule);
        assertArrayEquals(plain.params(), prefetched.params());
        assertEquals(plain.stats(), prefetched.stats());
    }
}
