package dev.anneal.backend.cuda;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * The all-reduce of CUDA replicas by peer copies, summed on replica 0's device: every replica's buffer becomes
 * {@code s = ((b_0 + b_1) + b_2) + ... + b_{N-1}}, float additions in replica order, computed once on device 0 and
 * copied to the others, so every replica gets the same bits. Each addition is backend 0's {@code axpy} kernel
 * with alpha 1, {@code y = fma(1, x, y)}, which rounds exactly like {@code x + y} (the CPU's {@code y += 1 * x}
 * too): the result has the bits of the plain Java loop {@code s = b0; s += b1; ...}.
 *
 * <p>Per call, in chunks of at most {@link #SCRATCH_FLOATS} floats (a scratch buffer on device 0 of that size at
 * most, whatever the model): an event recorded on each replica's stream, which device 0's stream waits for
 * ({@code cuStreamWaitEvent}) before reading that replica's memory; for {@code r = 1..N-1},
 * {@code cuMemcpyPeerAsync} of replica r's chunk into the scratch and {@code axpy(1, scratch, b_0)}; then peer
 * copies of the sum from device 0 into every replica; last, an event on device 0's stream that every replica's
 * stream waits for, so a later op on replica r sees the sum. Nothing blocks the host.
 *
 * <p>Peer access ({@code cuCtxEnablePeerAccess}, both directions between device 0 and each other device) is
 * enabled where {@code cuDeviceCanAccessPeer} allows it and left enabled; where it does not, the driver stages the
 * peer copies itself (correct, slower), and {@link #peerProblem} tells {@code AllReduce.create} to take its
 * host-staged path instead. Call from one thread while no other thread uses these backends.
 */
public final class CudaPeerAllReduce implements AutoCloseable {
    /** The largest scratch buffer on device 0, in floats (16 MiB). */
    static final long SCRATCH_FLOATS = 4L << 20;

    /** Bugs planted on purpose, which the emulated driver must catch (tests only). */
    enum Planted {
        NONE,
        /** Device 0 reads a replica's buffer without waiting for that replica's stream. */
        NO_WAIT_BEFORE_READ,
        /** The replicas' streams do not wait for device 0's copies of the sum into their buffers. */
        NO_WAIT_AFTER_WRITE,
        /** The sum is copied back one element too far into the replicas' buffers. */
        SHIFTED_COPY_BACK
    }

    private final List<CudaBackend> backends;
    private final CUevent[] ready;
    private final CUevent done = new CUevent();
    private final long scratchLimit;
    private final Planted planted;
    private final String missingPeers;
    private CudaFloats scratch;
    private boolean closed;

    /**
     * Null when these backends can use peer copies: at least two, all {@link CudaBackend}, on distinct devices,
     * with {@code cuDeviceCanAccessPeer} true from replica 0's device to every other's and back; otherwise why
     * not, as {@code no peer access cuda:0 <-> cuda:1}.
     */
    public static String peerProblem(List<Backend> backends) {
        if (backends.size() < 2) {
            return "fewer than two replicas";
        }
        List<CudaBackend> cuda = new ArrayList<>();
        for (Backend b : backends) {
            if (!(b instanceof CudaBackend c)) {
                return b.name() + " is not a CUDA backend";
            }
            cuda.add(c);
        }
        return missingPeers(cuda);
    }

    /** The peer-copy all-reduce over these CUDA backends (replica r on {@code backends.get(r)}). */
    public static CudaPeerAllReduce open(List<Backend> backends) {
        return open(backends, SCRATCH_FLOATS, Planted.NONE);
    }

    static CudaPeerAllReduce open(List<Backend> backends, long scratchFloats, Planted planted) {
        List<CudaBackend> cuda = new ArrayList<>();
        for (int r = 0; r < backends.size(); r++) {
            if (!(backends.get(r) instanceof CudaBackend c)) {
                throw new IllegalArgumentException("replica " + r + " is on " + backends.get(r).name()
                        + ", not on a CUDA device");
            }
            cuda.add(c);
        }
        if (cuda.isEmpty()) {
            throw new IllegalArgumentException("an all-reduce needs at least one replica");
        }
        if (scratchFloats < 1) {
            throw new IllegalArgumentException("scratch of " + scratchFloats + " floats");
        }
        return new CudaPeerAllReduce(cuda, scratchFloats, planted);
    }

    private CudaPeerAllReduce(List<CudaBackend> backends, long scratchLimit, Planted planted) {
        this.backends = List.copyOf(backends);
        this.scratchLimit = scratchLimit;
        this.planted = planted;
        this.ready = new CUevent[backends.size()];
        this.missingPeers = missingPeers(this.backends);
        try {
            enablePeerAccess();
            for (int r = 1; r < ready.length; r++) {
                ready[r] = new CUevent();
                this.backends.get(r).makeCurrent();
                Driver.check(JCudaDriver.cuEventCreate(ready[r], CUevent_flags.CU_EVENT_DISABLE_TIMING),
                        "cuEventCreate on " + this.backends.get(r).name());
            }
            this.backends.get(0).makeCurrent();
            Driver.check(JCudaDriver.cuEventCreate(done, CUevent_flags.CU_EVENT_DISABLE_TIMING),
                    "cuEventCreate on " + this.backends.get(0).name());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** {@code peer copies via cuda:0}, saying where the driver has to stage copies for lack of peer access. */
    public String describe() {
        String via = "peer copies via " + backends.get(0).name();
        return missingPeers == null ? via : via + " (" + missingPeers + ": the driver stages those copies)";
    }

    /**
     * Every {@code buffers.get(r)[offset, offset+n)} becomes {@code ((b0 + b1) + b2) + ...} (see the class
     * comment); {@code buffers.get(r)} must belong to {@code backends.get(r)}. Returns once the sum is queued on
     * every backend's stream.
     */
    public void sum(List<FloatArray> buffers, long offset, long n) {
        if (closed) {
            throw new IllegalStateException("all-reduce used after close()");
        }
        int replicas = backends.size();
        CUdeviceptr[] at = pointers(buffers, offset, n);
        if (n == 0 || replicas == 1) {
            return;
        }
        CudaBackend first = backends.get(0);
        for (int r = 1; r < replicas; r++) {
            backends.get(r).makeCurrent();
            record(ready[r], backends.get(r));
        }
        first.makeCurrent();
        if (planted != Planted.NO_WAIT_BEFORE_READ) {
            for (int r = 1; r < replicas; r++) {
                waitFor(first, ready[r], backends.get(r));
            }
        }
        CudaFloats temp = scratch(Math.min(n, scratchLimit));
        long shift = planted == Planted.SHIFTED_COPY_BACK ? 1 : 0;
        for (long start = 0; start < n; start += temp.capacity()) {
            long count = Math.min(temp.capacity(), n - start);
            long byteOffset = 4 * start;
            for (int r = 1; r < replicas; r++) {
                first.makeCurrent();
                peerCopy(temp.base(), 0, at[r].withByteOffset(byteOffset), r, count);
                first.axpy(1f, temp, 0, buffers.get(0), offset + start, count);
            }
            for (int r = 1; r < replicas; r++) {
                peerCopy(at[r].withByteOffset(byteOffset + 4 * shift), r, at[0].withByteOffset(byteOffset), 0, count);
            }
        }
        record(done, first);
        if (planted != Planted.NO_WAIT_AFTER_WRITE) {
            for (int r = 1; r < replicas; r++) {
                backends.get(r).makeCurrent();
                waitFor(backends.get(r), done, first);
            }
        }
    }

    /** Frees the scratch and the events; the backends stay open (peer access stays enabled). */
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
        for (int r = 0; r < ready.length; r++) {
            destroy(ready[r], backends.get(r));
        }
        destroy(done, backends.get(0));
    }

    // ---- internals ---------------------------------------------------------------------------------------------

    /** The device address of element {@code offset} of each replica's buffer, after checking the arguments. */
    private CUdeviceptr[] pointers(List<FloatArray> buffers, long offset, long n) {
        if (buffers.size() != backends.size()) {
            throw new IllegalArgumentException(buffers.size() + " buffers for " + backends.size() + " replicas");
        }
        Set<FloatArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        CUdeviceptr[] at = new CUdeviceptr[buffers.size()];
        for (int r = 0; r < at.length; r++) {
            FloatArray b = buffers.get(r);
            if (b == null || !seen.add(b)) {
                throw new IllegalArgumentException("replica " + r + (b == null ? " has no buffer"
                        : "'s buffer is also another replica's"));
            }
            at[r] = backends.get(r).floats(b).span("replica " + r, offset, n).pointer();
        }
        return at;
    }

    /** The scratch on device 0, at least {@code floats} long (grown, never beyond the limit). */
    private CudaFloats scratch(long floats) {
        if (scratch == null || scratch.capacity() < floats) {
            if (scratch != null) {
                scratch.close();
            }
            scratch = (CudaFloats) backends.get(0).allocate(floats);
        }
        return scratch;
    }

    /** {@code count} floats from replica {@code srcReplica}'s device to {@code dstReplica}'s, on device 0's stream. */
    private void peerCopy(CUdeviceptr dst, int dstReplica, CUdeviceptr src, int srcReplica, long count) {
        CudaBackend to = backends.get(dstReplica);
        CudaBackend from = backends.get(srcReplica);
        int result = JCudaDriver.cuMemcpyPeerAsync(dst, to.context(), src, from.context(), 4 * count,
                backends.get(0).stream());
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException("cuMemcpyPeerAsync of " + count + " floats from " + from.name() + " to "
                    + to.name(), result);
        }
    }

    /** Records {@code event} on {@code on}'s stream (whose context is current). */
    private static void record(CUevent event, CudaBackend on) {
        int result = JCudaDriver.cuEventRecord(event, on.stream());
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException("cuEventRecord on " + on.name(), result);
        }
    }

    /** Queues on {@code waiter}'s stream a wait for {@code event}, recorded on {@code producer}'s stream. */
    private static void waitFor(CudaBackend waiter, CUevent event, CudaBackend producer) {
        int result = JCudaDriver.cuStreamWaitEvent(waiter.stream(), event, 0);
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException("cuStreamWaitEvent on " + waiter.name() + " for " + producer.name(), result);
        }
    }

    private static void destroy(CUevent event, CudaBackend owner) {
        if (event == null) {
            return;
        }
        try {
            owner.makeCurrent();
            JCudaDriver.cuEventDestroy(event);
        } catch (IllegalStateException closedBackend) {
            // its context went with the backend, and the event with it
        }
    }

    /** Enables peer access between device 0 and every other device, both ways, where the driver allows it. */
    private void enablePeerAccess() {
        CudaBackend first = backends.get(0);
        for (int r = 1; r < backends.size(); r++) {
            CudaBackend other = backends.get(r);
            if (canAccess(first, other) && canAccess(other, first)) {
                enable(first, other);
                enable(other, first);
            }
        }
    }

    private static void enable(CudaBackend from, CudaBackend to) {
        from.makeCurrent();
        int result = JCudaDriver.cuCtxEnablePeerAccess(to.context(), 0);
        if (result != CUresult.CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED) {
            Driver.check(result, "cuCtxEnablePeerAccess from " + from.name() + " to " + to.name());
        }
    }

    /** Null when device 0 and every other device can access each other; else the first pair that cannot. */
    private static String missingPeers(List<CudaBackend> backends) {
        CudaBackend first = backends.get(0);
        for (int r = 1; r < backends.size(); r++) {
            CudaBackend other = backends.get(r);
            if (!canAccess(first, other) || !canAccess(other, first)) {
                return "no peer access " + first.name() + " <-> " + other.name();
            }
        }
        return null;
    }

    /** {@code cuDeviceCanAccessPeer}: false for the same device (two backends on one GPU share its memory). */
    private static boolean canAccess(CudaBackend from, CudaBackend to) {
        CUdevice a = device(from);
        CUdevice b = device(to);
        int[] can = new int[1];
        Driver.check(JCudaDriver.cuDeviceCanAccessPeer(can, a, b), "cuDeviceCanAccessPeer(" + from.name() + ", "
                + to.name() + ")");
        return can[0] != 0;
    }

    private static CUdevice device(CudaBackend b) {
        CUdevice d = new CUdevice();
        Driver.check(JCudaDriver.cuDeviceGet(d, b.device().ordinal()), "cuDeviceGet(" + b.device().ordinal() + ")");
        return d;
    }
}
