package dev.anneal.distributed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;

/**
 * The exact cross-rank gradient sum. Rank {@code r} of {@code W} holds {@code L} local replicas' buffers (the same
 * {@code L} on every rank), replica {@code l} of rank {@code r} being global replica {@code r L + l}. After
 * {@link #sum} every local buffer of every rank holds, for each element {@code i},
 * <pre>  s = g_0[i];  s += g_1[i];  ...;  s += g_{WL-1}[i]</pre>
 * in global replica order, one float addition per {@code +=}: the bits of a single process summing all
 * {@code W L} buffers in order (the in-process {@code parallel.AllReduce} contract). {@code MPI_Allreduce} gives
 * every rank the same bits too, but in an order of its own choosing (a tree, a ring), hence other bits.
 *
 * <p>Algorithm: a chain, pipelined in chunks of {@code chunkFloats} ({@link ChunkPlan}). Rank 0 forms
 * {@code g_0 + g_1 + ... + g_{L-1}} of a chunk in its replica 0's buffer and sends it to rank 1, which adds its
 * own replicas in order and sends on; rank {@code W-1}'s result is final and goes back down the chain
 * ({@code W-1 -> W-2 -> ... -> 0}), each rank copying it into its replicas and passing it on. Chunk {@code c+1}
 * is summed while chunk {@code c} travels, and the way back starts with the first final chunk, so the
 * distribution overlaps the summation. Passing the result back down the chain rather than with
 * {@code MPI_Bcast} keeps every rank talking only to its two chain neighbours (on several hosts with ranks placed
 * in blocks, only the links between neighbouring hosts are crossed, each once per direction) and keeps the cost
 * at {@code 4 n} bytes sent and received per neighbour ({@link ChunkPlan#bytesEachWay}); the latency grows with
 * {@code 2 (W - 1)} hops plus one chunk per chunk in the pipeline.
 *
 * <p>Buffers: direct, {@link ByteOrder#LITTLE_ENDIAN} {@link ByteBuffer}s, distinct, each holding at least
 * {@code floats} floats from byte 0 (positions and limits are ignored and left alone). Replica 0's buffer
 * doubles as the accumulator; every other buffer is only read until its final chunk is copied in. The whole
 * call must finish within {@code timeout}, else {@link CollectiveTimeout} names the chain neighbour it waited for,
 * and the caller should {@link MpiWorld#abort}. Every rank must call {@link #sum} the same number of times with
 * the same {@code floats}; a rank that disagrees about the size is reported when its first chunk arrives.
 */
public final class OrderedSum {
    /** One chunk of the pipeline: 1 Mi floats (4 MiB). */
    public static final int DEFAULT_CHUNK_FLOATS = 1 << 20;
    /** Partial-sum chunks a rank can receive ahead of the one it is adding. */
    static final int DEPTH = 4;
    static final int TAG_PARTIAL = 101;
    static final int TAG_FINAL = 102;

    /** Bytes this rank sent and received in one call (or since the object was made). */
    public record Traffic(long bytesSent, long bytesReceived) {
    }

    private final MpiWorld world;
    private final int localReplicas;
    private final int chunkFloats;
    private final Duration timeout;
    private final String what;
    private final ByteBuffer[] slots = new ByteBuffer[DEPTH];
    private Traffic last = new Traffic(0, 0);
    private long totalSent;
    private long totalReceived;

    /**
     * @param localReplicas {@code L}, the buffers each rank passes to {@link #sum}
     * @param chunkFloats   elements per pipeline chunk ({@link #DEFAULT_CHUNK_FLOATS})
     * @param timeout       the most one call may take
     * @param what          the operation's name in a {@link CollectiveTimeout} ("gradient sum")
     */
    public OrderedSum(MpiWorld world, int localReplicas, int chunkFloats, Duration timeout, String what) {
        if (localReplicas < 1) {
            throw new IllegalArgumentException("local replicas must be >= 1, got " + localReplicas);
        }
        if (chunkFloats < 1) {
            throw new IllegalArgumentException("chunk size must be >= 1 float, got " + chunkFloats);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the timeout must be > 0, got " + timeout);
        }
        this.world = world;
        this.localReplicas = localReplicas;
        this.chunkFloats = chunkFloats;
        this.timeout = timeout;
        this.what = what;
    }

    /** Sums elements {@code [0, floats)} of the local buffers across all ranks as the class describes. */
    public Traffic sum(List<ByteBuffer> buffers, int floats) {
        world.checkOpen();
        checkBuffers(buffers, localReplicas, floats);
        ChunkPlan plan = new ChunkPlan(floats, chunkFloats);
        Poll poll = new Poll(timeout);
        Chain chain = new Chain(world, views(buffers), plan, slotsFor(plan), poll, timeout, what);
        chain.run();
        last = new Traffic(chain.sent(), chain.received());
        totalSent += chain.sent();
        totalReceived += chain.received();
        return last;
    }

    /** The traffic of the last call to {@link #sum}. */
    public Traffic lastTraffic() {
        return last;
    }

    /** The traffic of every call so far. */
    public Traffic totalTraffic() {
        return new Traffic(totalSent, totalReceived);
    }

    /** The buffer rules of the class comment; an {@link IllegalArgumentException} names the first one broken. */
    static void checkBuffers(List<ByteBuffer> buffers, int localReplicas, int floats) {
        if (floats < 0) {
            throw new IllegalArgumentException("floats must be >= 0, got " + floats);
        }
        if (buffers.size() != localReplicas) {
            throw new IllegalArgumentException("expected " + localReplicas + " local buffers, got " + buffers.size());
        }
        for (int l = 0; l < buffers.size(); l++) {
            ByteBuffer b = buffers.get(l);
            if (!b.isDirect() || b.order() != ByteOrder.LITTLE_ENDIAN || b.isReadOnly()) {
                throw new IllegalArgumentException("local buffer " + l + " must be a writable direct little-endian "
                        + "ByteBuffer, got direct=" + b.isDirect() + " order=" + b.order() + " readOnly="
                        + b.isReadOnly());
            }
            if ((long) floats * Float.BYTES > b.capacity()) {
                throw new IllegalArgumentException("local buffer " + l + " holds " + b.capacity() + " bytes, "
                        + "fewer than " + floats + " floats");
            }
            for (int k = 0; k < l; k++) {
                if (buffers.get(k) == b) {
                    throw new IllegalArgumentException("local buffers " + k + " and " + l + " are the same buffer");
                }
            }
        }
    }

    private static Chain.Buffer[] views(List<ByteBuffer> buffers) {
        Chain.Buffer[] views = new Chain.Buffer[buffers.size()];
        for (int l = 0; l < views.length; l++) {
            views[l] = Chain.Buffer.of(buffers.get(l));
        }
        return views;
    }

    private Chain.Buffer[] slotsFor(ChunkPlan plan) {
        int floats = Math.min(plan.floats(), plan.chunkFloats());
        Chain.Buffer[] views = new Chain.Buffer[DEPTH];
        for (int s = 0; s < DEPTH; s++) {
            if (slots[s] == null || slots[s].capacity() < floats * Float.BYTES) {
                slots[s] = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            }
            views[s] = Chain.Buffer.of(slots[s]);
        }
        return views;
    }
}
