package dev.anneal.distributed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes of an {@code mpirun} / {@code srun} job as the trainer's {@link ProcessGroup}: the exact gradient
 * sum is {@link OrderedSum}'s chain, the other collectives are broadcasts from each rank in turn (a few bytes per
 * step), and every one of them gives up after the run's {@code train.collective_timeout} with a
 * {@link CollectiveTimeout} naming it, the rank and the host.
 */
public final class MpiProcessGroup implements ProcessGroup, AutoCloseable {
    private final MpiWorld world;
    private final Duration timeout;
    /** One chain per collective name, so that a timeout names the right one. */
    private final java.util.Map<String, OrderedSum> chains = new java.util.HashMap<>();
    private final List<ByteBuffer> direct = new ArrayList<>();
    private long bytesSent;
    private long bytesReceived;
    private long sums;
    private long sumNanos;

    private MpiProcessGroup(MpiWorld world, Duration timeout) {
        this.world = world;
        this.timeout = timeout;
    }

    /** Joins the job {@code launch} describes ({@link MpiWorld#open}); every collective waits at most {@code timeout}. */
    public static MpiProcessGroup open(Launch launch, Duration timeout) {
        return new MpiProcessGroup(MpiWorld.open(launch), timeout);
    }

    @Override
    public int rank() {
        return world.rank();
    }

    @Override
    public int size() {
        return world.size();
    }

    /** This process's rank among the job's processes on its machine. */
    public int localRank() {
        return world.localRank();
    }

    public String host() {
        return world.host();
    }

    @Override
    public String describe() {
        String version = world.libraryVersion().lines().findFirst().orElse("MPI").replaceFirst(",.*", "").trim();
        return world.size() + " processes (" + version + "), rank " + world.rank() + " on " + world.host();
    }

    @Override
    public void orderedSum(List<float[]> local, int count, String what) {
        long start = System.nanoTime();
        OrderedSum chain = chains.computeIfAbsent(what, w -> new OrderedSum(world, local.size(),
                OrderedSum.DEFAULT_CHUNK_FLOATS, timeout, w));
        while (direct.size() < local.size()) {
            direct.add(ByteBuffer.allocateDirect(0).order(ByteOrder.LITTLE_ENDIAN));
        }
        for (int l = 0; l < local.size(); l++) {
            if (direct.get(l).capacity() < 4L * count) {
                direct.set(l, ByteBuffer.allocateDirect(4 * count).order(ByteOrder.LITTLE_ENDIAN));
            }
            direct.get(l).asFloatBuffer().put(local.get(l), 0, count);
        }
        OrderedSum.Traffic t = chain.sum(direct.subList(0, local.size()), count);
        bytesSent += t.bytesSent();
        bytesReceived += t.bytesReceived();
        for (int l = 0; l < local.size(); l++) {
            direct.get(l).asFloatBuffer().get(local.get(l), 0, count);
        }
        sums++;
        sumNanos += System.nanoTime() - start;
    }

    @Override
    public byte[][] allGather(byte[] mine, String what) {
        long[] lengths = world.gatherLongs(mine.length, timeout, what);
        byte[][] all = new byte[lengths.length][];
        for (int k = 0; k < lengths.length; k++) {
            all[k] = broadcastFrom(k, k == world.rank() ? mine : null, (int) lengths[k], what);
        }
        return all;
    }

    @Override
    public byte[] broadcast(byte[] fromRoot, String what) {
        ByteBuffer length = ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        if (world.rank() == 0) {
            length.putLong(0, fromRoot.length);
        }
        world.broadcast(length, 0, timeout, what);
        return broadcastFrom(0, world.rank() == 0 ? fromRoot : null, (int) length.getLong(0), what);
    }

    private byte[] broadcastFrom(int root, byte[] bytes, int length, String what) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(length, 1));
        if (bytes != null) {
            b.put(bytes).flip();
        } else {
            b.limit(length);
        }
        if (length > 0) {
            world.broadcast(b, root, timeout, what);
        }
        byte[] out = new byte[length];
        b.get(0, out);
        return out;
    }

    /**
     * What this process's ordered sums have cost so far.
     *
     * @param calls {@link #orderedSum} calls
     * @param nanos wall time inside them: the copies to and from the direct buffers, the chain's additions and
     *     messages, and the waits for the other ranks (so a rank that is ahead of the others counts its wait here)
     * @param bytesSent bytes this process sent in them
     * @param bytesReceived bytes this process received in them
     */
    public record SumTotals(long calls, long nanos, long bytesSent, long bytesReceived) {
    }

    /** The ordered sums' cost on this process so far. */
    public SumTotals sumTotals() {
        return new SumTotals(sums, sumNanos, bytesSent, bytesReceived);
    }

    /** Ends every process of the job with {@code code} ({@code MPI_Abort}); does not return. */
    public void abort(int code) {
        world.abort(code);
    }

    /** Waits for every rank, then finalises MPI. */
    @Override
    public void close() {
        world.close();
    }
}
