package dev.anneal.backend;

/**
 * Where the numbers live and the ops that touch them: the CPU backend and the CUDA backend implement the same
 * interface, so the model, the optimizers and the trainer are written once.
 *
 * <p>Conventions. Matrices are row-major {@link Mat} views. Ops write their outputs in place; where an op can
 * either overwrite or accumulate, a {@code beta} or {@code accumulate} argument says which. Ops are
 * deterministic: the same inputs give the same bits on every run (reductions use a fixed order). Buffers belong
 * to the backend that allocated them. Calls may be asynchronous on a device; {@link #download} waits for the
 * results it reads.
 */
public interface Backend extends AutoCloseable {
    /** A short name for messages: {@code cpu}, {@code cuda:0}. */
    String name();

    // ---- memory ---------------------------------------------------------------------------------------------

    /** A zero-filled buffer of {@code n} floats. */
    FloatArray allocate(long n);

    /** A zero-filled buffer of {@code n} ints. */
    IntArray allocateInts(long n);

    void upload(float[] src, int srcOffset, FloatArray dst, long dstOffset, int n);

    void upload(int[] src, int srcOffset, IntArray dst, long dstOffset, int n);

    void download(FloatArray src, long srcOffset, float[] dst, int dstOffset, int n);

    /**
     * Queues a copy of {@code n} floats of {@code src} to the host behind the work queued so far, without waiting
     * for it; {@link PendingRead#get} waits and returns them. The values are those the queued work leaves, whatever
     * is queued after the call. At most {@value #PENDING_READS} reads may be outstanding at once.
     */
    PendingRead readLater(FloatArray src, long srcOffset, int n);

    /** How many {@link #readLater} results may be outstanding (not yet {@link PendingRead#get got}) at once. */
    int PENDING_READS = 4;

    void copy(FloatArray src, long srcOffset, FloatArray dst, long dstOffset, long n);

    void fill(FloatArray dst, long offset, long n, float value);

    // ---- matrix and loss ops ----------------------------------------------------------------------------------

    /**
     * {@code c = alpha * op(a) * op(b) + beta * c} (BLAS SGEMM), {@code op(x)} being {@code x} or its transpose.
     * With {@code beta = 0}, {@code c} is overwritten and its old content ignored (even NaN).
     */
    void gemm(boolean transA, boolean transB, float alpha, Mat a, Mat b, float beta, Mat c);

    /**
     * Bias add fused with the activation: {@code z[i][j] += bias[j]} in place (so {@code z} keeps the
     * pre-activation for the backward pass), then {@code out = act(z)}. {@code out} may be {@code z} itself.
     *
     * @param bias a 1 x cols view
     */
    void biasActivation(Mat z, Mat bias, Activation act, Mat out);

    /** {@code out = act(z)} elementwise, without a bias; {@code out} may be {@code z} itself. */
    void activation(Activation act, Mat z, Mat out);

    /** {@code grad[i][j] *= act'(z[i][j])} in place: the gradient through the activation. */
    void activationBackward(Activation act, Mat z, Mat grad);

    /**
     * Softmax cross-entropy, forward and backward fused and numerically stable (the max logit is subtracted
     * before exponentiating). For each row {@code i} with label {@code y = labels[labelOffset + i]}:
     * {@code loss_i = logsumexp(logits_i) - logits_i[y]}. Writes {@code stats[statsOffset] = sum_i loss_i} and
     * {@code stats[statsOffset + 1] = number of rows whose argmax is y} (as a float). When {@code grad} is not
     * null, {@code grad_i = (softmax(logits_i) - onehot(y)) * gradScale} (overwritten); pass
     * {@code gradScale = 1 / N} with N the samples of the whole update to get the gradient of the mean loss.
     */
    void softmaxCrossEntropy(Mat logits, IntArray labels, long labelOffset, float gradScale, Mat grad,
                             FloatArray stats, long statsOffset);

    /** {@code out[j] (+)= sum_i m[i][j]}: the bias gradient; {@code out} is a 1 x cols view. */
    void columnSums(Mat m, Mat out, boolean accumulate);

    /** {@code x[i] *= alpha} over {@code [offset, offset + n)}. */
    void scale(FloatArray x, long offset, long n, float alpha);

    /** {@code y[i] += alpha * x[i]}. */
    void axpy(float alpha, FloatArray x, long xOffset, FloatArray y, long yOffset, long n);

    /**
     * {@code out[outOffset] = sum x[i]^2} over {@code [offset, offset + n)}, accumulated in a fixed order (and in
     * double precision on the CPU), so the result is the same bits every run. Infinite or NaN when any element is.
     */
    void squaredNorm(FloatArray x, long offset, long n, FloatArray out, long outOffset);

    // ---- layer op families (each a small interface with a CPU class and a .cu file of the same ops) ------------

    /** Convolution by im2col and layout changes ({@code cuda-kernels/conv.cu}). */
    ConvOps conv();

    /** Max and average pooling ({@code cuda-kernels/pool.cu}). */
    PoolOps pool();

    /** Batch normalisation ({@code cuda-kernels/norm.cu}). */
    NormOps norm();

    /** Dropout with counter-based masks ({@code cuda-kernels/dropout.cu}). */
    DropoutOps dropout();

    // ---- fused optimizer steps: one pass over the flat buffers, each element read once ---------------------
    // The float operations are PyTorch's on an AVX2 CPU, so that trajectories match it bit for bit: its
    // add(x, alpha=a) is fma(x, a, self), addcmul(x, y, value=c) is fma(c*x, y, self), addcdiv(x, y, value=c) is
    // self + (c*x)/y. The formulas below show the math; the CPU loops and cuda-kernels/optim.cu show the fmas.

    /**
     * PyTorch SGD over {@code n} parameters: {@code g = grad*GRAD_SCALE + wd*p}; with momentum
     * {@code mu = scalars[MOMENTUM] != 0}: {@code b = g} on the first step, else
     * {@code b = mu*b + oneMinusDampening*g}; {@code g = nesterov ? g + mu*b : b}; {@code p -= lr*g}. A no-op when
     * {@code scalars[SKIP] != 0}. {@code momentumBuffer} may be null when momentum is 0 throughout.
     */
    void sgdStep(SgdArgs args, FloatArray scalars, FloatArray params, FloatArray grads, FloatArray momentumBuffer,
                 long n);

    /**
     * PyTorch Adam / AdamW over {@code n} parameters, {@code b1 = scalars[MOMENTUM]}:
     * {@code g = grad*GRAD_SCALE (+ wd*p for Adam)}; AdamW: {@code p *= DECAY_FACTOR};
     * {@code m = b1*m + (1-b1)*g}; {@code v = b2*v + (1-b2)*g^2}; amsgrad: {@code vmax = max(vmax, v)} and
     * {@code vmax} replaces {@code v} below; {@code p -= STEP_SIZE * m / (sqrt(v)/BIAS_CORRECTION2_SQRT + eps)}.
     * A no-op when {@code scalars[SKIP] != 0}. {@code maxExpAvgSq} is null unless amsgrad.
     */
    void adamStep(AdamArgs args, FloatArray scalars, FloatArray params, FloatArray grads, FloatArray expAvg,
                  FloatArray expAvgSq, FloatArray maxExpAvgSq, long n);

    /**
     * PyTorch RMSprop over {@code n} parameters: {@code g = grad*GRAD_SCALE + wd*p};
     * {@code v = alpha*v + (1-alpha)*g^2}; centered: {@code gavg = alpha*gavg + (1-alpha)*g},
     * {@code d = sqrt(v - gavg^2) + eps}, else {@code d = sqrt(v) + eps}; when the buffer exists and
     * {@code mu = scalars[MOMENTUM] > 0}: {@code b = mu*b + g/d}, {@code p -= lr*b}; else {@code p -= lr*g/d}.
     * A no-op when {@code scalars[SKIP] != 0}. {@code gradAvg} is null unless centered, {@code momentumBuffer}
     * null unless {@code args.withMomentum()}.
     */
    void rmspropStep(RmsPropArgs args, FloatArray scalars, FloatArray params, FloatArray grads,
                     FloatArray squareAvg, FloatArray gradAvg, FloatArray momentumBuffer, long n);

    /**
     * From the squared gradient norm {@code sq = normSquared[offset]}, in float arithmetic:
     * {@code scalars[SKIP] = 1} when {@code sq} is not finite (else 0), and
     * {@code scalars[GRAD_SCALE] = min(1, maxNorm / (sqrt(sq) + 1e-6))} when {@code maxNorm > 0} and {@code sq} is
     * finite, else 1 (PyTorch's {@code clip_grad_norm_} coefficient, computed in float32 as PyTorch does). The step
     * decides on its own whether to apply itself and by how much to scale the gradients, so a whole training step
     * needs no host synchronisation and can be captured in a CUDA graph. Both backends give the same bits.
     */
    void finalizeStepScalars(FloatArray normSquared, long offset, float maxNorm, FloatArray scalars);

    /** Whether {@link #capture} records ops for replay (CUDA graphs); false on the CPU. */
    default boolean capturesGraphs() {
        return false;
    }

    /**
     * Records the ops that {@code ops} queues on this backend, without running them, into a graph replayed by
     * {@link StepGraph#replay} (CUDA stream capture). The ops must not allocate, free, upload, download or wait
     * while being captured; the replay uses the buffers and scalar arguments of the capture, so data changes only
     * through buffer contents.
     *
     * @throws UnsupportedOperationException where {@link #capturesGraphs} is false
     */
    default StepGraph capture(Runnable ops) {
        throw new UnsupportedOperationException(name() + " does not capture graphs");
    }

    /** Waits until every op issued so far has finished (a no-op on the CPU). */
    void synchronize();

    @Override
    void close();
}
