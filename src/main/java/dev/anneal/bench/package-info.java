/**
 * {@code anneal bench}: kernel timings ({@link dev.anneal.bench.KernelBench}), training-step throughput
 * ({@link dev.anneal.bench.StepBench}) and the data loader's rate against the step's
 * ({@link dev.anneal.bench.LoaderBench}). Every number is the median of many runs after a warm-up
 * ({@link dev.anneal.bench.Sampler}), rotating between buffer sets larger than the last-level cache together so no
 * run is served from cache. On CUDA the kernels are timed with CUDA events on the backend's stream, on the CPU
 * with {@link System#nanoTime()} around each call.
 */
package dev.anneal.bench;
