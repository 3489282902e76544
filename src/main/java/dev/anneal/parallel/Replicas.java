package dev.anneal.parallel;

import dev.anneal.backend.FloatArray;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** Argument checks shared by the all-reduce implementations and {@link ReplicaCheck}. */
final class Replicas {
    private Replicas() {
    }

    /**
     * Throws unless there is one buffer per replica, no buffer appears twice and {@code [offset, offset+n)} lies
     * inside every buffer (the CPU backend's rule and message).
     */
    static void check(int replicas, List<FloatArray> buffers, long offset, long n) {
        if (buffers.size() != replicas) {
            throw new IllegalArgumentException(buffers.size() + " buffers for " + replicas + " replicas");
        }
        Set<FloatArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int r = 0; r < replicas; r++) {
            FloatArray b = buffers.get(r);
            if (b == null) {
                throw new IllegalArgumentException("replica " + r + " has no buffer");
            }
            if (!seen.add(b)) {
                throw new IllegalArgumentException("replica " + r + "'s buffer is also another replica's");
            }
            long length = b.length();
            if (offset < 0 || n < 0 || offset + n > length) {
                throw new IndexOutOfBoundsException("range [" + offset + ", " + (offset + n) + ") of a buffer of "
                        + length + " (replica " + r + ")");
            }
        }
    }
}
