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
import java.util.ArrayList;
import java.util.List;

/**
 * The host half of {@link CudaBackend} without a driver: every op goes through {@link CudaPlanner} with buffers
 * at fake (null) device addresses, and the launches it would make are recorded instead of run.
 */
final class PlannedBackend implements Backend, DeviceBuffer.Owner {
    final CudaPlanner planner = new CudaPlanner(this);
    final List<Launch> launches = new ArrayList<>();
    final int multiprocessors;

    private final CudaPlanner.Scratch scratch = new CudaPlanner.Scratch() {
        @Override
        public Span rowStats(int rows) {
            return new Span("row_stats", new DevicePointer(), 0, 2L * rows, "floats");
        }

        @Override
        public Span normPartials() {
            return new Span("partials", new DevicePointer(), 0, Grid.REDUCE_BLOCKS, "doubles");
        }

        @Override
        public Span batchNorm(long doubles) {
            return new Span("batch_norm_scratch", new DevicePointer(), 0, doubles, "doubles");
        }
    };
    private final OpQueue queue = plan -> record(plan.apply(planner));
    private final ConvOps conv = new CudaConv(queue);
    private final PoolOps pool = new CudaPool(queue);
    private final NormOps norm = new CudaNorm(queue, scratch);
    private final DropoutOps dropout = new CudaDropout(queue);

    PlannedBackend(int multiprocessors) {
        this.multiprocessors = multiprocessors;
    }

    @Override
    public String name() {
        return "cuda:fake";
    }

    @Override
    public void free(DeviceBuffer buffer) {
    }

    void record(List<? extends Launcher> launchers) {
        for (Launcher l : launchers) {
            launches.add(l.launch(multiprocessors));
        }
    }

    @Override
    public FloatArray allocate(long n) {
        return new CudaFloats(this, new DevicePointer(), CudaPlanner.checkedSize(n));
    }

    @Override
    public IntArray allocateInts(long n) {
        return new CudaInts(this, new DevicePointer(), CudaPlanner.checkedSize(n));
    }

    @Override
    public void upload(float[] src, int srcOffset, FloatArray dst, long dstOffset, int n) {
        planner.upload(src, srcOffset, dst, dstOffset, n);
    }

    @Override
    public void upload(int[] src, int srcOffset, IntArray dst, long dstOffset, int n) {
        planner.upload(src, srcOffset, dst, dstOffset, n);
    }

    @Override
    public void download(FloatArray src, long srcOffset, float[] dst, int dstOffset, int n) {
        planner.download(src, srcOffset, dst, dstOffset, n);
    }

    @Override
    public dev.anneal.backend.PendingRead readLater(FloatArray src, long srcOffset, int n) {
        planner.download(src, srcOffset, new float[n], 0, n);
        float[] values = new float[n];
        return () -> values;
    }

    @Override
    public void copy(FloatArray src, long srcOffset, FloatArray dst, long dstOffset, long n) {
        planner.copy(src, srcOffset, dst, dstOffset, n);
    }

    @Override
    public void fill(FloatArray dst, long offset, long n, float value) {
        record(planner.fill(dst, offset, n, value));
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Mat a, Mat b, float beta, Mat c) {
        SgemmLaunch g = planner.gemm(transA, transB, alpha, a, b, beta, c);
        if (g != null) {
            record(g.launchers(GemmPlan.choose(g.m(), g.n(), g.k(), multiprocessors),
                    new Span("workspace", new DevicePointer(), 0, GemmPlan.WORKSPACE_FLOATS, "floats")));
        }
    }

    @Override
    public void biasActivation(Mat z, Mat bias, Activation act, Mat out) {
        record(planner.biasActivation(z, bias, act, out));
    }

    @Override
    public void activation(Activation act, Mat z, Mat out) {
        record(planner.activation(act, z, out));
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
        record(planner.activationBackward(act, z, grad));
    }

    @Override
    public void softmaxCrossEntropy(Mat logits, IntArray labels, long labelOffset, float gradScale, Mat grad,
                                    FloatArray stats, long statsOffset) {
        record(planner.softmaxCrossEntropy(logits, labels, labelOffset, gradScale, grad, stats, statsOffset, scratch));
    }

    @Override
    public void columnSums(Mat m, Mat out, boolean accumulate) {
        record(planner.columnSums(m, out, accumulate));
    }

    @Override
    public void scale(FloatArray x, long offset, long n, float alpha) {
        record(planner.scale(x, offset, n, alpha));
    }

    @Override
    public void axpy(float alpha, FloatArray x, long xOffset, FloatArray y, long yOffset, long n) {
        record(planner.axpy(alpha, x, xOffset, y, yOffset, n));
    }

    @Override
    public void squaredNorm(FloatArray x, long offset, long n, FloatArray out, long outOffset) {
        record(planner.squaredNorm(x, offset, n, out, outOffset, scratch));
    }

    @Override
    public void sgdStep(SgdArgs args, FloatArray scalars, FloatArray params, FloatArray grads,
                        FloatArray momentumBuffer, long n) {
        record(planner.sgdStep(args, scalars, params, grads, momentumBuffer, n));
    }

    @Override
    public void adamStep(AdamArgs args, FloatArray scalars, FloatArray params, FloatArray grads, FloatArray expAvg,
                         FloatArray expAvgSq, FloatArray maxExpAvgSq, long n) {
        record(planner.adamStep(args, scalars, params, grads, expAvg, expAvgSq, maxExpAvgSq, n));
    }

    @Override
    public void rmspropStep(RmsPropArgs args, FloatArray scalars, FloatArray params, FloatArray grads,
                            FloatArray squareAvg, FloatArray gradAvg, FloatArray momentumBuffer, long n) {
        record(planner.rmspropStep(args, scalars, params, grads, squareAvg, gradAvg, momentumBuffer, n));
    }

    @Override
    public void finalizeStepScalars(FloatArray normSquared, long offset, float maxNorm, FloatArray scalars) {
        record(planner.finalizeStepScalars(normSquared, offset, maxNorm, scalars));
    }

    @Override
    public void synchronize() {
    }

    @Override
    public void close() {
    }
}
