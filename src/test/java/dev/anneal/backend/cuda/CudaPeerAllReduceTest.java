package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.cpu.CpuBackend;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The peer-copy all-reduce on two CUDA devices: the bits of {@code ((b0 + b1) + b2) + ...} on every replica, with
 * the scratch forced small so that the sum goes in many chunks, for two to four replicas (devices repeat where the
 * machine has two: two backends on one GPU, each with its own stream).
 */
@Tag("gpu")
class CudaPeerAllReduceTest {
    @Test
    void sumsInChunksHaveTheBitsOfTheReplicaOrderLoop() {
        int[][] layouts = {{0, 1}, {1, 0}, {0, 1, 0}, {0, 1, 1, 0}};
        for (int[] devices : layouts) {
            try (PeerReplicas rep = new PeerReplicas(devices);
                 CudaPeerAllReduce reduce = CudaPeerAllReduce.open(rep.backends, 1000, CudaPeerAllReduce.Planted.NONE)) {
                int replicas = devices.length;
                for (int[] range : new int[][] {{0, 1}, {0, 31}, {7, 1025}, {3, 10_003}}) {
                    float[][] data = PeerReplicas.data(range[1] + replicas, replicas, range[0] + range[1] + 5);
                    List<FloatArray> buffers = rep.upload(data);
                    reduce.sum(buffers, range[0], range[1]);
                    rep.assertSummed(buffers, data, range[0], range[1]);
                    buffers.forEach(FloatArray::close);
                }
            }
        }
    }

    @Test
    void aMillionFloatsWithTheDefaultScratch() {
        try (PeerReplicas rep = new PeerReplicas(0, 1); CudaPeerAllReduce reduce = CudaPeerAllReduce.open(rep.backends)) {
            int n = 1_000_003;
            float[][] data = PeerReplicas.data(5, 2, n + 2);
            List<FloatArray> buffers = rep.upload(data);
            reduce.sum(buffers, 2, n);
            rep.assertSummed(buffers, data, 2, n);
        }
    }

    @Test
    void peerProblemNamesWhatIsMissing() {
        try (PeerReplicas rep = new PeerReplicas(0, 1, 0)) {
            assertEquals("cpu is not a CUDA backend",
                    CudaPeerAllReduce.peerProblem(List.of(rep.backends.get(0), new CpuBackend())));
            assertEquals("fewer than two replicas", CudaPeerAllReduce.peerProblem(List.of(rep.backends.get(0))));
            assertEquals("no peer access cuda:0 <-> cuda:0",
                    CudaPeerAllReduce.peerProblem(List.of(rep.backends.get(0), rep.backends.get(2))),
                    "a device has no peer access to itself");
            String twoDevices = CudaPeerAllReduce.peerProblem(rep.backends.subList(0, 2));
            if (PeerReplicas.emulated() && "0".equals(System.getenv("ANNEAL_CUDA_EMULATOR_PEER"))) {
                assertEquals("no peer access cuda:0 <-> cuda:1", twoDevices);
            } else if (PeerReplicas.emulated()) {
                assertNull(twoDevices);
                try (CudaPeerAllReduce reduce = CudaPeerAllReduce.open(rep.backends.subList(0, 2))) {
                    assertEquals("peer copies via cuda:0", reduce.describe());
                }
            }
        }
    }

    @Test
    void badBuffersAreRejectedBeforeAnyCopy() {
        try (PeerReplicas rep = new PeerReplicas(0, 1)) {
            FloatArray a = rep.backends.get(0).allocate(10);
            FloatArray b = rep.backends.get(1).allocate(8);
            CudaPeerAllReduce reduce = CudaPeerAllReduce.open(rep.backends);
            try {
                assertThrows(IllegalArgumentException.class, () -> reduce.sum(List.of(b, a), 0, 1), "swapped owners");
                assertThrows(IllegalArgumentException.class, () -> reduce.sum(List.of(a, a), 0, 1));
                IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                        () -> reduce.sum(List.of(a, b), 2, 7));
                assertTrue(e.getMessage().contains("[2, 9) of a buffer of 8"), e.getMessage());
            } finally {
                reduce.close();
            }
            assertThrows(IllegalStateException.class, () -> reduce.sum(List.of(a, b), 0, 1));
        }
    }
}
