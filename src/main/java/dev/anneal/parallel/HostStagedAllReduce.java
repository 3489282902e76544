package dev.anneal.parallel;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import java.util.List;

/**
 * The all-reduce for any mix of backends, through host memory, {@value #CHUNK} floats at a time: download replica
 * 0's chunk into {@code s}, then for each replica {@code r = 1..N-1} in order download its chunk and add it,
 * {@code s[i] += b_r[i]} (float additions), then upload {@code s} to every replica. Downloads wait for each
 * backend's queued work; uploads are queued on each backend in order, so its later ops see the sum. Slow (every
 * gradient crosses the host bus twice per replica) but it needs nothing from the devices.
 */
final class HostStagedAllReduce implements AllReduce {
    static final int CHUNK = 1 << 20;

    private final List<Backend> backends;
    private final String why;
    private float[] sum = new float[0];
    private float[] part = new float[0];

    /** {@code why}: why the faster paths do not apply, for {@link #describe}. */
    HostStagedAllReduce(List<Backend> backends, String why) {
        this.backends = List.copyOf(backends);
        this.why = why;
    }

    @Override
    public void sum(List<FloatArray> buffers, long offset, long n) {
        int replicas = backends.size();
        Replicas.check(replicas, buffers, offset, n);
        int chunk = (int) Math.min(n, CHUNK);
        if (sum.length < chunk) {
            sum = new float[chunk];
            part = new float[chunk];
        }
        for (long done = 0; done < n; done += chunk) {
            int count = (int) Math.min(chunk, n - done);
            long at = offset + done;
            backends.get(0).download(buffers.get(0), at, sum, 0, count);
            for (int r = 1; r < replicas; r++) {
                backends.get(r).download(buffers.get(r), at, part, 0, count);
                for (int i = 0; i < count; i++) {
                    sum[i] += part[i];
                }
            }
            for (int r = 0; r < replicas; r++) {
                backends.get(r).upload(sum, 0, buffers.get(r), at, count);
            }
        }
    }

    @Override
    public String describe() {
        return "host-staged (" + why + ")";
    }

    @Override
    public void close() {
        sum = new float[0];
        part = new float[0];
    }
}
