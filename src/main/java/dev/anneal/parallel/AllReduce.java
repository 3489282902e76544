package dev.anneal.parallel;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.distributed.ProcessGroup;
import java.util.List;

/**
 * The gradient all-reduce of data-parallel training: replica {@code r} of {@code N} holds its gradient in
 * {@code buffers.get(r)} on {@code backends.get(r)}; after {@link #sum} every replica holds
 * {@code s[i] = (((b_0[i] + b_1[i]) + b_2[i]) + ... ) + b_{N-1}[i]}, each {@code +} one float addition rounded to
 * nearest, in replica order. The order is fixed and the sum is computed once per element and copied to every
 * replica, so every replica receives the same bits and the next optimizer step (a deterministic elementwise
 * kernel on identical inputs) keeps the parameters bit-identical across replicas. Every implementation gives the
 * bits of the plain Java loop {@code s = b0; s += b1; s += b2; ...} (NaN stays NaN, though its payload may
 * differ; infinities propagate as in IEEE 754), so the choice of implementation never changes a training run.
 *
 * <p>Implementations ({@link #create} picks): one replica, nothing to do; CPU replicas, in memory over index
 * chunks in parallel; CUDA replicas with peer access between replica 0's device and every other, peer copies
 * ordered by CUDA events, summed on device 0 by its {@code axpy} kernel (alpha 1: {@code fma(1, x, y)} rounds
 * exactly like {@code x + y}); anything else, host-staged through {@link Backend#download} and
 * {@link Backend#upload}.
 *
 * <p>Call from one thread while no other thread uses these backends; an implementation may queue work on every
 * backend's stream and make each backend's context current on the calling thread.
 */
public interface AllReduce extends AutoCloseable {
    /**
     * Every {@code buffers.get(r)[offset, offset+n)} becomes the elementwise float sum {@code ((b0 + b1) + b2) + ...}
     * over replicas in replica order (same bits on every replica, whatever the implementation);
     * {@code buffers.get(r)} belongs to the r-th backend. Returns once the result is queued in order on every
     * backend (a later op on backend r sees it).
     *
     * @throws IllegalArgumentException when the list sizes differ from the replica count, a buffer appears twice
     *     or belongs to another backend
     * @throws IndexOutOfBoundsException when {@code [offset, offset+n)} is not inside every buffer
     */
    void sum(List<FloatArray> buffers, long offset, long n);

    /**
     * One line for logs: {@code in memory (4 CPU replicas)}, {@code peer copies via cuda:0},
     * {@code host-staged (no peer access cuda:0 <-> cuda:1)}.
     */
    String describe();

    /**
     * Picks: one backend, a no-op; all {@code CpuBackend}, in memory (parallel over chunks); all
     * {@code CudaBackend} with peer access between replica 0's device and every other's, peer copies; otherwise
     * host-staged through {@link Backend#download} and {@link Backend#upload} (works for any mix).
     *
     * @throws IllegalArgumentException for an empty list
     */
    static AllReduce create(List<Backend> backends) {
        return AllReduces.create(backends, true);
    }

    /**
     * The all-reduce of this process's {@code backends} in a run over the processes of {@code group}: over every
     * replica of every rank in global replica order when there are several processes, on the GPUs through NCCL
     * where {@code -Danneal.nccl=on} ({@code backend.cuda.NcclChainAllReduce}, one CUDA device per process), else
     * host-staged over MPI ({@link CrossProcessAllReduce}); {@link #create(List)} for one process. Every wait gives
     * up after {@code timeout}. A collective when there are several processes: every rank calls it.
     */
    static AllReduce create(List<Backend> backends, ProcessGroup group, java.time.Duration timeout) {
        return AllReduces.create(backends, group, timeout);
    }

    /** Frees what the all-reduce holds (device scratch, events); the backends stay open. */
    @Override
    void close();
}
