package dev.anneal.backend.cuda;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.distributed.NcclComm;
import dev.anneal.distributed.NcclStatus;
import dev.anneal.distributed.ProcessGroup;
import dev.anneal.distributed.ProcessGroup;
import dev.anneal.spec.BadInput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * The exact cross-process gradient sum on the GPUs, through NCCL, for one CUDA replica per process: rank
 * {@code r}'s gradient {@code g_r} becomes {@code s = ((g_0 + g_1) + g_2) + ... + g_{W-1}} on every rank, the
 * bits of {@code dev.anneal.distributed.OrderedSum} and of one process summing all {@code W} replicas in order
 * (the contract of {@code dev.anneal.parallel.AllReduce}, which wraps this class). {@code ncclAllReduce} would give
 * every rank the same bits too, but in an order of its own (a ring or a tree), hence other bits than a single
 * process.
 *
 * <p>The chain: rank 0 sends its gradient to rank 1, which receives it into a device scratch chunk and adds its own
 * gradient with the backend's {@code axpy} kernel (alpha 1: {@code fma(1, x, y)} rounds like {@code x + y}, and
 * float addition is commutative, so {@code g_r + p} has the bits of {@code p + g_r}), sends the partial sum on, and
 * so on; rank {@code W-1} holds the final sum, which goes back down the chain ({@code W-1 -> ... -> 0}), each rank
 * receiving it straight into its gradient buffer and passing it on. Both passes go in chunks of at most
 * {@code chunkFloats} ({@link #CHUNK_FLOATS}), pipelined: in one NCCL group a rank sends chunk {@code c} on while it
 * receives chunk {@code c+1}, so every link of the chain carries data at once. Every send, receive and addition is
 * queued on the backend's one stream, whose order is all the ordering there is (NCCL calls are stream-ordered):
 * no event, no host wait per chunk. Groups match across ranks in anti-diagonals (rank {@code r}'s group {@code c}
 * pairs with rank {@code r+1}'s group {@code c-1}), so the chain cannot deadlock. Traffic: each link carries
 * {@code 4 n} bytes each way.
 *
 * <p>After queuing, {@link #sum} waits on the host for an event behind the last operation, at most the run's
 * collective timeout and watching {@code ncclCommGetAsyncError} ({@link NcclComm#await}): a dead or cut-off peer
 * becomes a one-line error naming the collective, not a hang in a later synchronisation. That is one host wait per
 * call.
 *
 * <p>Verified only against the test stand-in ({@code src/test/native/fake_nccl.cpp} over MPI in the CUDA
 * emulation); never run on a GPU with NCCL, hence behind {@code -Danneal.nccl=on} ({@link NcclStatus}).
 */
public final class NcclChainAllReduce implements AutoCloseable {
    /** The largest chunk, and the scratch on the device: 1 Mi floats (4 MiB). */
    public static final long CHUNK_FLOATS = 1L << 20;

    /** Bugs planted on purpose, which the tests must catch. */
    enum Planted {
        NONE,
        /** The chain runs from rank W-1 down to rank 0: the additions in the wrong order. */
        REVERSED_CHAIN,
        /**
         * NCCL's sends and receives go on a stream of their own, with no event ordering them against the backend's
         * stream: the axpy reads the scratch without waiting for the receive, a send reads the gradient without
         * waiting for the kernels that wrote it.
         */
        OWN_STREAM
    }

    private final CudaBackend backend;
    private final NcclComm comm;
    private final long chunkLimit;
    private final Planted planted;
    private final CUevent done = new CUevent();
    private final CudaBackend.StreamHandle plantedStream;
    private CudaFloats scratch;
    private boolean closed;

    /**
     * The NCCL all-reduce when {@code -Danneal.nccl=on} and the run has several processes; empty when the switch
     * is off or there is one process. Every rank calls this (it is a collective: the ranks compare what they can
     * do).
     *
     * @throws BadInput when the switch is on but some rank cannot use NCCL: not exactly one replica, not a CUDA
     *     device, or NCCL not loaded (the message names the first such rank and why)
     */
    public static Optional<NcclChainAllReduce> ifRequested(List<Backend> backends, ProcessGroup group,
                                                           Duration timeout) {
        if (group.size() == 1 || !NcclStatus.requested()) {
            return Optional.empty();
        }
        String mine = problem(backends);
        byte[][] all = group.allGather(mine == null ? new byte[0] : mine.getBytes(StandardCharsets.UTF_8),
                "NCCL check");
        for (int k = 0; k < all.length; k++) {
            if (all[k].length > 0) {
                throw new BadInput("-D" + NcclStatus.PROPERTY + "=on, but on rank " + k + " "
                        + new String(all[k], StandardCharsets.UTF_8));
            }
        }
        return Optional.of(open((CudaBackend) backends.get(0), group, timeout));
    }

    /** Null when this process's replicas can take part in the NCCL chain; else why not. */
    static String problem(List<Backend> backends) {
        if (backends.size() != 1) {
            return "this process has " + backends.size() + " replicas; the NCCL all-reduce takes one CUDA device "
                    + "per process (devices: 1, one process per GPU)";
        }
        if (!(backends.get(0) instanceof CudaBackend)) {
            return "the replica is on " + backends.get(0).name() + ", not on a CUDA device";
        }
        NcclStatus.Status s = NcclStatus.load();
        return s.loaded() ? null : "NCCL is not loaded: " + s.reason();
    }

    /**
     * Joins the NCCL communicator of {@code group} (a collective: rank 0's unique id goes to every rank over
     * {@code group.broadcast}) for {@code backend}'s device; NCCL must be loaded.
     */
    public static NcclChainAllReduce open(CudaBackend backend, ProcessGroup group, Duration timeout) {
        return open(backend, group, timeout, CHUNK_FLOATS, Planted.NONE);
    }

    static NcclChainAllReduce open(CudaBackend backend, ProcessGroup group, Duration timeout, long chunkFloats,
                                   Planted planted) {
        if (chunkFloats < 1) {
            throw new IllegalArgumentException("chunk of " + chunkFloats + " floats");
        }
        if (group.size() < 2) {
            throw new IllegalArgumentException("the NCCL all-reduce is for several processes, got " + group.size());
        }
        backend.makeCurrent();
        NcclComm comm = NcclComm.open(group, timeout);
        try {
            return new NcclChainAllReduce(backend, comm, chunkFloats, planted);
        } catch (RuntimeException e) {
            comm.close();
            throw e;
        }
    }

    private NcclChainAllReduce(CudaBackend backend, NcclComm comm, long chunkLimit, Planted planted) {
        this.backend = backend;
        this.comm = comm;
        this.chunkLimit = chunkLimit;
        this.planted = planted;
        backend.makeCurrent();
        Driver.check(JCudaDriver.cuEventCreate(done, CUevent_flags.CU_EVENT_DISABLE_TIMING),
                "cuEventCreate on " + backend.name());
        if (planted == Planted.OWN_STREAM) {
            plantedStream = new CudaBackend.StreamHandle();
            Driver.check(JCudaDriver.cuStreamCreate(plantedStream, CUstream_flags.CU_STREAM_NON_BLOCKING),
                    "cuStreamCreate on " + backend.name());
        } else {
            plantedStream = null;
        }
    }

    /**
     * {@code buffers.get(0)[offset, offset+n)} becomes the ordered sum over the ranks (class comment); every rank
     * calls this with the same {@code n}. Returns once the sum is in the buffer as far as the backend's stream is
     * concerned (a later op on the backend sees it).
     *
     * @throws dev.anneal.distributed.CollectiveFailure when NCCL reports an error or the collective timeout passes
     *     (the communicator is then aborted: the caller should end the job)
     */
    public void sum(List<FloatArray> buffers, long offset, long n) {
        if (closed) {
            throw new IllegalStateException("all-reduce used after close()");
        }
        if (buffers.size() != 1 || buffers.get(0) == null) {
            throw new IllegalArgumentException(buffers.size() + " buffers for the 1 replica of this process");
        }
        long grad = backend.floats(buffers.get(0)).span("replica 0", offset, n).address();
        if (n == 0) {
            return;
        }
        backend.makeCurrent();
        long chunk = Math.min(n, chunkLimit);
        if (scratch == null || scratch.capacity() < chunk) {
            if (scratch != null) {
                scratch.close();
            }
            scratch = (CudaFloats) backend.allocate(chunk);
        }
        int w = comm.size();
        int position = planted == Planted.REVERSED_CHAIN ? w - 1 - comm.rank() : comm.rank();
        int before = position == 0 ? -1 : rankAt(position - 1);
        int after = position == w - 1 ? -1 : rankAt(position + 1);
        pass(buffers.get(0), offset, grad, n, before, after, true);
        pass(buffers.get(0), offset, grad, n, after, before, false);
        Driver.check(JCudaDriver.cuEventRecord(done, backend.stream()), "cuEventRecord on " + backend.name());
        comm.await(this::finished, "gradient sum");
    }

    public String describe() {
        return "by NCCL " + comm.version() + ": an ordered chain of sends and receives across the " + comm.size()
                + " processes, added on each GPU (the bits of one process)";
    }

    /** Frees the scratch, the event and the communicator ({@code ncclCommDestroy}); the backend stays open. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (scratch != null) {
            scratch.close();
            scratch = null;
        }
        try {
            backend.makeCurrent();
            JCudaDriver.cuEventDestroy(done);
            if (plantedStream != null) {
                JCudaDriver.cuStreamDestroy(plantedStream);
            }
        } catch (IllegalStateException closedBackend) {
            // the event and the stream went with the backend's context
        } finally {
            comm.close();
        }
    }

    // ---- internals ---------------------------------------------------------------------------------------------

    private int rankAt(int position) {
        return planted == Planted.REVERSED_CHAIN ? comm.size() - 1 - position : position;
    }

    /**
     * One pass along the chain, queued on the stream: chunks arrive from rank {@code from} (-1: this rank starts
     * the pass with its own buffer) and leave for rank {@code to} (-1: this rank ends it). With {@code add}, a chunk
     * arrives in the scratch and the axpy adds it into the buffer; without, it arrives straight in the buffer.
     * Chunk {@code c} leaves in the same NCCL group in which chunk {@code c+1} arrives.
     */
    private void pass(FloatArray buffer, long offset, long grad, long n, int from, int to, boolean add) {
        long stream = plantedStream != null ? plantedStream.address() : backend.streamAddress();
        long chunk = Math.min(n, chunkLimit);
        long chunks = (n + chunk - 1) / chunk;
        long scratchAt = scratch.span("NCCL scratch", 0, chunk).address();
        if (from < 0) {
            for (long c = 0; c < chunks; c++) {
                comm.send(grad + 4 * c * chunk, length(c, chunk, n), to, stream);
            }
            return;
        }
        arrive(buffer, offset, grad, n, chunk, 0, from, add, scratchAt, stream);
        for (long c = 0; c < chunks; c++) {
            boolean next = c + 1 < chunks;
            if (to < 0 && !next) {
                break;
            }
            comm.groupStart();
            if (to >= 0) {
                comm.send(grad + 4 * c * chunk, length(c, chunk, n), to, stream);
            }
            if (next) {
                long target = add ? scratchAt : grad + 4 * (c + 1) * chunk;
                comm.recv(target, length(c + 1, chunk, n), from, stream);
            }
            comm.groupEnd();
            if (next && add) {
                backend.axpy(1f, scratch, 0, buffer, offset + (c + 1) * chunk, length(c + 1, chunk, n));
            }
        }
    }

    /** The first chunk's receive (and addition) of a pass, alone: nothing has been summed here yet to send on. */
    private void arrive(FloatArray buffer, long offset, long grad, long n, long chunk, long c, int from, boolean add,
                        long scratchAt, long stream) {
        comm.recv(add ? scratchAt : grad + 4 * c * chunk, length(c, chunk, n), from, stream);
        if (add) {
            backend.axpy(1f, scratch, 0, buffer, offset + c * chunk, length(c, chunk, n));
        }
    }

    private static long length(long c, long chunk, long n) {
        return Math.min(chunk, n - c * chunk);
    }

    /** Whether the work queued before {@link #done} has completed ({@code cuEventQuery}). */
    private boolean finished() {
        backend.makeCurrent();
        int result = JCudaDriver.cuEventQuery(done);
        if (result == CUresult.CUDA_ERROR_NOT_READY) {
            return false;
        }
        Driver.check(result, "cuEventQuery on " + backend.name());
        return true;
    }
}
