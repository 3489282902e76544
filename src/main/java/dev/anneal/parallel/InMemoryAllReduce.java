package dev.anneal.parallel;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.cpu.CpuFloats;
import dev.anneal.backend.cpu.CpuParallel;
import java.util.List;

/**
 * The all-reduce of CPU replicas, directly on their Java arrays: for each index {@code i},
 * {@code s = b0[i]; s += b1[i]; ...; s += b_{N-1}[i]} (float additions in replica order), then {@code s} is written
 * to every replica. The index range is cut into {@link CpuParallel} chunks that run in parallel; within a chunk
 * the work goes in blocks of {@value #BLOCK} floats (replica 0's block accumulates each other replica's block in
 * turn, then is copied out), so each element's additions still happen in replica order and the result does not
 * depend on the split.
 */
final class InMemoryAllReduce implements AllReduce {
    /** Elements per thread below which splitting costs more than it saves (a fork-join is 10 to 100 us). */
    private static final int GRAIN = 1 << 18;
    private static final int BLOCK = 1 << 12;

    private final int replicas;

    InMemoryAllReduce(List<Backend> backends) {
        this.replicas = backends.size();
    }

    @Override
    public void sum(List<FloatArray> buffers, long offset, long n) {
        Replicas.check(replicas, buffers, offset, n);
        float[][] arrays = new float[replicas][];
        for (int r = 0; r < replicas; r++) {
            if (!(buffers.get(r) instanceof CpuFloats c)) {
                throw new IllegalArgumentException("replica " + r + "'s buffer is not a CPU buffer: "
                        + buffers.get(r).getClass().getSimpleName());
            }
            arrays[r] = c.array();
        }
        int from = (int) offset;
        CpuParallel.forRange(from, from + (int) n, GRAIN, (chunk, lo, hi) -> sumRange(arrays, lo, hi));
    }

    private static void sumRange(float[][] arrays, int lo, int hi) {
        float[] acc = arrays[0];
        for (int start = lo; start < hi; start += BLOCK) {
            int end = Math.min(hi, start + BLOCK);
            for (int r = 1; r < arrays.length; r++) {
                float[] b = arrays[r];
                for (int i = start; i < end; i++) {
                    acc[i] += b[i];
                }
            }
            for (int r = 1; r < arrays.length; r++) {
                System.arraycopy(acc, start, arrays[r], start, end - start);
            }
        }
    }

    @Override
    public String describe() {
        return "in memory (" + replicas + " CPU replicas)";
    }

    @Override
    public void close() {
    }
}
