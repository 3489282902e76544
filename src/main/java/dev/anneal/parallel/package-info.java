/**
 * Data-parallel training support: {@link dev.anneal.parallel.AllReduce} sums the replicas' gradient buffers in
 * replica order so that every replica gets the same bits (in memory on the CPU, CUDA peer copies, or host-staged),
 * and {@link dev.anneal.parallel.ReplicaCheck} verifies that the replicas' parameters are still bit-identical.
 */
package dev.anneal.parallel;
