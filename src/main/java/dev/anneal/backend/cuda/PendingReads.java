package dev.anneal.backend.cuda;

import dev.anneal.backend.PendingRead;
import java.nio.ByteOrder;
import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * The slots of {@link CudaBackend#readLater}: each a buffer of pinned host memory and an event. A read queues an
 * asynchronous copy from the device into a free slot and records the event behind it on the backend's stream;
 * {@link PendingRead#get} polls the event ({@code cuEventQuery}, which, unlike {@code cuEventSynchronize} or a
 * stream synchronisation, leaves the host free to have queued more work) and copies the values out, freeing the
 * slot. A slot grows (to the largest read asked of it) only while free. Not thread-safe, like the backend.
 */
final class PendingReads implements AutoCloseable {
    private final CUstream stream;
    private final Pointer[] host = new Pointer[dev.anneal.backend.Backend.PENDING_READS];
    private final long[] capacity = new long[host.length];
    private final CUevent[] events = new CUevent[host.length];
    private final boolean[] busy = new boolean[host.length];
    private int next;

    PendingReads(CUstream stream) {
        this.stream = stream;
    }

    /** Queues the copy of {@code n} floats at {@code src}; the backend's context must be current. */
    PendingRead read(CUdeviceptr src, int n, Runnable enter) {
        int slot = freeSlot();
        long bytes = 4L * n;
        ensure(slot, bytes);
        if (n > 0) {
            int copied = JCudaDriver.cuMemcpyDtoHAsync(host[slot], src, bytes, stream);
            if (copied != CUresult.CUDA_SUCCESS) {
                throw new CudaException("cuMemcpyDtoHAsync of " + bytes + " bytes", copied);
            }
        }
        Driver.check(JCudaDriver.cuEventRecord(events[slot], stream), "cuEventRecord");
        busy[slot] = true;
        boolean[] taken = {false};
        return () -> {
            if (taken[0]) {
                throw new IllegalStateException("a pending read is got once");
            }
            taken[0] = true;
            enter.run();
            await(slot);
            float[] out = new float[n];
            if (n > 0) {
                host[slot].getByteBuffer(0, bytes).order(ByteOrder.nativeOrder()).asFloatBuffer().get(out);
            }
            busy[slot] = false;
            return out;
        };
    }

    private int freeSlot() {
        for (int i = 0; i < host.length; i++) {
            int slot = (next + i) % host.length;
            if (!busy[slot]) {
                next = (slot + 1) % host.length;
                return slot;
            }
        }
        throw new IllegalStateException(host.length + " reads are already pending; get one first");
    }

    private void ensure(int slot, long bytes) {
        if (events[slot] == null) {
            CUevent e = new CUevent();
            Driver.check(JCudaDriver.cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
            events[slot] = e;
        }
        if (capacity[slot] < Math.max(bytes, 4)) {
            if (host[slot] != null) {
                Driver.check(JCudaDriver.cuMemFreeHost(host[slot]), "cuMemFreeHost of a read slot");
            }
            Pointer p = new Pointer();
            long size = Math.max(256, Long.highestOneBit(Math.max(bytes, 4) - 1) << 1);
            Driver.check(JCudaDriver.cuMemAllocHost(p, size), "cuMemAllocHost of " + size + " bytes");
            host[slot] = p;
            capacity[slot] = size;
        }
    }

    /** Polls the slot's event until the copy before it is done. */
    private void await(int slot) {
        while (true) {
            int r = JCudaDriver.cuEventQuery(events[slot]);
            if (r == CUresult.CUDA_SUCCESS) {
                return;
            }
            if (r != CUresult.CUDA_ERROR_NOT_READY) {
                throw new CudaException("cuEventQuery of a pending read (an earlier op failed; run with "
                        + "CUDA_LAUNCH_BLOCKING=1 to find which)", r);
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < host.length; i++) {
            if (events[i] != null) {
                JCudaDriver.cuEventDestroy(events[i]);
            }
            if (host[i] != null) {
                JCudaDriver.cuMemFreeHost(host[i]);
            }
        }
    }
}
