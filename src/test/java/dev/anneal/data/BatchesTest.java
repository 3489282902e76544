package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BatchesTest {
    /** n samples of d features where sample i holds i*d + j at feature j, and label i mod classes. */
    private static Dataset indexed(int n, int d, int classes) {
        float[] x = new float[n * d];
        for (int k = 0; k < x.length; k++) {
            x[k] = k;
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
        }
        return new Dataset(x, y, d, classes);
    }

    @ParameterizedTest(name = "n {0}, B {1}, A {2} -> {3} steps")
    @CsvSource({"60000, 128, 1, 469", "60000, 128, 4, 118", "60000, 100, 6, 100", "10, 3, 2, 2", "7, 3, 2, 2",
            "6, 3, 2, 1", "1, 1000, 1, 1", "0, 5, 1, 0", "2147483647, 65536, 65536, 1"})
    void stepsPerEpochIsCeilOfNOverBatchTimesAccumulation(int n, int b, int a, int steps) {
        assertEquals(steps, Batches.stepsPerEpoch(n, b, a));
    }

    @ParameterizedTest(name = "n {0}, B {1}, A {2}")
    @CsvSource({"10, 3, 2", "7, 3, 2", "100, 8, 4", "33, 1, 5", "5, 10, 3", "60000, 128, 3"})
    void stepsTileTheEpochAndMicroBatchesTileEachStepInOrder(int n, int b, int a) {
        int steps = Batches.stepsPerEpoch(n, b, a);
        int next = 0;
        for (int s = 0; s < steps; s++) {
            Span step = Batches.step(n, b, a, s);
            assertEquals(next, step.start());
            assertTrue(step.length() > 0 && step.length() <= a * b);
            assertTrue(s == steps - 1 || step.length() == a * b, "only the last step may be short");
            int inner = step.start();
            int nonEmpty = 0;
            for (int m = 0; m < a; m++) {
                Span micro = Batches.microBatch(n, b, a, s, m);
                if (micro.isEmpty()) {
                    assertEquals(step.end(), inner, "empty micro-batches only after the step's samples");
                    continue;
                }
                nonEmpty++;
                assertEquals(inner, micro.start());
                assertTrue(micro.length() <= b);
                inner = micro.end();
            }
            assertEquals(step.end(), inner);
            assertEquals(nonEmpty, Batches.microBatchesInStep(n, b, a, s));
            next = step.end();
        }
        assertEquals(n, next);
    }

    @Test
    void shortLastStepHasItsRemainderAndAnEmptyMicroBatch() {
        assertEquals(new Span(6, 7), Batches.step(7, 3, 2, 1));
        assertEquals(new Span(6, 7), Batches.microBatch(7, 3, 2, 1, 0));
        assertTrue(Batches.microBatch(7, 3, 2, 1, 1).isEmpty());
        assertEquals(1, Batches.microBatchesInStep(7, 3, 2, 1));
        assertEquals(new Span(9, 10), Batches.microBatch(10, 3, 2, 1, 1));
    }

    @Test
    void accumulationOfFourMicroBatchesEqualsOneBatch() {
        Dataset data = indexed(100, 3, 5);
        int[] order = EpochOrder.permutation(4, 2, 100);
        float[] big = new float[32 * 3];
        int[] bigY = new int[32];
        float[] micro = new float[8 * 3];
        int[] microY = new int[8];
        for (int s = 0; s < Batches.stepsPerEpoch(100, 32, 1); s++) {
            int rows = Batches.gather(data, order, Batches.step(100, 32, 1, s), big, bigY);
            float[] joined = new float[rows * 3];
            int[] joinedY = new int[rows];
            int at = 0;
            for (int m = 0; m < 4; m++) {
                Span span = Batches.microBatch(100, 8, 4, s, m);
                int r = Batches.gather(data, order, span, micro, microY);
                System.arraycopy(micro, 0, joined, at * 3, r * 3);
                System.arraycopy(microY, 0, joinedY, at, r);
                at += r;
            }
            assertEquals(rows, at);
            assertArrayEquals(Arrays.copyOf(big, rows * 3), joined, "step " + s);
            assertArrayEquals(Arrays.copyOf(bigY, rows), joinedY, "step " + s);
        }
    }

    @Test
    void everySampleIsGatheredExactlyOncePerEpoch() {
        int n = 1003;
        int d = 2;
        Dataset data = indexed(n, d, 7);
        int b = 16;
        int a = 3;
        float[] x = new float[b * d];
        int[] y = new int[b];
        EpochOrder order = EpochOrder.shuffled(99);
        for (long epoch = 0; epoch < 3; epoch++) {
            int[] o = order.order(epoch, n);
            int[] seen = new int[n];
            List<Integer> visit = new ArrayList<>();
            for (int s = 0; s < Batches.stepsPerEpoch(n, b, a); s++) {
                for (int m = 0; m < a; m++) {
                    int rows = Batches.gather(data, o, Batches.microBatch(n, b, a, s, m), x, y);
                    for (int r = 0; r < rows; r++) {
                        int i = (int) x[r * d] / d;
                        assertEquals(i * d + 1, x[r * d + 1], 0f, "whole rows are copied");
                        assertEquals(data.label(i), y[r], "the label travels with its row");
                        seen[i]++;
                        visit.add(i);
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                assertEquals(1, seen[i], "sample " + i + " in epoch " + epoch);
            }
            assertEquals(Arrays.stream(o).boxed().toList(), visit, "visited in the epoch's order");
        }
    }

    @Test
    void evaluationBatchesCopyContiguousRanges() {
        Dataset data = indexed(25, 4, 3);
        assertEquals(3, Batches.evalBatches(25, 10));
        float[] x = new float[40];
        int[] y = new int[10];
        Span last = Batches.evalBatch(25, 10, 2);
        assertEquals(new Span(20, 25), last);
        assertEquals(5, Batches.gatherRange(data, last, x, y));
        assertEquals(80f, x[0]);
        assertEquals(99f, x[19]);
        assertArrayEquals(new int[] {2, 0, 1, 2, 0}, Arrays.copyOf(y, 5));
    }

    @Test
    void gatherRejectsBuffersTooSmallAndSpansOutOfRange() {
        Dataset data = indexed(10, 3, 2);
        int[] order = EpochOrder.sequential().order(0, 10);
        assertThrows(IllegalArgumentException.class,
                () -> Batches.gather(data, order, new Span(0, 4), new float[11], new int[4]));
        assertThrows(IllegalArgumentException.class,
                () -> Batches.gather(data, order, new Span(0, 4), new float[12], new int[3]));
        assertThrows(IllegalArgumentException.class,
                () -> Batches.gather(data, order, new Span(8, 11), new float[12], new int[4]));
        assertThrows(IllegalArgumentException.class,
                () -> Batches.gatherRange(data, new Span(9, 11), new float[12], new int[4]));
        assertThrows(IllegalArgumentException.class, () -> Batches.step(10, 3, 1, 4));
        assertThrows(IllegalArgumentException.class, () -> Batches.microBatch(10, 3, 2, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> Batches.stepsPerEpoch(10, 0, 1));
    }

    @ParameterizedTest(name = "n={0}, batch {1} per device, {2} replicas, accumulation {3}")
    @CsvSource({"601, 48, 3, 1", "601, 12, 4, 2", "10, 4, 4, 1", "3, 2, 5, 1", "1000, 25, 2, 4"})
    void shardsCoverEverySampleOfAnEpochExactlyOnce(int n, int batch, int replicas, int accumulation) {
        int[] seen = new int[n];
        int global = batch * replicas;
        for (int s = 0; s < Batches.stepsPerEpoch(n, global, accumulation); s++) {
            for (int m = 0; m < accumulation; m++) {
                Span micro = Batches.microBatch(n, global, accumulation, s, m);
                int next = micro.start();
                for (int r = 0; r < replicas; r++) {
                    Span shard = Batches.shard(micro, replicas, r);
                    assertEquals(next, shard.start(), "shards are contiguous in replica order");
                    assertTrue(shard.length() <= batch, "a shard fits the per-device batch");
                    int expected = micro.length() / replicas + (r < micro.length() % replicas ? 1 : 0);
                    assertEquals(expected, shard.length(), "sizes differ by at most one, the first ones longer");
                    for (int i = shard.start(); i < shard.end(); i++) {
                        seen[i]++;
                    }
                    next = shard.end();
                }
                assertEquals(micro.end(), next);
            }
        }
        for (int i = 0; i < n; i++) {
            assertEquals(1, seen[i], "position " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> Batches.shard(new Span(0, 4), 2, 2));
    }
}
