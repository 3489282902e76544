package dev.anneal.parallel;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import java.util.List;
import java.util.Optional;

/**
 * The debug check of data-parallel training: after the all-reduce and the same optimizer step on every replica,
 * the parameters must be the same bits everywhere ({@link AllReduce} gives every replica the same gradient bits,
 * and the fused steps are deterministic elementwise kernels). Compares raw bits
 * ({@link Float#floatToRawIntBits}), so {@code -0.0} differs from {@code 0.0} and NaNs with different payloads
 * differ: anything that could make the replicas drift apart is reported.
 */
public final class ReplicaCheck {
    static final int CHUNK = 1 << 20;

    private ReplicaCheck() {
    }

    /**
     * Empty when every replica's {@code buffer[offset, offset+n)} has the same bits as replica 0's; else one line
     * naming the first differing replica (the lowest-numbered one), its first differing index and both values,
     * that replica's first, e.g. {@code replica 2 differs from replica 0 at parameter 1234: 0.124 vs 0.123}
     * (the index counts from the buffer's start, not from {@code offset}). Reads through
     * {@link Backend#download} in chunks of {@value #CHUNK} floats (so it waits for each backend's queued work).
     */
    public static Optional<String> firstDifference(List<Backend> backends, List<FloatArray> buffers, long offset,
                                                   long n) {
        int replicas = backends.size();
        if (replicas == 0) {
            throw new IllegalArgumentException("no replicas to compare");
        }
        Replicas.check(replicas, buffers, offset, n);
        int chunk = (int) Math.min(n, CHUNK);
        float[] reference = new float[chunk];
        float[] other = new float[chunk];
        int limit = replicas;
        String found = null;
        for (long done = 0; done < n && limit > 1; done += chunk) {
            int count = (int) Math.min(chunk, n - done);
            long at = offset + done;
            backends.get(0).download(buffers.get(0), at, reference, 0, count);
            for (int r = 1; r < limit; r++) {
                backends.get(r).download(buffers.get(r), at, other, 0, count);
                int i = firstMismatch(reference, other, count);
                if (i >= 0) {
                    found = "replica " + r + " differs from replica 0 at parameter " + (at + i) + ": "
                            + show(other[i], reference[i]) + " vs " + show(reference[i], other[i]);
                    limit = r;
                }
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * A 64-bit checksum of the raw bits of {@code buffer[offset, offset+n)} (FNV-1a over each float's
     * {@link Float#floatToRawIntBits}, then a final mix): equal buffers give equal sums; the processes of a run
     * compare these instead of sending their parameters.
     */
    public static long checksum(Backend backend, FloatArray buffer, long offset, long n) {
        int chunk = (int) Math.min(n, CHUNK);
        float[] host = new float[Math.max(chunk, 1)];
        long h = 0xcbf29ce484222325L;
        for (long done = 0; done < n; done += chunk) {
            int count = (int) Math.min(chunk, n - done);
            backend.download(buffer, offset + done, host, 0, count);
            for (int i = 0; i < count; i++) {
                h = (h ^ Float.floatToRawIntBits(host[i])) * 0x100000001b3L;
            }
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        return h ^ (h >>> 33);
    }

    private static int firstMismatch(float[] a, float[] b, int count) {
        for (int i = 0; i < count; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                return i;
            }
        }
        return -1;
    }

    /** {@code x} as Java prints it, with its bits in hex when that alone would not tell it from {@code other}. */
    private static String show(float x, float other) {
        String s = Float.toString(x);
        if (!s.equals(Float.toString(other))) {
            return s;
        }
        return s + " (0x" + Integer.toHexString(Float.floatToRawIntBits(x)) + ")";
    }
}
