package dev.anneal.distributed;

import dev.anneal.spec.BadInput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * The job's MPI world ({@code MPI_COMM_WORLD}) through Anneal's JNI shim: this process's rank among {@code size},
 * its rank among the job's processes on the same machine ({@code MPI_COMM_TYPE_SHARED}), and the host name.
 *
 * <p>Every operation that waits on other ranks takes a timeout and a name: MPI's non-blocking call is started and
 * polled ({@link Poll}); when the timeout passes first, {@link CollectiveTimeout} names the operation, this rank,
 * its host and whom it waited for, and the caller is expected to {@link #abort(int)}: a rank killed outright ends
 * the job through the launcher within seconds, but a partitioned network would leave the ranks waiting forever.
 *
 * <p>MPI is initialised once per process ({@code MPI_THREAD_MULTIPLE}: any thread may call). {@link #close()}
 * waits for every rank at a barrier (at most {@link #FINALIZE_TIMEOUT}) and calls {@code MPI_Finalize}.
 */
public final class MpiWorld implements AutoCloseable {
    /** How long {@link #close()} waits for the other ranks before it throws {@link CollectiveTimeout}. */
    public static final Duration FINALIZE_TIMEOUT = Duration.ofSeconds(300);
    private static final int MPI_THREAD_MULTIPLE = 3;
    private static boolean initialised;

    private final int rank;
    private final int size;
    private final int localRank;
    private final int localSize;
    private final String host;
    private final String libraryVersion;
    private boolean closed;

    private MpiWorld(int[] init, String host, String libraryVersion) {
        this.rank = init[0];
        this.size = init[1];
        this.localRank = init[2];
        this.localSize = init[3];
        this.host = host;
        this.libraryVersion = libraryVersion;
    }

    /**
     * Initialises MPI for a process started as {@code launch} says. The shim not loading, or MPI disagreeing with
     * the launcher about this process's rank or the job's size, is {@link BadInput} naming the cause and the fix.
     */
    public static synchronized MpiWorld open(Launch launch) {
        if (initialised) {
            throw new IllegalStateException("MPI is initialised once per process; this one already was");
        }
        MpiShim.Status shim = MpiShim.load();
        if (!shim.loaded()) {
            throw new BadInput("started as rank " + launch.rank() + " of " + launch.size() + " by " + launch.launcher()
                    + ", but " + shim.reason());
        }
        int[] init = MpiNative.init();
        initialised = true;
        MpiWorld world = new MpiWorld(init, MpiNative.processorName(), shim.version().orElseThrow());
        if (init[4] < MPI_THREAD_MULTIPLE) {
            world.abort(2, "the MPI library provides thread level " + init[4]
                    + ", below MPI_THREAD_MULTIPLE (" + MPI_THREAD_MULTIPLE + "): " + world.libraryVersion);
        }
        if (world.rank != launch.rank() || world.size != launch.size()) {
            world.abort(2, "MPI says rank " + world.rank + " of " + world.size + ", the launcher (" + launch.launcher()
                    + ") rank " + launch.rank() + " of " + launch.size() + "; start every rank with the same launcher");
        }
        return world;
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    /** This process's rank among the job's processes on its machine (which GPU it drives). */
    public int localRank() {
        return localRank;
    }

    /** How many of the job's processes run on this machine. */
    public int localSize() {
        return localSize;
    }

    /** {@code MPI_Get_processor_name}. */
    public String host() {
        return host;
    }

    /** The first line of {@code MPI_Get_library_version} ("Open MPI v4.1.4, ..."). */
    public String libraryVersion() {
        return libraryVersion;
    }

    /**
     * Returns once every rank has entered the barrier ({@code what} names it in a {@link CollectiveTimeout}, thrown
     * after {@code timeout}).
     */
    public void barrier(Duration timeout, String what) {
        checkOpen();
        Poll poll = new Poll(timeout);
        await(poll, MpiNative.ibarrier(), timeout, what, others());
    }

    /**
     * Copies bytes {@code [position, limit)} of {@code root}'s buffer into the same range of every rank's buffer
     * (a direct buffer; positions and limits are not changed and must describe the same byte count everywhere).
     */
    public void broadcast(ByteBuffer buffer, int root, Duration timeout, String what) {
        checkOpen();
        checkRank(root, "root");
        Poll poll = new Poll(timeout);
        long handle = MpiNative.ibcast(buffer, buffer.position(), buffer.remaining(), root);
        await(poll, handle, timeout, what, rank == root ? others() : "rank " + root);
    }

    /** Every rank's {@code mine}, indexed by rank, on every rank (an all-gather; used for parameter checksums). */
    public long[] gatherLongs(long mine, Duration timeout, String what) {
        checkOpen();
        Poll poll = new Poll(timeout);
        ByteBuffer out = ByteBuffer.allocateDirect(Long.BYTES * size).order(ByteOrder.nativeOrder());
        await(poll, MpiNative.iallgatherLong(mine, out), timeout, what, others());
        long[] values = new long[size];
        out.asLongBuffer().get(values);
        return values;
    }

    /**
     * {@code MPI_Abort}: the launcher ends every process of the job with a non-zero status, this one included; it
     * does not return.
     */
    public void abort(int code) {
        MpiNative.abort(code);
        throw new IllegalStateException("MPI_Abort(" + code + ") returned");
    }

    /** Barrier (at most {@link #FINALIZE_TIMEOUT}), then {@code MPI_Finalize}; further calls are errors. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        barrier(FINALIZE_TIMEOUT, "finalize");
        closed = true;
        MpiNative.finalizeMpi();
    }

    /** Starts a send of bytes {@code [offset, offset + bytes)} of a direct buffer to {@code destination}. */
    long isend(ByteBuffer buffer, long offset, long bytes, int destination, int tag) {
        return MpiNative.isend(buffer, offset, bytes, destination, tag);
    }

    /** Starts a receive of at most {@code bytes} bytes into {@code [offset, offset + bytes)} from {@code source}. */
    long irecv(ByteBuffer buffer, long offset, long bytes, int source, int tag) {
        return MpiNative.irecv(buffer, offset, bytes, source, tag);
    }

    /** -1 while pending; then the bytes received (receives) or 0, and the handle is spent. */
    long test(long request) {
        return MpiNative.test(request);
    }

    CollectiveTimeout timeout(String what, Duration timeout, String waitingFor) {
        return new CollectiveTimeout(what, timeout, rank, host, waitingFor);
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the MPI world is closed (MPI_Finalize was called)");
        }
    }

    private void await(Poll poll, long handle, Duration timeout, String what, String waitingFor) {
        while (MpiNative.test(handle) < 0) {
            if (poll.expired()) {
                throw timeout(what, timeout, waitingFor);
            }
            poll.idle();
        }
    }

    private String others() {
        return size == 2 ? "rank " + (1 - rank) : "the other " + (size - 1) + " ranks";
    }

    private void checkRank(int r, String role) {
        if (r < 0 || r >= size) {
            throw new IllegalArgumentException(role + " " + r + " is not a rank of a world of " + size);
        }
    }

    private void abort(int code, String why) {
        System.err.println("anneal: rank " + rank + " (host " + host + "): " + why);
        System.err.flush();
        abort(code);
    }
}
