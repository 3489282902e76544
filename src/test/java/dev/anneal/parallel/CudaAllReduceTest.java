package dev.anneal.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.cpu.CpuBackend;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The all-reduce across two CUDA devices (peer copies, host-staged) and across a CPU and a CUDA replica: the bits
 * of the plain Java loop on every replica. Under the emulator (scripts/test-cuda-emulated.sh, two devices) the
 * driver also checks that every peer copy and every later use is ordered by events.
 */
@Tag("gpu")
class CudaAllReduceTest {
    private static final int[][] RANGES = {{0, 1}, {0, 31}, {5, 1025}, {3, 1_000_003}};

    @Test
    void createPicksPeerCopiesWhereTheDevicesHavePeerAccess() {
        try (TwoGpus gpus = new TwoGpus(); AllReduce reduce = AllReduce.create(gpus.backends)) {
            if (TwoGpus.emulatedWithoutPeers()) {
                assertEquals("host-staged (no peer access cuda:0 <-> cuda:1)", reduce.describe());
            } else if ("1".equals(System.getenv("ANNEAL_CUDA_EMULATOR"))) {
                assertEquals("peer copies via cuda:0", reduce.describe());
            }
            for (int[] range : RANGES) {
                CpuAllReduceTest.checkSum(reduce, gpus.backends, 2, range[0], range[1]);
            }
        }
    }

    @Test
    void hostStagedSumHasTheSameBits() {
        try (TwoGpus gpus = new TwoGpus(); AllReduce reduce = AllReduces.create(gpus.backends, false)) {
            assertEquals("host-staged (peer copies turned off)", reduce.describe());
            for (int[] range : RANGES) {
                CpuAllReduceTest.checkSum(reduce, gpus.backends, 2, range[0], range[1]);
            }
        }
    }

    @Test
    void aCpuAndTwoCudaReplicasAreHostStaged() {
        try (TwoGpus gpus = new TwoGpus()) {
            List<Backend> mixed = List.of(gpus.backends.get(1), new CpuBackend(), gpus.backends.get(0));
            try (AllReduce reduce = AllReduce.create(mixed)) {
                assertEquals("host-staged (mixed backends cuda:1, cpu, cuda:0)", reduce.describe());
                for (int[] range : RANGES) {
                    CpuAllReduceTest.checkSum(reduce, mixed, 3, range[0], range[1]);
                }
            }
        }
    }

    @Test
    void repeatedSumsStayOrderedWithTheReplicasOwnWork() {
        // sum, then each replica scales its buffer (a kernel on its own stream), then sum again: the second sum
        // must see the scaled values and the replicas must end identical.
        try (TwoGpus gpus = new TwoGpus(); AllReduce reduce = AllReduce.create(gpus.backends)) {
            float[][] data = Sums.replicas(11, 2, 4099);
            List<FloatArray> buffers = Sums.upload(gpus.backends, data);
            reduce.sum(buffers, 0, 4099);
            for (int k = 0; k < 2; k++) {
                gpus.backends.get(k).scale(buffers.get(k), 0, 4099, k + 1f);
            }
            reduce.sum(buffers, 0, 4099);
            float[] first = Sums.reference(data, 0, 4099);
            float[][] scaled = new float[2][4099];
            for (int i = 0; i < 4099; i++) {
                scaled[0][i] = first[i];
                scaled[1][i] = first[i] * 2f;
            }
            Sums.assertSummed(gpus.backends, buffers, scaled, 0, 4099, reduce.describe() + " twice");
            assertEquals(Optional.empty(), ReplicaCheck.firstDifference(gpus.backends, buffers, 0, 4099));
        }
    }

    @Test
    void replicaCheckFindsAOneUlpDifferenceOnTheDevices() {
        try (TwoGpus gpus = new TwoGpus()) {
            float[] x = Sums.random(new java.util.Random(4), 3000);
            float[] y = x.clone();
            y[2500] = Math.nextDown(y[2500]);
            List<FloatArray> buffers = Sums.upload(gpus.backends, new float[][] {x, y});
            assertEquals(Optional.of("replica 1 differs from replica 0 at parameter 2500: " + y[2500] + " vs "
                    + x[2500]), ReplicaCheck.firstDifference(gpus.backends, buffers, 0, 3000));
            assertEquals(Optional.empty(), ReplicaCheck.firstDifference(gpus.backends, buffers, 0, 2500));
        }
    }

    @Test
    void aBufferOfAnotherBackendIsRejected() {
        try (TwoGpus gpus = new TwoGpus(); AllReduce reduce = AllReduce.create(gpus.backends)) {
            FloatArray a = gpus.backends.get(0).allocate(10);
            FloatArray b = gpus.backends.get(0).allocate(10);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> reduce.sum(List.of(a, b), 0, 10));
            assertTrue(e.getMessage().contains("another backend"), e.getMessage());
        }
    }
}
