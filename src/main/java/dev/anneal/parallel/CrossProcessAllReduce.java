package dev.anneal.parallel;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.distributed.ProcessGroup;
import java.util.ArrayList;
import java.util.List;

/**
 * The all-reduce of a run over several processes: this process's {@code L} replicas' gradients go to the host,
 * {@value #CHUNK} floats at a time, and {@link ProcessGroup#orderedSum} adds every replica of every rank in global
 * replica order ({@code ((g_0 + g_1) + g_2) + ...}, rank {@code k}'s replica {@code l} being replica
 * {@code k L + l}); the sum is uploaded to every local replica. So {@code W} processes of {@code L} replicas give
 * the bits of one process of {@code W x L} replicas (the {@link AllReduce} contract over the whole job), whatever
 * the transport. Host-staged: every gradient crosses the host bus once each way per update.
 */
final class CrossProcessAllReduce implements AllReduce {
    static final int CHUNK = 1 << 20;

    private final List<Backend> backends;
    private final ProcessGroup group;
    private final List<float[]> host = new ArrayList<>();

    CrossProcessAllReduce(List<Backend> backends, ProcessGroup group) {
        this.backends = List.copyOf(backends);
        this.group = group;
    }

    @Override
    public void sum(List<FloatArray> buffers, long offset, long n) {
        int replicas = backends.size();
        Replicas.check(replicas, buffers, offset, n);
        int chunk = (int) Math.min(n, CHUNK);
        if (host.isEmpty() || host.get(0).length < chunk) {
            host.clear();
            for (int r = 0; r < replicas; r++) {
                host.add(new float[chunk]);
            }
        }
        for (long done = 0; done < n; done += chunk) {
            int count = (int) Math.min(chunk, n - done);
            long at = offset + done;
            for (int r = 0; r < replicas; r++) {
                backends.get(r).download(buffers.get(r), at, host.get(r), 0, count);
            }
            group.orderedSum(host, count, "gradient sum");
            for (int r = 0; r < replicas; r++) {
                backends.get(r).upload(host.get(r), 0, buffers.get(r), at, count);
            }
        }
    }

    @Override
    public String describe() {
        return "by an ordered chain across the " + group.size() + " processes (host-staged; the bits of one process)";
    }

    @Override
    public void close() {
        host.clear();
    }
}
