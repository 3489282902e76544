package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Replicas for the peer all-reduce tests: CUDA backends on the given devices (a device may repeat: two backends
 * on one GPU, each with its own stream), or a skipped test where the machine has fewer than two devices.
 */
final class PeerReplicas implements AutoCloseable {
    final List<Backend> backends = new ArrayList<>();

    PeerReplicas(int... devices) {
        CudaStatus s = CudaStatus.probe();
        assumeTrue(s.usable(), () -> "no CUDA device: " + s.problem());
        assumeTrue(s.devices().size() >= 2, () -> "needs two CUDA devices, this machine has " + s.devices().size());
        try {
            for (int d : devices) {
                backends.add(CudaBackend.open(d, CudaBackend.Gemm.AUTO));
            }
        } catch (CudaUnavailable e) {
            close();
            assumeTrue(false, "CUDA cannot be used: " + e.reason());
        }
    }

    static boolean emulated() {
        return "1".equals(System.getenv("ANNEAL_CUDA_EMULATOR"));
    }

    /** Random data over seven orders of magnitude (the order of the additions changes the rounding). */
    static float[][] data(long seed, int replicas, int n) {
        Random r = new Random(seed);
        float[][] out = new float[replicas][n];
        for (float[] x : out) {
            for (int i = 0; i < n; i++) {
                x[i] = (float) ((r.nextDouble() * 2 - 1) * Math.pow(10, r.nextInt(7) - 3));
            }
        }
        if (n > 10) {
            out[replicas - 1][2] = Float.NaN;
            out[0][5] = Float.POSITIVE_INFINITY;
            out[0][6] = Float.POSITIVE_INFINITY;
            out[replicas - 1][6] = Float.NEGATIVE_INFINITY;
        }
        return out;
    }

    List<FloatArray> upload(float[][] data) {
        List<FloatArray> out = new ArrayList<>();
        for (int k = 0; k < data.length; k++) {
            out.add(Parity.put(backends.get(k), data[k]));
        }
        return out;
    }

    /** Fails unless each replica holds the reference sum {@code ((b0 + b1) + b2) + ...} inside the range, its data outside. */
    void assertSummed(List<FloatArray> buffers, float[][] data, int offset, int n) {
        for (int k = 0; k < data.length; k++) {
            float[] got = Parity.get(backends.get(k), buffers.get(k));
            for (int i = 0; i < got.length; i++) {
                float want = data[k][i];
                if (i >= offset && i < offset + n) {
                    want = data[0][i];
                    for (int r = 1; r < data.length; r++) {
                        want += data[r][i];
                    }
                }
                if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(want)) {
                    fail("replica " + k + " index " + i + ": expected " + want + ", got " + got[i]);
                }
            }
        }
    }

    @Override
    public void close() {
        backends.forEach(Backend::close);
    }
}
