package dev.anneal.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplicaCheckTest {
    private static final int N = ReplicaCheck.CHUNK + 1000;

    private static float[][] identical(int replicas) {
        float[] x = Sums.random(new java.util.Random(9), N);
        float[][] data = new float[replicas][];
        for (int k = 0; k < replicas; k++) {
            data[k] = x.clone();
        }
        return data;
    }

    @Test
    void theChecksumSeesEveryBitAndOnlyTheRange() {
        float[][] data = identical(2);
        List<Backend> backends = CpuAllReduceTest.cpus(2);
        List<FloatArray> same = Sums.upload(backends, data);
        long reference = ReplicaCheck.checksum(backends.get(0), same.get(0), 0, N);
        assertEquals(reference, ReplicaCheck.checksum(backends.get(1), same.get(1), 0, N));
        int at = ReplicaCheck.CHUNK + 5;  // in the second chunk
        float[] ulp = data[0].clone();
        ulp[at] = Math.nextUp(ulp[at]);
        float[] zero = data[0].clone();
        zero[3] = 0f;
        float[] negativeZero = data[0].clone();
        negativeZero[3] = -0f;
        List<FloatArray> changed = Sums.upload(backends, new float[][] {ulp, zero});
        List<FloatArray> signed = Sums.upload(backends, new float[][] {negativeZero, data[0]});
        assertNotEquals(reference, ReplicaCheck.checksum(backends.get(0), changed.get(0), 0, N), "one ulp");
        assertNotEquals(ReplicaCheck.checksum(backends.get(1), changed.get(1), 0, N),
                ReplicaCheck.checksum(backends.get(0), signed.get(0), 0, N), "0.0 and -0.0 differ in their bits");
        assertEquals(ReplicaCheck.checksum(backends.get(0), same.get(0), 0, at),
                ReplicaCheck.checksum(backends.get(0), changed.get(0), 0, at), "the difference lies outside [0, at)");
    }

    @Test
    void identicalReplicasPass() {
        List<Backend> backends = CpuAllReduceTest.cpus(3);
        List<FloatArray> buffers = Sums.upload(backends, identical(3));
        assertEquals(Optional.empty(), ReplicaCheck.firstDifference(backends, buffers, 0, N));
    }

    @Test
    void aOneUlpDifferenceIsReportedWithReplicaIndexAndBothValues() {
        float[][] data = identical(3);
        int at = ReplicaCheck.CHUNK + 17;  // in the second chunk
        data[2][at] = Math.nextUp(data[2][at]);
        List<Backend> backends = CpuAllReduceTest.cpus(3);
        List<FloatArray> buffers = Sums.upload(backends, data);
        Optional<String> d = ReplicaCheck.firstDifference(backends, buffers, 0, N);
        assertEquals(Optional.of("replica 2 differs from replica 0 at parameter " + at + ": " + data[2][at] + " vs "
                + data[0][at]), d);
        assertEquals(Optional.empty(), ReplicaCheck.firstDifference(backends, buffers, 0, at),
                "the difference lies outside [0, at)");
        assertEquals(Optional.empty(), ReplicaCheck.firstDifference(backends, buffers, at + 1, N - at - 1));
    }

    @Test
    void theLowestDifferingReplicaIsNamedAtItsFirstDifference() {
        float[][] data = identical(4);
        data[3][5] = -data[3][5];
        data[2][900] = 1f + data[2][900];
        data[2][ReplicaCheck.CHUNK + 3] = 0f;
        List<Backend> backends = CpuAllReduceTest.cpus(4);
        List<FloatArray> buffers = Sums.upload(backends, data);
        String d = ReplicaCheck.firstDifference(backends, buffers, 0, N).orElseThrow();
        assertTrue(d.startsWith("replica 2 differs from replica 0 at parameter 900: "), d);
    }

    @Test
    void signedZerosAndNanPayloadsCountAsDifferent() {
        float[][] data = {{0f, Float.intBitsToFloat(0x7fc00000)}, {-0f, Float.intBitsToFloat(0x7fc00001)}};
        List<Backend> backends = CpuAllReduceTest.cpus(2);
        List<FloatArray> buffers = Sums.upload(backends, data);
        assertEquals(Optional.of("replica 1 differs from replica 0 at parameter 0: -0.0 vs 0.0"),
                ReplicaCheck.firstDifference(backends, buffers, 0, 2));
        assertEquals(Optional.of("replica 1 differs from replica 0 at parameter 1: NaN (0x7fc00001) vs NaN "
                + "(0x7fc00000)"), ReplicaCheck.firstDifference(backends, buffers, 1, 1));
    }
}
