package dev.anneal.distributed;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * An NCCL communicator over the processes of a run, rank {@code r} of the group being NCCL rank {@code r}: rank 0
 * makes the unique id ({@code ncclGetUniqueId}), the group broadcasts it (over MPI), every rank joins
 * ({@code ncclCommInitRank} on its current CUDA device). Sends and receives are queued on a CUDA stream and
 * return at once; {@link #await} waits on the host for queued work with the run's collective timeout, checking
 * {@code ncclCommGetAsyncError}, and aborts the communicator when either fails (NCCL itself would wait forever
 * for a dead peer). Use from one thread.
 */
public final class NcclComm implements AutoCloseable {
    private final int rank;
    private final int size;
    private final String host;
    private final Duration timeout;
    private final String version;
    private long handle;

    private NcclComm(long handle, int rank, int size, String host, Duration timeout, String version) {
        this.handle = handle;
        this.rank = rank;
        this.size = size;
        this.host = host;
        this.timeout = timeout;
        this.version = version;
    }

    /**
     * Joins the communicator of every rank of {@code group} (a collective: every rank calls it, with the CUDA
     * device it will use current on the calling thread).
     *
     * @throws IllegalStateException when NCCL is not loaded ({@link NcclStatus#load()})
     */
    public static NcclComm open(ProcessGroup group, Duration timeout) {
        NcclStatus.Status s = NcclStatus.load();
        if (!s.loaded()) {
            throw new IllegalStateException("NCCL is not loaded: " + s.reason());
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the timeout must be > 0, got " + timeout);
        }
        byte[] id = group.broadcast(group.rank() == 0 ? NcclNative.uniqueId() : new byte[0], "NCCL unique id");
        if (id.length != NcclNative.UNIQUE_ID_BYTES) {
            throw new IllegalStateException("the NCCL unique id from rank 0 has " + id.length + " bytes, not "
                    + NcclNative.UNIQUE_ID_BYTES);
        }
        long handle = NcclNative.initRank(id, group.size(), group.rank());
        String host = group instanceof MpiProcessGroup m ? m.host() : "localhost";
        return new NcclComm(handle, group.rank(), group.size(), host, timeout, s.version().orElseThrow());
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    /** The loaded library's version ({@code 2.21.5}). */
    public String version() {
        return version;
    }

    /** Queues on {@code stream} a send of {@code count} floats at device address {@code address} to {@code peer}. */
    public void send(long address, long count, int peer, long stream) {
        NcclNative.send(address, count, checkPeer(peer), live(), stream);
    }

    /** Queues on {@code stream} a receive of {@code count} floats into device address {@code address}. */
    public void recv(long address, long count, int peer, long stream) {
        NcclNative.recv(address, count, checkPeer(peer), live(), stream);
    }

    /** {@code ncclGroupStart}: the sends and receives until {@link #groupEnd} progress together. */
    public void groupStart() {
        live();
        NcclNative.groupStart();
    }

    /** {@code ncclGroupEnd}. */
    public void groupEnd() {
        live();
        NcclNative.groupEnd();
    }

    /**
     * Polls {@code done} (a CUDA event query of the queued work) until it is true. An asynchronous NCCL error
     * aborts the communicator and throws {@link NcclException}; {@code timeout} passing first aborts it and
     * throws {@link CollectiveTimeout} naming {@code what} and this rank.
     */
    public void await(BooleanSupplier done, String what) {
        long comm = live();
        Poll poll = new Poll(timeout);
        while (!done.getAsBoolean()) {
            String error = NcclNative.asyncError(comm);
            if (error != null) {
                abort();
                throw new NcclException("collective '" + what + "' failed on rank " + rank + " (host " + host
                        + "): NCCL: " + error);
            }
            if (poll.expired()) {
                abort();
                throw new CollectiveTimeout(what + " (NCCL)", timeout, rank, host,
                        size == 2 ? "rank " + (1 - rank) : "the other " + (size - 1) + " ranks");
            }
            poll.idle();
        }
    }

    /** {@code ncclCommAbort}: frees the communicator without waiting for its queued work. */
    public void abort() {
        if (handle != 0) {
            long h = handle;
            handle = 0;
            NcclNative.abort(h);
        }
    }

    /** {@code ncclCommDestroy}; a second call does nothing. */
    @Override
    public void close() {
        if (handle != 0) {
            long h = handle;
            handle = 0;
            NcclNative.destroy(h);
        }
    }

    private long live() {
        if (handle == 0) {
            throw new IllegalStateException("the NCCL communicator is closed");
        }
        return handle;
    }

    private int checkPeer(int peer) {
        if (peer < 0 || peer >= size || peer == rank) {
            throw new IllegalArgumentException("peer " + peer + " of rank " + rank + " in a communicator of " + size);
        }
        return peer;
    }
}
