/**
 * Several processes, one model: {@link dev.anneal.distributed.Launch} reads which launcher started this process
 * (Open MPI's {@code mpirun}, Slurm's {@code srun} with PMIx) and its rank; {@link dev.anneal.distributed.MpiWorld}
 * is the job's MPI world through Anneal's own JNI shim over Open MPI's C API (found by
 * {@link dev.anneal.distributed.MpiShim}), with barrier, broadcast and a gather of one long per rank, each bounded
 * by a timeout that throws {@link dev.anneal.distributed.CollectiveTimeout}; {@link dev.anneal.distributed.OrderedSum}
 * is the cross-rank gradient sum with the bits of a single process summing every replica in order.
 */
package dev.anneal.distributed;
