package dev.anneal.tune.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ASHA's rungs, its top-1/eta rule, and decisions that do not depend on the order results arrive in. */
class SweepAshaTest {
    private static final SweepMetric ACCURACY = SweepMetric.of("test_accuracy", null, "t");
    private static final SweepMetric LOSS = SweepMetric.of("test_loss", null, "t");

    @TempDir
    Path dir;

    @Test
    void rungsGrowByEtaFromMinEpochsUpToTheRunsEpochs() {
        assertEquals(List.of(1L, 3L, 9L, 27L), new Asha(1, 3).rungs(27));
        assertEquals(List.of(1L, 3L, 9L, 20L), new Asha(1, 3).rungs(20));
        assertEquals(List.of(2L, 4L, 8L, 10L), new Asha(2, 2).rungs(10));
        assertEquals(List.of(1L), new Asha(1, 3).rungs(1));
        assertEquals(List.of(3L), new Asha(5, 3).rungs(3));
    }

    @Test
    void aTrialGoesOnOnlyInTheTopThirdOfItsRung() {
        Asha asha = new Asha(1, 3);
        assertTrue(asha.continues(0.5, List.of(0.5), ACCURACY), "the first at a rung goes on");
        assertFalse(asha.continues(0.4, List.of(0.5, 0.4), ACCURACY));
        assertTrue(asha.continues(0.6, List.of(0.5, 0.6), ACCURACY));
        assertFalse(asha.continues(0.5, List.of(0.9, 0.8, 0.5), ACCURACY));
        assertTrue(asha.continues(0.8, List.of(0.9, 0.1, 0.2, 0.8), ACCURACY), "ceil(4/3) = 2 go on");
        assertTrue(asha.continues(0.1, List.of(0.3, 0.1), LOSS), "a lower loss is better");
        assertFalse(asha.continues(Double.NaN, List.of(0.3, Double.NaN), LOSS), "NaN ranks last");
        assertTrue(asha.continues(0.5, List.of(0.5, 0.5, 0.5), ACCURACY), "ties are not better");
    }

    @Test
    void decisionsWaitForEarlierTrialsSoTimingDoesNotMatter() throws Exception {
        RungBoard board = new RungBoard(dir.resolve("rungs.csv"), new Asha(1, 3), ACCURACY);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            board.record(1, 1, 0.5);
            Future<Boolean> second = pool.submit(() -> board.decide(1, 1));
            Thread.sleep(100);
            assertFalse(second.isDone(), "trial 1 waits for trial 0 at rung 1");
            board.record(0, 1, 0.9);
            assertFalse(second.get(10, TimeUnit.SECONDS), "0.5 is not in the top third of {0.9, 0.5}");
            assertTrue(board.decide(0, 1));
            board.end(2);
            board.record(3, 1, 0.95);
            assertTrue(board.decide(3, 1), "a trial that ended below the rung does not count");
        } finally {
            pool.shutdownNow();
        }
        RungBoard reloaded = new RungBoard(dir.resolve("rungs.csv"), new Asha(1, 3), ACCURACY);
        assertEquals(0.9, reloaded.result(0, 1));
        assertEquals(0.95, reloaded.result(3, 1));
    }
}
