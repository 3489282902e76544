package dev.anneal.distributed;

/**
 * The natives of {@code src/main/native/mpi/anneal_nccl.c}, compiled into the MPI shim {@code libanneal_mpi.so};
 * callable only after {@link MpiShim#load()} succeeded, and all but {@link #load} only after {@link #load}
 * succeeded ({@link IllegalStateException} otherwise). NCCL itself is {@code dlopen}ed, never linked. Device
 * buffers are device addresses and streams are {@code CUstream} handles, as longs; counts are in floats
 * ({@code ncclFloat32}). A failing NCCL call throws {@link NcclException}.
 */
final class NcclNative {
    /** The bytes of an {@code ncclUniqueId}. */
    static final int UNIQUE_ID_BYTES = 128;

    private NcclNative() {
    }

    /**
     * {@code dlopen(path)} and the entry points Anneal calls; once per process (a later call returns the first
     * library's version whatever the path).
     *
     * @return {@code {version, null}} when loaded ({@code "2.21.5"}; a test stand-in's ends in
     *     {@code -anneal-fake}), else {@code {null, why}}
     */
    static native String[] load(String path);

    /** {@code ncclGetUniqueId}: 128 bytes, made on one rank and passed to {@link #initRank} on every rank. */
    static native byte[] uniqueId();

    /**
     * {@code ncclCommInitRank} on the calling thread's current CUDA device; blocks until all {@code nranks} ranks
     * joined. Returns the communicator's handle.
     */
    static native long initRank(byte[] id, int nranks, int rank);

    /** {@code ncclSend} of {@code count} floats at device address {@code buffer} to {@code peer}, on {@code stream}. */
    static native void send(long buffer, long count, int peer, long comm, long stream);

    /** {@code ncclRecv} of {@code count} floats into device address {@code buffer} from {@code peer}, on {@code stream}. */
    static native void recv(long buffer, long count, int peer, long comm, long stream);

    /** {@code ncclGroupStart}: the sends and receives until {@link #groupEnd} run together. */
    static native void groupStart();

    /** {@code ncclGroupEnd}: queues the group's operations on their streams. */
    static native void groupEnd();

    /** {@code ncclCommGetAsyncError}: null while the communicator is healthy, else the error's text. */
    static native String asyncError(long comm);

    /** {@code ncclCommAbort}: frees the communicator, cancelling its pending operations. */
    static native void abort(long comm);

    /** {@code ncclCommDestroy}: frees the communicator after its queued operations. */
    static native void destroy(long comm);
}
