package dev.anneal.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * Pinned host memory ({@code cuMemAllocHost}) through which every upload and download goes, so that copies are
 * true DMA and uploads return before they finish.
 *
 * <p>Uploads: the memory is two halves used in turn. An upload copies the Java array into the current half at
 * its fill mark and queues {@code cuMemcpyHtoDAsync} on the stream, then records the half's event. When the
 * current half is full it moves to the other half, first waiting on that half's event (its copies, queued long
 * before, are then done), so a region is never rewritten while a queued copy still reads it. Larger transfers go
 * through in chunks of a half. Downloads synchronise the stream (the caller reads the result), which also frees
 * both halves.
 */
final class Staging implements AutoCloseable {
    /** Fills or drains {@code count} bytes of the staging memory for bytes {@code [from, from + count)} of a transfer. */
    interface Chunk {
        void copy(ByteBuffer staging, long from, int count);
    }

    private final CUstream stream;
    private final long half;
    private final Pointer host = new Pointer();
    private final CUevent[] events = {new CUevent(), new CUevent()};
    private final boolean[] recorded = new boolean[2];
    private final long[] used = new long[2];
    private int current;

    Staging(CUstream stream, long halfBytes) {
        this.stream = stream;
        this.half = halfBytes;
        Driver.check(JCudaDriver.cuMemAllocHost(host, 2 * halfBytes), "cuMemAllocHost of " + 2 * halfBytes + " bytes");
        int created = 0;
        try {
            for (CUevent e : events) {
                Driver.check(JCudaDriver.cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
                created++;
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < created; i++) {
                JCudaDriver.cuEventDestroy(events[i]);
            }
            JCudaDriver.cuMemFreeHost(host);
            throw e;
        }
    }

    /** Queues the copy of {@code bytes} bytes to {@code dst}; {@code fill} writes them into the staging memory. */
    void upload(CUdeviceptr dst, long bytes, Chunk fill) {
        for (long done = 0; done < bytes; ) {
            int count = (int) Math.min(bytes - done, half);
            if (used[current] + count > half) {
                current ^= 1;
                if (recorded[current] && JCudaDriver.cuEventQuery(events[current]) != CUresult.CUDA_SUCCESS) {
                    // Still copying (the host is far ahead): wait. Usually done long ago, and the query suffices.
                    Driver.check(JCudaDriver.cuEventSynchronize(events[current]),
                            "waiting for an earlier upload (cuEventSynchronize)");
                }
                used[current] = 0;
            }
            long at = current * half + used[current];
            fill.copy(region(at, count), done, count);
            int copied = JCudaDriver.cuMemcpyHtoDAsync(dst.withByteOffset(done), host.withByteOffset(at), count,
                    stream);
            if (copied != CUresult.CUDA_SUCCESS) {
                throw new CudaException("cuMemcpyHtoDAsync of " + count + " bytes", copied);
            }
            Driver.check(JCudaDriver.cuEventRecord(events[current], stream), "cuEventRecord");
            recorded[current] = true;
            used[current] += count;
            done += count;
        }
    }

    /**
     * Copies {@code bytes} bytes from {@code src} once every op before has finished; {@code drain} reads them. The
     * copy into the staging area is queued behind the uploads still reading it (one stream: in order), so one
     * synchronisation per chunk suffices, after which no upload is pending and both halves are free again.
     */
    void download(CUdeviceptr src, long bytes, Chunk drain) {
        for (long done = 0; done < bytes; ) {
            int count = (int) Math.min(bytes - done, 2 * half);
            int copied = JCudaDriver.cuMemcpyDtoHAsync(host, src.withByteOffset(done), count, stream);
            if (copied != CUresult.CUDA_SUCCESS) {
                throw new CudaException("cuMemcpyDtoHAsync of " + count + " bytes", copied);
            }
            synchronize("download");
            used[0] = 0;
            used[1] = 0;
            recorded[0] = false;
            recorded[1] = false;
            drain.copy(region(0, count), done, count);
            done += count;
        }
    }

    @Override
    public void close() {
        for (CUevent e : events) {
            JCudaDriver.cuEventDestroy(e);
        }
        JCudaDriver.cuMemFreeHost(host);
    }

    private void synchronize(String what) {
        int result = JCudaDriver.cuStreamSynchronize(stream);
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(what + ": cuStreamSynchronize (an earlier op failed; run with "
                    + "CUDA_LAUNCH_BLOCKING=1 to find which)", result);
        }
    }

    private ByteBuffer region(long at, int count) {
        return host.getByteBuffer(at, count).order(ByteOrder.nativeOrder());
    }
}
