package dev.anneal.distributed;

import java.nio.ByteBuffer;

/**
 * The natives of {@code libanneal_mpi.so} ({@code src/main/native/mpi/anneal_mpi.c}); callable only after
 * {@link MpiShim#load()} succeeded. Every operation that waits on another rank is started here and returns a
 * request handle, which {@link #test} polls; the caller owns the timeout ({@link Requests}). A buffer is a direct
 * {@link ByteBuffer} addressed by absolute byte offset and count (at most {@code Integer.MAX_VALUE} bytes), read or
 * written by MPI until its request completes. Failures throw {@link MpiException}; bad ranges throw
 * {@link IllegalArgumentException}.
 */
final class MpiNative {
    private MpiNative() {
    }

    /**
     * {@code MPI_Init_thread(MPI_THREAD_MULTIPLE)} after setting {@code UCX_ERROR_SIGNALS=""} and (unless set)
     * {@code OMPI_MCA_opal_signal=""}, then {@code MPI_ERRORS_RETURN} on {@code MPI_COMM_WORLD}.
     *
     * @return world rank, world size, node-local rank, node-local size ({@code MPI_COMM_TYPE_SHARED}), and the
     *     thread level provided
     */
    static native int[] init();

    /** {@code MPI_Get_processor_name}: this process's host name as MPI reports it. */
    static native String processorName();

    /** The first line of {@code MPI_Get_library_version}; callable before {@link #init}. */
    static native String libraryVersion();

    /** {@code MPI_Isend} of bytes {@code [offset, offset + bytes)} to {@code destination} with {@code tag}. */
    static native long isend(ByteBuffer buffer, long offset, long bytes, int destination, int tag);

    /** {@code MPI_Irecv} of at most {@code bytes} bytes into {@code [offset, offset + bytes)} from {@code source}. */
    static native long irecv(ByteBuffer buffer, long offset, long bytes, int source, int tag);

    /** {@code MPI_Ibcast} of bytes {@code [offset, offset + bytes)} from {@code root} to every rank. */
    static native long ibcast(ByteBuffer buffer, long offset, long bytes, int root);

    /** {@code MPI_Ibarrier} on the world. */
    static native long ibarrier();

    /**
     * {@code MPI_Iallgather} of one {@code long long} per rank: rank {@code r}'s {@code value} lands in bytes
     * {@code [8r, 8r + 8)} of {@code out} in native order.
     */
    static native long iallgatherLong(long value, ByteBuffer out);

    /**
     * {@code MPI_Test}: -1 while pending; once complete, the bytes received (receives) or 0 (everything else), and
     * the handle is freed and must not be used again.
     */
    static native long test(long request);

    /** {@code MPI_Abort(MPI_COMM_WORLD, code)}: the launcher ends every process of the job. */
    static native void abort(int code);

    /** {@code MPI_Finalize}. */
    static native void finalizeMpi();
}
