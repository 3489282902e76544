package dev.anneal.backend.cuda;

import dev.anneal.backend.Activation;
import dev.anneal.backend.AdamArgs;
import dev.anneal.backend.Backend;
import dev.anneal.backend.ConvOps;
import dev.anneal.backend.DropoutOps;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.NormOps;
import dev.anneal.backend.PoolOps;
import dev.anneal.backend.RmsPropArgs;
import dev.anneal.backend.SgdArgs;
import dev.anneal.spec.BadInput;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUgraph;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA backend: the {@link Backend} ops on one NVIDIA GPU through JCuda's driver API. The device's primary
 * context (made current on the calling thread by each op), one stream on which every copy and kernel is queued
 * in order, the kernels' PTX modules loaded once ({@link CudaModules}), pinned staging memory for transfers with a
 * copy stream on which a large upload (the next step's batch) overlaps the kernels queued before it
 * ({@link Staging}), cuBLAS for SGEMM where it loads ({@link Cublas}), else Anneal's SGEMM kernels.
 *
 * <p>Launches are cheap on the host: each kernel's argument block is packed once and reused
 * ({@link ArgumentBlocks}), error messages are built only when a call fails, and an op skips
 * {@code cuCtxSetCurrent} when this backend was the last to make its context current on the thread. That skip
 * trusts that only backends change a thread's current context: code that calls {@code cuCtxSetCurrent} itself
 * (some emulator tests) must not then use, on that thread, a backend that was current there before.
 *
 * <p>Each op checks its arguments on the host exactly as the CPU backend does ({@link CudaPlanner}) and queues its
 * kernels through typed launchers (the layer op families {@link CudaConv}, {@link CudaPool}, {@link CudaNorm} and
 * {@link CudaDropout} likewise, through an {@link OpQueue}); ops return before the GPU finishes, {@link #download} and {@link #synchronize}
 * wait. A failed launch throws a {@link CudaException} naming the kernel, its grid and its buffers; a fault inside
 * a kernel surfaces at the next wait (run with {@code CUDA_LAUNCH_BLOCKING=1} to pin it to its kernel).
 *
 * <p>The system property {@code anneal.cuda.gemm} picks SGEMM: {@code auto} (cuBLAS where it loads, the default),
 * {@code kernels} (always Anneal's) or {@code cublas} (an error where it does not load). Not thread-safe: use a
 * backend from one thread at a time.
 */
public final class CudaBackend implements Backend {
    /** The system property that picks the SGEMM: {@code auto}, {@code kernels} or {@code cublas}. */
    public static final String GEMM_PROPERTY = "anneal.cuda.gemm";
    private static final long STAGING_HALF_BYTES = 4L << 20;
    private static final long INITIAL_ROW_STATS = 2L * 1024;
    /**
     * Per thread, the {@link #currentMark} of the backend that last made its context current on it (through
     * {@link #enter}), so that an op on the same backend skips {@code cuCtxSetCurrent}.
     */
    private static final ThreadLocal<Object> CURRENT = new ThreadLocal<>();

    /** Which SGEMM runs. */
    enum Gemm {
        AUTO, KERNELS, CUBLAS;

        static Gemm fromProperty() {
            String v = System.getProperty(GEMM_PROPERTY, "auto");
            for (Gemm g : values()) {
                if (g.name().toLowerCase(Locale.ROOT).equals(v)) {
                    return g;
                }
            }
            throw new BadInput("-D" + GEMM_PROPERTY + " must be auto, kernels or cublas, got '" + v + "'");
        }
    }

    private final CudaDevice device;
    private final String name;
    /** This backend's identity in {@link #CURRENT}: an object of its own, so a thread keeps no backend alive. */
    private final Object currentMark = new Object();
    private final Memory memory = new Memory();
    private final CudaPlanner planner = new CudaPlanner(memory);
    private final Set<DeviceBuffer> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private final CUdevice cuDevice = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final StreamHandle stream = new StreamHandle();
    private boolean contextRetained;
    private boolean streamCreated;
    private CudaModules modules;
    private Staging staging;
    /** The slots of {@link #readLater}, made on first use. */
    private PendingReads pendingReads;
    private ArgumentBlocks argumentBlocks;
    private Cublas cublas;
    private String gemm;
    private CudaFloats rowStats;
    private CudaFloats normPartials;
    private Span normPartialsSpan;
    /** The split-K workspace of Anneal's SGEMM ({@link GemmPlan#WORKSPACE_FLOATS}); null while cuBLAS runs it. */
    private CudaFloats gemmWorkspace;
    private boolean closed;

    private CudaFloats batchNormScratch;

    /** Scratch buffers that grow to the largest need seen ({@link #atLeast}). */
    private final CudaPlanner.Scratch scratch = new CudaPlanner.Scratch() {
        @Override
        public Span rowStats(int rows) {
            long need = 2L * rows;
            rowStats = atLeast(rowStats, need);
            return rowStats.span("row_stats", 0, need);
        }

        @Override
        public Span normPartials() {
            return normPartialsSpan;
        }

        @Override
        public Span batchNorm(long doubles) {
            batchNormScratch = atLeast(batchNormScratch, 2 * doubles);
            return new Span("batch_norm_scratch", batchNormScratch.base(), 0, doubles, "doubles");
        }
    };

    /**
     * {@code current} when it holds {@code need} floats, else a new buffer of at least {@code need} and twice the
     * old size. The outgrown buffer is not freed before close (it stays in {@link #live}): a step captured into a
     * graph before the growth (an evaluation of more rows, say) still points at it.
     */
    private CudaFloats atLeast(CudaFloats current, long need) {
        if (current != null && current.capacity() >= need) {
            return current;
        }
        return newFloats(Math.max(need, current == null ? 0 : 2 * current.capacity()));
    }
    /** Every op of a layer family: checked and planned on the host, then queued on the stream. */
    private final OpQueue queue = plan -> {
        enter();
        run(plan.apply(planner));
    };
    private final ConvOps conv = new CudaConv(queue);
    private final PoolOps pool = new CudaPool(queue);
    private final NormOps norm = new CudaNorm(queue, scratch);
    private final DropoutOps dropout = new CudaDropout(queue);

    /** The backend on device {@code ordinal}, SGEMM as {@link #GEMM_PROPERTY} says. */
    public static CudaBackend open(int ordinal) {
        return open(ordinal, Gemm.fromProperty());
    }

    /**
     * The backend on device {@code ordinal} with the SGEMM named as {@link #GEMM_PROPERTY} would name it
     * ({@code auto}, {@code kernels}, {@code cublas}): {@code anneal bench} times our kernels against cuBLAS.
     */
    public static CudaBackend open(int ordinal, String gemm) {
        for (Gemm g : Gemm.values()) {
            if (g.name().toLowerCase(Locale.ROOT).equals(gemm)) {
                return open(ordinal, g);
            }
        }
        throw new IllegalArgumentException("gemm must be auto, kernels or cublas, got '" + gemm + "'");
    }

    /**
     * The backend on device {@code ordinal}; throws {@link CudaUnavailable} with the reason when CUDA or this
     * device cannot be used (no driver, no such device, kernels not built or refused by the driver).
     */
    static CudaBackend open(int ordinal, Gemm gemm) {
        CudaStatus status = CudaStatus.probe();
        if (!status.usable()) {
            throw new CudaUnavailable(status.problem());
        }
        if (ordinal < 0 || ordinal >= status.devices().size()) {
            throw new CudaUnavailable("no device cuda:" + ordinal + ": " + DeviceChoice.count(status.devices().size()));
        }
        return new CudaBackend(status, status.devices().get(ordinal), gemm);
    }

    private CudaBackend(CudaStatus status, CudaDevice device, Gemm gemmChoice) {
        this.device = device;
        this.name = device.id();
        try {
            Driver.check(JCudaDriver.cuDeviceGet(cuDevice, device.ordinal()), "cuDeviceGet(" + device.ordinal() + ")");
            Driver.check(JCudaDriver.cuDevicePrimaryCtxRetain(context, cuDevice), "cuDevicePrimaryCtxRetain on "
                    + name());
            contextRetained = true;
            Driver.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent on " + name());
            CURRENT.set(currentMark);
            Driver.check(JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT), "cuStreamCreate on "
                    + name());
            streamCreated = true;
            modules = CudaModules.load(PtxBundle.fromClasspath(), status.driverVersion());
            staging = new Staging(stream, STAGING_HALF_BYTES);
            argumentBlocks = new ArgumentBlocks();
            normPartials = newFloats(2L * Grid.REDUCE_BLOCKS);
            normPartialsSpan = new Span("partials", normPartials.base(), 0, Grid.REDUCE_BLOCKS, "doubles");
            rowStats = newFloats(INITIAL_ROW_STATS);
            gemm = chooseGemm(gemmChoice);
            if (cublas == null) {
                gemmWorkspace = newFloats(GemmPlan.WORKSPACE_FLOATS);
            }
        } catch (RuntimeException | Error e) {
            try {
                release();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private String chooseGemm(Gemm choice) {
        if (choice == Gemm.KERNELS) {
            return "Anneal kernels (" + GEMM_PROPERTY + "=kernels)";
        }
        String problem = Cublas.loadProblem();
        if (problem == null) {
            try {
                cublas = Cublas.create(stream);
                return "cuBLAS";
            } catch (CudaException e) {
                problem = e.getMessage();
                if (choice == Gemm.CUBLAS) {
                    throw e;
                }
            }
        }
        if (choice == Gemm.CUBLAS) {
            throw new CudaUnavailable(GEMM_PROPERTY + "=cublas but cuBLAS did not load: " + problem);
        }
        return "Anneal kernels (cuBLAS: " + problem + ")";
    }

    /** The device this backend runs on. */
    public CudaDevice device() {
        return device;
    }

    /** Which SGEMM runs: {@code cuBLAS}, or {@code Anneal kernels (cuBLAS: why not)}. */
    public String gemmImplementation() {
        return gemm;
    }

    @Override
    public String name() {
        return name;
    }

    /** This backend's primary context, for multi-device code in this package (peer copies). */
    CUcontext context() {
        return context;
    }

    /** The stream every op of this backend is queued on, for multi-device code in this package. */
    CUstream stream() {
        return stream;
    }

    /** The native handle of {@link #stream()} ({@code CUstream}), for libraries given streams as addresses (NCCL). */
    long streamAddress() {
        return stream.address();
    }

    /** {@code x} as this backend's device floats; throws for another backend's buffer (multi-device code). */
    CudaFloats floats(FloatArray x) {
        return planner.floats(x);
    }

    /** Bytes uploaded through the copy stream so far ({@link Staging}), for tests. */
    long overlappedUploadBytes() {
        return staging.overlappedBytes();
    }

    /** Makes this backend's context current on the calling thread (throws after close). */
    void makeCurrent() {
        enter();
    }

    // ---- memory ---------------------------------------------------------------------------------------------

    @Override
    public FloatArray allocate(long n) {
        enter();
        return newFloats(n);
    }

    @Override
    public IntArray allocateInts(long n) {
        enter();
        return register(new CudaInts(memory, deviceMemory(n), n));
    }

    @Override
    public void upload(float[] src, int srcOffset, FloatArray dst, long dstOffset, int n) {
        enter();
        Span to = planner.upload(src, srcOffset, dst, dstOffset, n);
        staging.upload(to.pointer(), 4L * n,
                (buf, from, count) -> buf.asFloatBuffer().put(src, srcOffset + (int) (from / 4), count / 4));
    }

    @Override
    public void upload(int[] src, int srcOffset, IntArray dst, long dstOffset, int n) {
        enter();
        Span to = planner.upload(src, srcOffset, dst, dstOffset, n);
        staging.upload(to.pointer(), 4L * n,
                (buf, from, count) -> buf.asIntBuffer().put(src, srcOffset + (int) (from / 4), count / 4));
    }

    @Override
    public void download(FloatArray src, long srcOffset, float[] dst, int dstOffset, int n) {
        enter();
        Span from = planner.download(src, srcOffset, dst, dstOffset, n);
        staging.download(from.pointer(), 4L * n,
                (buf, at, count) -> buf.asFloatBuffer().get(dst, dstOffset + (int) (at / 4), count / 4));
    }

    @Override
    public dev.anneal.backend.PendingRead readLater(FloatArray src, long srcOffset, int n) {
        enter();
        Span from = planner.download(src, srcOffset, new float[n], 0, n);
        if (pendingReads == null) {
            pendingReads = new PendingReads(stream);
        }
        return pendingReads.read(from.pointer(), n, this::enter);
    }

    @Override
    public void copy(FloatArray src, long srcOffset, FloatArray dst, long dstOffset, long n) {
        enter();
        CudaPlanner.Copy c = planner.copy(src, srcOffset, dst, dstOffset, n);
        if (n == 0) {
            return;
        }
        if (!c.overlapping()) {
            copyAsync(c.dst().pointer(), c.src().pointer(), n);
            return;
        }
        try (CudaFloats temp = newFloats(n)) {
            copyAsync(temp.base(), c.src().pointer(), n);
            copyAsync(c.dst().pointer(), temp.base(), n);
        }
    }

    @Override
    public void fill(FloatArray dst, long offset, long n, float value) {
        enter();
        run(planner.fill(dst, offset, n, value));
    }

    // ---- matrix and loss ops ----------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Mat a, Mat b, float beta, Mat c) {
        enter();
        SgemmLaunch g = planner.gemm(transA, transB, alpha, a, b, beta, c);
        if (g == null) {
            return;
        }
        if (cublas != null) {
            cublas.sgemm(g);
        } else {
            run(g.launchers(GemmPlan.choose(g.m(), g.n(), g.k(), device.multiprocessors()), gemmWorkspaceSpan()));
        }
    }

    /**
     * The product on Anneal's kernels with the given plan, whichever SGEMM this backend runs: tests run every tile
     * and split with it. Allocates the workspace on a cuBLAS backend's first call (so not within a capture).
     */
    void gemm(GemmPlan plan, boolean transA, boolean transB, float alpha, Mat a, Mat b, float beta, Mat c) {
        enter();
        SgemmLaunch g = planner.gemm(transA, transB, alpha, a, b, beta, c);
        if (g == null) {
            return;
        }
        if (gemmWorkspace == null) {
            gemmWorkspace = newFloats(GemmPlan.WORKSPACE_FLOATS);
        }
        run(g.launchers(plan, gemmWorkspaceSpan()));
    }

    private Span gemmWorkspaceSpan() {
        return gemmWorkspace.span("workspace", 0, GemmPlan.WORKSPACE_FLOATS);
    }

    @Override
    public void biasActivation(Mat z, Mat bias, Activation act, Mat out) {
        enter();
        run(planner.biasActivation(z, bias, act, out));
    }

    @Override
    public void activation(Activation act, Mat z, Mat out) {
        enter();
        run(planner.activation(act, z, out));
    }

    @Override
    public ConvOps conv() {
        return conv;
    }

    @Override
    public PoolOps pool() {
        return pool;
    }

    @Override
    public NormOps norm() {
        return norm;
    }

    @Override
    public DropoutOps dropout() {
        return dropout;
    }

    @Override
    public void activationBackward(Activation act, Mat z, Mat grad) {
        enter();
        run(planner.activationBackward(act, z, grad));
    }

    @Override
    public void softmaxCrossEntropy(Mat logits, IntArray labels, long labelOffset, float gradScale, Mat grad,
                                    FloatArray stats, long statsOffset) {
        enter();
        run(planner.softmaxCrossEntropy(logits, labels, labelOffset, gradScale, grad, stats, statsOffset, scratch));
    }

    @Override
    public void columnSums(Mat m, Mat out, boolean accumulate) {
        enter();
        run(planner.columnSums(m, out, accumulate));
    }

    @Override
    public void scale(FloatArray x, long offset, long n, float alpha) {
        enter();
        run(planner.scale(x, offset, n, alpha));
    }

    @Override
    public void axpy(float alpha, FloatArray x, long xOffset, FloatArray y, long yOffset, long n) {
        enter();
        run(planner.axpy(alpha, x, xOffset, y, yOffset, n));
    }

    @Override
    public void squaredNorm(FloatArray x, long offset, long n, FloatArray out, long outOffset) {
        enter();
        run(planner.squaredNorm(x, offset, n, out, outOffset, scratch));
    }

    // ---- fused optimizer steps ---------------------------------------------------------------------------------

    @Override
    public void sgdStep(SgdArgs args, FloatArray scalars, FloatArray params, FloatArray grads,
                        FloatArray momentumBuffer, long n) {
        enter();
        run(planner.sgdStep(args, scalars, params, grads, momentumBuffer, n));
    }

    @Override
    public void adamStep(AdamArgs args, FloatArray scalars, FloatArray params, FloatArray grads, FloatArray expAvg,
                         FloatArray expAvgSq, FloatArray maxExpAvgSq, long n) {
        enter();
        run(planner.adamStep(args, scalars, params, grads, expAvg, expAvgSq, maxExpAvgSq, n));
    }

    @Override
    public void rmspropStep(RmsPropArgs args, FloatArray scalars, FloatArray params, FloatArray grads,
                            FloatArray squareAvg, FloatArray gradAvg, FloatArray momentumBuffer, long n) {
        enter();
        run(planner.rmspropStep(args, scalars, params, grads, squareAvg, gradAvg, momentumBuffer, n));
    }

    @Override
    public void finalizeStepScalars(FloatArray normSquared, long offset, float maxNorm, FloatArray scalars) {
        enter();
        run(planner.finalizeStepScalars(normSquared, offset, maxNorm, scalars));
    }

    @Override
    public boolean capturesGraphs() {
        return true;
    }

    /**
     * Captures the ops {@code ops} queues on this backend's stream (cuStreamBeginCapture in global mode, so a call
     * that is not permitted during a capture, such as an allocation or a wait, fails) and instantiates the graph.
     * If {@code ops} throws, the capture is ended and discarded and the exception passes on.
     */
    @Override
    public CudaGraph capture(Runnable ops) {
        enter();
        int begun = JCudaDriver.cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_GLOBAL);
        if (begun != CUresult.CUDA_SUCCESS) {
            throw new CudaException("cuStreamBeginCapture on " + name(), begun);
        }
        CUgraph graph = new CUgraph();
        try {
            ops.run();
        } catch (RuntimeException | Error e) {
            enter();
            if (JCudaDriver.cuStreamEndCapture(stream, graph) == 0) {
                JCudaDriver.cuGraphDestroy(graph);
            }
            throw e;
        }
        enter();
        int ended = JCudaDriver.cuStreamEndCapture(stream, graph);
        if (ended != CUresult.CUDA_SUCCESS) {
            throw new CudaException("cuStreamEndCapture on " + name()
                    + " (an op during the capture was not permitted in a CUDA graph)", ended);
        }
        return CudaGraph.instantiate(graph, this);
    }

    /**
     * Runs {@code work} (which queues ops on this backend) between two CUDA events recorded on this backend's
     * stream and returns the milliseconds between them (cuEventElapsedTime), after waiting for the second.
     */
    public float elapsedMillis(Runnable work) {
        enter();
        CUevent start = new CUevent();
        CUevent stop = new CUevent();
        Driver.check(JCudaDriver.cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
        try {
            Driver.check(JCudaDriver.cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
            try {
                Driver.check(JCudaDriver.cuEventRecord(start, stream), "cuEventRecord");
                work.run();
                enter();
                Driver.check(JCudaDriver.cuEventRecord(stop, stream), "cuEventRecord");
                int waited = JCudaDriver.cuEventSynchronize(stop);
                if (waited != CUresult.CUDA_SUCCESS) {
                    throw new CudaException("cuEventSynchronize on " + name(), waited);
                }
                float[] ms = new float[1];
                Driver.check(JCudaDriver.cuEventElapsedTime(ms, start, stop), "cuEventElapsedTime");
                return ms[0];
            } finally {
                JCudaDriver.cuEventDestroy(stop);
            }
        } finally {
            JCudaDriver.cuEventDestroy(start);
        }
    }

    @Override
    public void synchronize() {
        enter();
        int result = JCudaDriver.cuStreamSynchronize(stream);
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException("cuStreamSynchronize on " + name()
                    + " (an earlier op failed; run with CUDA_LAUNCH_BLOCKING=1 to find which)", result);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        release();
    }

    // ---- internals ---------------------------------------------------------------------------------------------

    /**
     * Throws after close; makes this backend's context current on the calling thread unless this backend was the
     * last to make its context current there.
     */
    private void enter() {
        if (closed) {
            throw new IllegalStateException(name() + " backend used after close()");
        }
        if (CURRENT.get() == currentMark) {
            return;
        }
        int result = JCudaDriver.cuCtxSetCurrent(context);
        if (result != CUresult.CUDA_SUCCESS) {
            CURRENT.remove();
            throw new CudaException("cuCtxSetCurrent on " + name(), result);
        }
        CURRENT.set(currentMark);
    }

    private void run(List<? extends Launcher> launchers) {
        for (int i = 0, n = launchers.size(); i < n; i++) {
            launch(launchers.get(i));
        }
    }

    /** Queues one kernel, its arguments written into the kernel's reusable block; the message only on failure. */
    private void launch(Launcher launcher) {
        Kernel kernel = launcher.kernel();
        KernelArgs args = argumentBlocks.args(kernel);
        launcher.pack(args);
        args.done();
        Grid g = launcher.grid(device.multiprocessors());
        int result = JCudaDriver.cuLaunchKernel(modules.function(kernel), g.x(), g.y(), 1, g.threads(), 1, 1, 0,
                stream, args.pointer(), null);
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(Launch.describe(kernel, g, args) + " on " + name(), result);
        }
    }

    private void copyAsync(CUdeviceptr dst, CUdeviceptr src, long n) {
        int result = JCudaDriver.cuMemcpyDtoDAsync(dst, src, 4L * n, stream);
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException("cuMemcpyDtoDAsync of " + n + " floats on " + name(), result);
        }
    }

    private CudaFloats newFloats(long n) {
        return register(new CudaFloats(memory, deviceMemory(n), n));
    }

    private <T extends DeviceBuffer> T register(T buffer) {
        live.add(buffer);
        return buffer;
    }

    /** {@code n} zeroed 4-byte elements (zeroed on the stream, before any later op); a null pointer for 0. */
    private DevicePointer deviceMemory(long n) {
        CudaPlanner.checkedSize(n);
        DevicePointer p = new DevicePointer();
        if (n == 0) {
            return p;
        }
        int allocated = JCudaDriver.cuMemAlloc(p, 4L * n);
        if (allocated != CUresult.CUDA_SUCCESS) {
            throw new CudaException("cuMemAlloc of " + n + " elements (" + 4L * n + " bytes) on " + name(), allocated);
        }
        int zeroed = JCudaDriver.cuMemsetD32Async(p, 0, n, stream);
        if (zeroed != 0) {
            JCudaDriver.cuMemFree(p);
            Driver.check(zeroed, "cuMemsetD32Async of " + n + " elements on " + name());
        }
        return p;
    }

    /** Frees everything this backend holds, as far as it was set up; the first failure is thrown at the end. */
    private void release() {
        RuntimeException first = null;
        if (contextRetained) {
            first = attempt(first, () -> {
                CURRENT.remove();
                Driver.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
                CURRENT.set(currentMark);
            });
            if (streamCreated) {
                first = attempt(first, () -> Driver.check(JCudaDriver.cuStreamSynchronize(stream),
                        "cuStreamSynchronize on close of " + name()));
            }
            for (DeviceBuffer b : List.copyOf(live)) {
                b.markClosed();
                if (b.capacity() > 0) {
                    first = attempt(first, () -> Driver.check(JCudaDriver.cuMemFree(b.base()), "cuMemFree"));
                }
            }
            live.clear();
            if (cublas != null) {
                first = attempt(first, cublas::close);
            }
            if (staging != null) {
                first = attempt(first, staging::close);
            }
            if (pendingReads != null) {
                first = attempt(first, pendingReads::close);
            }
            if (argumentBlocks != null) {
                first = attempt(first, argumentBlocks::close);
            }
            if (modules != null) {
                first = attempt(first, modules::close);
            }
            if (streamCreated) {
                first = attempt(first, () -> Driver.check(JCudaDriver.cuStreamDestroy(stream), "cuStreamDestroy"));
            }
            first = attempt(first, () -> Driver.check(JCudaDriver.cuDevicePrimaryCtxRelease(cuDevice),
                    "cuDevicePrimaryCtxRelease"));
        }
        if (CURRENT.get() == currentMark) {
            CURRENT.remove();
        }
        if (first != null) {
            throw first;
        }
    }

    private static RuntimeException attempt(RuntimeException first, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            return first == null ? e : first;
        }
        return first;
    }

    /** Frees buffers on close: waits for the queued ops (which may still use it), then {@code cuMemFree}. */
    private final class Memory implements DeviceBuffer.Owner {
        @Override
        public void free(DeviceBuffer buffer) {
            if (closed || !live.remove(buffer)) {
                return;
            }
            enter();
            if (buffer.capacity() > 0) {
                int waited = JCudaDriver.cuStreamSynchronize(stream);
                if (waited != CUresult.CUDA_SUCCESS) {
                    throw new CudaException("cuStreamSynchronize before cuMemFree on " + name(), waited);
                }
                int freed = JCudaDriver.cuMemFree(buffer.base());
                if (freed != CUresult.CUDA_SUCCESS) {
                    throw new CudaException("cuMemFree of " + buffer.capacity() + " elements on " + name(), freed);
                }
            }
        }

        @Override
        public String name() {
            return CudaBackend.this.name();
        }
    }

    /** A stream whose native handle Java can read (JCuda keeps it in a protected field; cf. {@link DevicePointer}). */
    static final class StreamHandle extends CUstream {
        long address() {
            return getNativePointer();
        }
    }
}
