package dev.anneal.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CpuAllReduceTest {
    private static final int[][] RANGES = {{0, 1}, {0, 31}, {5, 1025}, {3, 1_000_003}};

    static List<Backend> cpus(int n) {
        List<Backend> list = new ArrayList<>();
        IntStream.range(0, n).forEach(i -> list.add(new CpuBackend()));
        return list;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void inMemorySumHasTheBitsOfTheReplicaOrderLoop(int replicas) {
        List<Backend> backends = cpus(replicas);
        try (AllReduce reduce = AllReduce.create(backends)) {
            for (int[] range : RANGES) {
                checkSum(reduce, backends, replicas, range[0], range[1]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void hostStagedSumHasTheSameBits(int replicas) {
        List<Backend> backends = cpus(replicas);
        try (AllReduce reduce = new HostStagedAllReduce(backends, "test")) {
            for (int[] range : RANGES) {
                checkSum(reduce, backends, replicas, range[0], range[1]);
            }
            // more than one host chunk, ending at a chunk boundary plus one
            checkSum(reduce, backends, replicas, 2, 2 * HostStagedAllReduce.CHUNK + 1);
        }
    }

    static void checkSum(AllReduce reduce, List<Backend> backends, int replicas, int offset, int n) {
        float[][] data = Sums.replicas(31L * n + replicas, replicas, offset + n + 2);
        List<FloatArray> buffers = Sums.upload(backends, data);
        reduce.sum(buffers, offset, n);
        Sums.assertSummed(backends, buffers, data, offset, n, reduce.describe() + ", n " + n);
        Sums.closeAll(buffers);
    }

    @Test
    void theReferenceOrderMattersSoTheTestsCanTellOrdersApart() {
        float[][] data = Sums.replicas(7, 4, 100_000);
        float[] forward = Sums.reference(data, 0, 100_000);
        float[][] reversed = {data[3], data[2], data[1], data[0]};
        float[] backward = Sums.reference(reversed, 0, 100_000);
        long differing = IntStream.range(0, forward.length)
                .filter(i -> Float.floatToIntBits(forward[i]) != Float.floatToIntBits(backward[i])).count();
        assertTrue(differing > 1000, "only " + differing + " sums depend on the order");
    }

    @Test
    void nanAndInfinitiesPropagate() {
        List<Backend> backends = cpus(3);
        float[][] data = {{1f, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 0f},
            {2f, 1f, Float.NEGATIVE_INFINITY, 1f, -0f}, {4f, 1f, 1f, 1f, -0f}};
        List<FloatArray> buffers = Sums.upload(backends, data);
        try (AllReduce reduce = AllReduce.create(backends)) {
            reduce.sum(buffers, 0, 5);
        }
        for (int k = 0; k < 3; k++) {
            float[] got = Sums.download(backends.get(k), buffers.get(k));
            assertEquals(7f, got[0]);
            assertEquals(Float.POSITIVE_INFINITY, got[1]);
            assertTrue(Float.isNaN(got[2]), "inf + -inf is NaN");
            assertTrue(Float.isNaN(got[3]));
            assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(got[4]), "0 + -0 + -0 is +0");
        }
    }

    @Test
    void describeNamesThePath() {
        assertEquals("in memory (4 CPU replicas)", AllReduce.create(cpus(4)).describe());
        assertEquals("none (1 replica on cpu)", AllReduce.create(cpus(1)).describe());
    }

    @Test
    void badArgumentsAreRejected() {
        List<Backend> backends = cpus(2);
        FloatArray a = backends.get(0).allocate(10);
        FloatArray b = backends.get(1).allocate(8);
        try (AllReduce reduce = AllReduce.create(backends)) {
            assertThrows(IllegalArgumentException.class, () -> reduce.sum(List.of(a), 0, 1));
            assertThrows(IllegalArgumentException.class, () -> reduce.sum(List.of(a, a), 0, 1));
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> reduce.sum(List.of(a, b), 2, 7));
            assertEquals("range [2, 9) of a buffer of 8 (replica 1)", e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> reduce.sum(List.of(a, b), -1, 1));
        }
        assertThrows(IllegalArgumentException.class, () -> AllReduce.create(List.of()));
    }

    @Test
    void oneReplicaIsLeftAsItIs() {
        List<Backend> backends = cpus(1);
        float[][] data = Sums.replicas(3, 1, 50);
        List<FloatArray> buffers = Sums.upload(backends, data);
        AllReduce.create(backends).sum(buffers, 0, 50);
        Sums.assertSummed(backends, buffers, data, 0, 50, "one replica");
    }
}
