package dev.anneal.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * Pinned host memory ({@code cuMemAllocHost}) through which every upload and download goes, so that copies are
 * true DMA and uploads return before they finish, and a copy stream on which large uploads overlap the kernels
 * queued before them.
 *
 * <p>Uploads: the memory is two halves used in turn. An upload copies the Java array into the current half at its
 * fill mark. Below {@link #OVERLAP_MIN_BYTES} it queues {@code cuMemcpyHtoDAsync} to the destination on the
 * compute stream. From that size on (a training step's input batch) it goes through the copy stream: host to the
 * same offset of the half's device landing buffer there, an event, the compute stream waits for that event and
 * copies landing to destination ({@code cuMemcpyDtoDAsync}, at device bandwidth). The host-to-device transfer then
 * runs while the compute stream is still busy with earlier work (the step before), and the destination is still
 * written in compute-stream order, so every upload keeps the semantics of a plain stream-ordered copy.
 *
 * <p>Reuse: when the current half is full the compute stream records the half's event (every copy reading the
 * half, on either stream, is ordered before it: the compute stream waited for each copy-stream transfer) and
 * staging moves to the other half, first waiting on that half's event (its copies, queued long before, are then
 * done), so neither the pinned half nor its landing buffer is rewritten while a queued copy still reads it. Larger
 * transfers go through in chunks of a half. Downloads synchronise the compute stream (the caller reads the
 * result), which also frees both halves.
 */
final class Staging implements AutoCloseable {
    /** Uploads of at least this many bytes go through the copy stream; smaller ones are latency, not bandwidth. */
    static final long OVERLAP_MIN_BYTES = 64 << 10;
    /**
     * {@code -Danneal.cuda.copy_stream=off} queues every upload on the compute stream (as before the copy stream),
     * for measuring what the overlap gains on a GPU against the host time its extra calls cost; default {@code on}.
     */
    static final String COPY_STREAM_PROPERTY = "anneal.cuda.copy_stream";

    /** Ordering bugs planted on purpose, for the tests that show the emulated driver catches them. */
    enum Planted {
        NONE,
        /** The compute stream copies from the landing buffer without waiting for the copy stream's transfer. */
        NO_WAIT_FOR_LANDING,
        /** Staging moves to a half without waiting for that half's copies (its landing buffer is rewritten early). */
        NO_WAIT_FOR_HALF
    }

    /** Fills or drains {@code count} bytes of the staging memory for bytes {@code [from, from + count)} of a transfer. */
    interface Chunk {
        void copy(ByteBuffer staging, long from, int count);
    }

    private final CUstream stream;
    private final Planted planted;
    private final long overlapMin;
    private final CUstream copyStream = new CUstream();
    private final long half;
    private final Pointer host = new Pointer();
    private final CUdeviceptr[] landing = {new CUdeviceptr(), new CUdeviceptr()};
    private final CUevent[] events = {new CUevent(), new CUevent()};
    private final CUevent landed = new CUevent();
    private final boolean[] recorded = new boolean[2];
    private final long[] used = new long[2];
    private int current;
    private long overlappedBytes;

    Staging(CUstream stream, long halfBytes) {
        this(stream, halfBytes, Planted.NONE);
    }

    Staging(CUstream stream, long halfBytes, Planted planted) {
        this.stream = stream;
        this.planted = planted;
        this.overlapMin = copyStreamOn() ? OVERLAP_MIN_BYTES : Long.MAX_VALUE;
        this.half = halfBytes;
        Driver.check(JCudaDriver.cuMemAllocHost(host, 2 * halfBytes), "cuMemAllocHost of " + 2 * halfBytes + " bytes");
        int made = 0;
        try {
            for (CUevent e : new CUevent[] {events[0], events[1], landed}) {
                Driver.check(JCudaDriver.cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
                made++;
            }
            for (CUdeviceptr d : landing) {
                Driver.check(JCudaDriver.cuMemAlloc(d, halfBytes), "cuMemAlloc of " + halfBytes
                        + " bytes (upload landing buffer)");
                made++;
            }
            Driver.check(JCudaDriver.cuStreamCreate(copyStream, CUstream_flags.CU_STREAM_NON_BLOCKING),
                    "cuStreamCreate (copy stream)");
        } catch (RuntimeException e) {
            release(made);
            throw e;
        }
    }

    /**
     * Queues the copy of {@code bytes} bytes to {@code dst}, in compute-stream order; {@code fill} writes them
     * into the staging memory.
     */
    void upload(CUdeviceptr dst, long bytes, Chunk fill) {
        boolean overlap = bytes >= overlapMin;
        for (long done = 0; done < bytes; ) {
            int count = (int) Math.min(bytes - done, half);
            if (used[current] + count > half) {
                nextHalf();
            }
            long offset = used[current];
            long at = current * half + offset;
            fill.copy(region(at, count), done, count);
            CUdeviceptr to = dst.withByteOffset(done);
            if (overlap) {
                CUdeviceptr land = landing[current].withByteOffset(offset);
                copyIn(land, at, count, copyStream);
                Driver.check(JCudaDriver.cuEventRecord(landed, copyStream), "cuEventRecord (copy stream)");
                if (planted != Planted.NO_WAIT_FOR_LANDING) {
                    Driver.check(JCudaDriver.cuStreamWaitEvent(stream, landed, 0), "cuStreamWaitEvent (upload)");
                }
                int moved = JCudaDriver.cuMemcpyDtoDAsync(to, land, count, stream);
                if (moved != CUresult.CUDA_SUCCESS) {
                    throw new CudaException("cuMemcpyDtoDAsync of " + count + " bytes (upload landing buffer)", moved);
                }
                overlappedBytes += count;
            } else {
                copyIn(to, at, count, stream);
            }
            used[current] += count;
            done += count;
        }
    }

    /** {@link #COPY_STREAM_PROPERTY}: on (the default) or off; anything else is bad input. */
    static boolean copyStreamOn() {
        String v = System.getProperty(COPY_STREAM_PROPERTY, "on");
        return switch (v) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new dev.anneal.spec.BadInput("-D" + COPY_STREAM_PROPERTY + " must be on or off, got '"
                    + v + "'");
        };
    }

    /** Bytes uploaded through the copy stream so far. */
    long overlappedBytes() {
        return overlappedBytes;
    }

    private void copyIn(CUdeviceptr dst, long at, int count, CUstream on) {
        int copied = JCudaDriver.cuMemcpyHtoDAsync(dst, host.withByteOffset(at), count, on);
        if (copied != CUresult.CUDA_SUCCESS) {
            throw new CudaException("cuMemcpyHtoDAsync of " + count + " bytes", copied);
        }
    }

    /** Marks the end of the current half's copies with its event and moves to the other half once it is free. */
    private void nextHalf() {
        Driver.check(JCudaDriver.cuEventRecord(events[current], stream), "cuEventRecord");
        recorded[current] = true;
        current ^= 1;
        if (recorded[current] && planted != Planted.NO_WAIT_FOR_HALF
                && JCudaDriver.cuEventQuery(events[current]) != CUresult.CUDA_SUCCESS) {
            // Still copying (the host is far ahead): wait. Usually done long ago, and the query suffices.
            Driver.check(JCudaDriver.cuEventSynchronize(events[current]),
                    "waiting for an earlier upload (cuEventSynchronize)");
        }
        used[current] = 0;
    }

    /**
     * Copies {@code bytes} bytes from {@code src} once every op before has finished; {@code drain} reads them. The
     * copy into the staging area is queued behind the uploads still reading it (on the compute stream, which
     * waited for every copy-stream transfer before its landing copy), so one synchronisation per chunk suffices, after which no upload is pending and both halves are free again.
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
        JCudaDriver.cuStreamSynchronize(copyStream);
        JCudaDriver.cuStreamDestroy(copyStream);
        release(5);
    }

    /** Frees the first {@code made} of: the two half events, the landing event, the two landing buffers. */
    private void release(int made) {
        CUevent[] allEvents = {events[0], events[1], landed};
        for (int i = 0; i < Math.min(made, 3); i++) {
            JCudaDriver.cuEventDestroy(allEvents[i]);
        }
        for (int i = 3; i < made; i++) {
            JCudaDriver.cuMemFree(landing[i - 3]);
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
