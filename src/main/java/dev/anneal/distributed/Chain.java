package dev.anneal.distributed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;

/**
 * One {@link OrderedSum} call on one rank: the chain's state machine, advanced by polling the MPI requests.
 *
 * <p>For each chunk {@code c}, rank {@code r}: (1) waits for the partial sum of ranks {@code 0..r-1} in a
 * receive slot (not on rank 0); (2) adds it and its replicas in order into replica 0's buffer,
 * {@code acc = slot + acc; acc = acc + g_1; ...}; (3) sends {@code acc} to {@code r + 1}, or on the last rank the
 * chunk is final; (4) once that send completed, receives the final chunk from {@code r + 1} into replica 0's
 * buffer (MPI forbids receiving into a buffer a pending send reads); (5) copies the final chunk into its other
 * replicas and sends it on to {@code r - 1}. Each queue of requests completes in chunk order (MPI does not let
 * messages between two ranks with one tag overtake each other), so only its oldest request is tested.
 */
final class Chain {
    /** A local buffer as MPI sees it (bytes) and as the arithmetic sees it (little-endian floats from byte 0). */
    record Buffer(ByteBuffer bytes, FloatBuffer floats) {
        static Buffer of(ByteBuffer buffer) {
            ByteBuffer whole = buffer.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
            return new Buffer(buffer, whole.asFloatBuffer());
        }
    }

    private final MpiWorld world;
    private final Buffer[] replicas;
    private final Buffer[] slots;
    private final ChunkPlan plan;
    private final Poll poll;
    private final Duration timeout;
    private final String what;
    private final int rank;
    private final int last;
    private final int chunks;
    private final long[] partialReceives;
    private final long[] partialSends;
    private final long[] finalReceives;
    private final long[] finalSends;
    private int reduced;
    private int partialSendsDone;
    private int finalReceivesPosted;
    private int finalReceivesDone;
    private int finalSendsStarted;
    private int finalSendsDone;
    private long sent;
    private long received;

    Chain(MpiWorld world, Buffer[] replicas, ChunkPlan plan, Buffer[] slots, Poll poll, Duration timeout,
            String what) {
        this.world = world;
        this.replicas = replicas;
        this.slots = slots;
        this.plan = plan;
        this.poll = poll;
        this.timeout = timeout;
        this.what = what;
        this.rank = world.rank();
        this.last = world.size() - 1;
        this.chunks = plan.chunks();
        this.partialReceives = new long[slots.length];
        this.partialSends = new long[chunks];
        this.finalReceives = new long[chunks];
        this.finalSends = new long[chunks];
    }

    long sent() {
        return sent;
    }

    long received() {
        return received;
    }

    void run() {
        if (rank > 0) {
            for (int c = 0; c < Math.min(chunks, slots.length); c++) {
                postPartialReceive(c);
            }
        }
        while (!done()) {
            boolean progressed = reduceNext();
            progressed |= advancePartialSends();
            progressed |= advanceFinalReceives();
            progressed |= advanceFinalSends();
            if (progressed) {
                poll.progressed();
            } else if (poll.expired()) {
                throw world.timeout(what, timeout, "rank " + blockedOn());
            } else {
                poll.idle();
            }
        }
    }

    private boolean done() {
        return reduced == chunks && (rank == last || finalReceivesDone == chunks)
                && (rank == 0 || finalSendsDone == chunks);
    }

    /** The chain neighbour whose message or acknowledgement this rank waits for first. */
    private int blockedOn() {
        if (rank > 0 && reduced < chunks) {
            return rank - 1;
        }
        return rank < last && finalReceivesDone < chunks ? rank + 1 : rank - 1;
    }

    private void postPartialReceive(int c) {
        Buffer slot = slots[c % slots.length];
        partialReceives[c % slots.length] = world.irecv(slot.bytes(), 0, bytes(plan.length(c)), rank - 1,
                OrderedSum.TAG_PARTIAL);
    }

    /** Steps (1) to (3) for the next chunk, if its partial sum is there. */
    private boolean reduceNext() {
        if (reduced == chunks) {
            return false;
        }
        int c = reduced;
        if (rank > 0) {
            long got = world.test(partialReceives[c % slots.length]);
            if (got < 0) {
                return false;
            }
            checkReceived(got, c, rank - 1, "partial sum");
        }
        add(c);
        if (rank > 0 && c + slots.length < chunks) {
            postPartialReceive(c + slots.length);
        }
        if (rank < last) {
            partialSends[c] = send(c, rank + 1, OrderedSum.TAG_PARTIAL);
        } else {
            finish(c);
        }
        reduced++;
        return true;
    }

    /** acc = slot + acc (not on rank 0), then acc = acc + g_l for l = 1..L-1, over chunk c. */
    private void add(int c) {
        int from = plan.first(c);
        int n = plan.length(c);
        FloatBuffer acc = replicas[0].floats();
        if (rank > 0) {
            FloatBuffer partial = slots[c % slots.length].floats();
            for (int i = 0; i < n; i++) {
                acc.put(from + i, partial.get(i) + acc.get(from + i));
            }
        }
        for (int l = 1; l < replicas.length; l++) {
            FloatBuffer g = replicas[l].floats();
            for (int i = from; i < from + n; i++) {
                acc.put(i, acc.get(i) + g.get(i));
            }
        }
    }

    /** Step (4): a completed partial send frees its chunk of replica 0 for the final sum's receive. */
    private boolean advancePartialSends() {
        boolean progressed = false;
        while (partialSendsDone < reduced && rank < last && world.test(partialSends[partialSendsDone]) >= 0) {
            partialSendsDone++;
            progressed = true;
        }
        while (finalReceivesPosted < partialSendsDone) {
            int c = finalReceivesPosted++;
            finalReceives[c] = world.irecv(replicas[0].bytes(), bytes(plan.first(c)), bytes(plan.length(c)),
                    rank + 1, OrderedSum.TAG_FINAL);
        }
        return progressed;
    }

    private boolean advanceFinalReceives() {
        boolean progressed = false;
        while (finalReceivesDone < finalReceivesPosted) {
            int c = finalReceivesDone;
            long got = world.test(finalReceives[c]);
            if (got < 0) {
                break;
            }
            checkReceived(got, c, rank + 1, "final sum");
            finish(c);
            finalReceivesDone++;
            progressed = true;
        }
        return progressed;
    }

    private boolean advanceFinalSends() {
        boolean progressed = false;
        while (finalSendsDone < finalSendsStarted && world.test(finalSends[finalSendsDone]) >= 0) {
            finalSendsDone++;
            progressed = true;
        }
        return progressed;
    }

    /** Step (5): chunk c of replica 0 is final: copy it into the other replicas and pass it down the chain. */
    private void finish(int c) {
        int offset = (int) bytes(plan.first(c));
        int length = (int) bytes(plan.length(c));
        ByteBuffer source = replicas[0].bytes();
        for (int l = 1; l < replicas.length; l++) {
            replicas[l].bytes().put(offset, source, offset, length);
        }
        if (rank > 0) {
            finalSends[finalSendsStarted++] = send(c, rank - 1, OrderedSum.TAG_FINAL);
        }
    }

    private long send(int c, int destination, int tag) {
        long length = bytes(plan.length(c));
        long handle = world.isend(replicas[0].bytes(), bytes(plan.first(c)), length, destination, tag);
        sent += length;
        return handle;
    }

    private void checkReceived(long got, int c, int source, String kind) {
        long expected = bytes(plan.length(c));
        if (got != expected) {
            throw new IllegalStateException("rank " + rank + " received " + got + " bytes of the " + kind
                    + " of chunk " + c + " from rank " + source + ", expected " + expected
                    + ": the ranks disagree about the size of the sum (" + plan.floats() + " floats here)");
        }
        received += got;
    }

    private static long bytes(int floats) {
        return (long) floats * Float.BYTES;
    }
}
