package dev.anneal.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

/**
 * What the emulated driver (src/test/native/emucuda.cpp, scripts/test-cuda-emulated.sh) counts, read without any
 * JNI of our own: it answers emulator-only attributes of {@code cuDeviceGetAttribute} (which a real driver
 * rejects with {@code CUDA_ERROR_INVALID_VALUE}) with its counts of synchronising calls, per device and kind.
 */
final class EmulatedDriver {
    /** {@code kQueryBase} of emucuda.cpp: attribute {@code QUERY_BASE + kind} is the count of that kind. */
    static final int QUERY_BASE = 0x454D5500;
    /** {@code kQueryBase + kQueryKinds}: how many kinds the emulator counts (checked against {@link SyncCall}). */
    static final int QUERY_KINDS = QUERY_BASE + 0xFF;

    /**
     * The calls a real driver makes the host wait on (the GPU finishing earlier work), in emucuda.cpp's
     * {@code SyncKind} order.
     */
    enum SyncCall {
        STREAM_SYNCHRONIZE("cuStreamSynchronize"),
        EVENT_SYNCHRONIZE("cuEventSynchronize"),
        MEM_FREE("cuMemFree"),
        MEM_FREE_HOST("cuMemFreeHost"),
        MEMCPY_PEER("cuMemcpyPeer"),
        PAGEABLE_COPY("async copy through pageable memory"),
        CONTEXT_DESTROY("cuDevicePrimaryCtxRelease of the last reference");

        private final String call;

        SyncCall(String call) {
            this.call = call;
        }

        String call() {
            return call;
        }
    }

    /** Synchronising calls by kind ({@link SyncCall} order), summed over some devices. */
    record SyncCounts(long[] byKind) {
        long total() {
            long t = 0;
            for (long n : byKind) {
                t += n;
            }
            return t;
        }

        long of(SyncCall kind) {
            return byKind[kind.ordinal()];
        }

        /** The calls made between {@code earlier} and this. */
        SyncCounts minus(SyncCounts earlier) {
            long[] d = new long[byKind.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = byKind[i] - earlier.byKind[i];
            }
            return new SyncCounts(d);
        }

        /** {@code "2 (cuStreamSynchronize 2)"}, or {@code "0"}. */
        String describe() {
            List<String> parts = new ArrayList<>();
            for (SyncCall k : SyncCall.values()) {
                if (byKind[k.ordinal()] != 0) {
                    parts.add(k.call() + " " + byKind[k.ordinal()]);
                }
            }
            return total() + (parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SyncCounts s && java.util.Arrays.equals(byKind, s.byKind);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(byKind);
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    private EmulatedDriver() {
    }

    /** Whether the tests run against the emulated driver (scripts/test-cuda-emulated.sh sets this). */
    static boolean active() {
        return "1".equals(System.getenv("ANNEAL_CUDA_EMULATOR"));
    }

    /**
     * The synchronising calls made so far in this process on devices {@code [0, devices)}; the driver must be
     * initialised (a backend opened). Throws when the driver is not the emulator or counts other kinds.
     */
    static SyncCounts syncCalls(int devices) {
        CUdevice dev = new CUdevice();
        Driver.check(JCudaDriver.cuDeviceGet(dev, 0), "cuDeviceGet(0)");
        int[] v = new int[1];
        Driver.check(JCudaDriver.cuDeviceGetAttribute(v, QUERY_KINDS, dev),
                "the emulated driver's count of synchronising-call kinds (is libcuda.so.1 the emulator?)");
        if (v[0] != SyncCall.values().length) {
            throw new IllegalStateException("the emulated driver counts " + v[0] + " kinds of synchronising calls, "
                    + "EmulatedDriver.SyncCall lists " + SyncCall.values().length + ": update one to match the other");
        }
        long[] counts = new long[v[0]];
        for (int d = 0; d < devices; d++) {
            Driver.check(JCudaDriver.cuDeviceGet(dev, d), "cuDeviceGet(" + d + ")");
            for (SyncCall k : SyncCall.values()) {
                Driver.check(JCudaDriver.cuDeviceGetAttribute(v, QUERY_BASE + k.ordinal(), dev),
                        "the emulated driver's count of " + k.call());
                counts[k.ordinal()] += v[0];
            }
        }
        return new SyncCounts(counts);
    }
}
