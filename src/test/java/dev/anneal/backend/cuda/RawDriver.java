package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA driver API straight through JCuda, below the backend, for the planted-bug tests: they launch this
 * build's PTX kernels with argument lists, buffers and grids of their own choosing, which the backend would never
 * produce. Every call that fails throws a {@link CudaException} naming the driver's result.
 */
final class RawDriver {
    private RawDriver() {
    }

    /**
     * Device 0's primary context, made current, with the driver's exceptions off (results are checked here); skips
     * the test class unless it runs against the emulated driver ({@code ANNEAL_CUDA_EMULATOR=1}), on which the
     * planted out-of-bounds accesses are reported instead of corrupting memory.
     */
    static CUcontext openEmulated() {
        assumeTrue("1".equals(System.getenv("ANNEAL_CUDA_EMULATOR")),
                "runs only against the emulated driver (scripts/test-cuda-emulated.sh)");
        assertNull(Driver.loadProblem(), "JCuda did not load the emulated libcuda.so.1");
        JCudaDriver.setExceptionsEnabled(false);
        ok(JCudaDriver.cuInit(0));
        CUcontext context = new CUcontext();
        ok(JCudaDriver.cuDevicePrimaryCtxRetain(context, device0()));
        ok(JCudaDriver.cuCtxSetCurrent(context));
        return context;
    }

    /** Unloads the modules that were loaded and releases the context if it was retained (nulls are skipped). */
    static void release(CUcontext context, CUmodule... modules) {
        for (CUmodule m : modules) {
            if (m != null) {
                JCudaDriver.cuModuleUnload(m);
            }
        }
        if (context != null) {
            JCudaDriver.cuDevicePrimaryCtxRelease(device0());
        }
    }

    /** The module of {@code cuda-kernels/<name>.cu} from this build's PTX. */
    static CUmodule load(String name) throws Exception {
        byte[] text = BuiltPtx.ptx(name).getBytes(StandardCharsets.US_ASCII);
        CUmodule m = new CUmodule();
        ok(JCudaDriver.cuModuleLoadData(m, Arrays.copyOf(text, text.length + 1)));
        return m;
    }

    static CUdevice device0() {
        CUdevice dev = new CUdevice();
        ok(JCudaDriver.cuDeviceGet(dev, 0));
        return dev;
    }

    static CUfunction function(CUmodule m, String name) {
        CUfunction f = new CUfunction();
        ok(JCudaDriver.cuModuleGetFunction(f, m, name));
        return f;
    }

    static CUdeviceptr alloc(int floats) {
        CUdeviceptr p = new CUdeviceptr();
        ok(JCudaDriver.cuMemAlloc(p, 4L * floats));
        return p;
    }

    /** A new device buffer holding {@code host} (the copy is queued on the default stream). */
    static CUdeviceptr upload(float[] host) {
        CUdeviceptr p = alloc(host.length);
        FloatBuffer b = direct(host.length);
        b.put(host).rewind();
        ok(JCudaDriver.cuMemcpyHtoDAsync(p, Pointer.to(b), 4L * host.length, null));
        return p;
    }

    /** The first {@code floats} floats of {@code p}, after the default stream has finished. */
    static float[] download(CUdeviceptr p, int floats) {
        FloatBuffer back = direct(floats);
        ok(JCudaDriver.cuMemcpyDtoHAsync(Pointer.to(back), p, 4L * floats, null));
        ok(JCudaDriver.cuStreamSynchronize(null));
        float[] out = new float[floats];
        back.get(out);
        return out;
    }

    /** Host memory for the async copies: a direct buffer, never a Java array. */
    static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(4 * floats).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * Packs each argument as JCuda does for kernelParams (CUdeviceptr, Long, Integer, Float), launches a
     * {@code gx x gy} grid of {@code threads}-thread blocks on the default stream and waits for it.
     */
    static void launch(CUfunction f, int gx, int gy, int threads, Object... args) {
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof CUdeviceptr p) {
                params[i] = Pointer.to(p);
            } else if (a instanceof Long l) {
                params[i] = Pointer.to(new long[] {l});
            } else if (a instanceof Integer v) {
                params[i] = Pointer.to(new int[] {v});
            } else if (a instanceof Float v) {
                params[i] = Pointer.to(new float[] {v});
            } else {
                throw new IllegalArgumentException(String.valueOf(a));
            }
        }
        Driver.check(JCudaDriver.cuLaunchKernel(f, gx, gy, 1, threads, 1, 1, 0, null, Pointer.to(params), null),
                "planted launch");
        Driver.check(JCudaDriver.cuStreamSynchronize(null), "synchronize");
    }

    static void ok(int result) {
        Driver.check(result, "driver call");
    }
}
