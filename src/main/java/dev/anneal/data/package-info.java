/**
 * Training data: {@link dev.anneal.data.DataSpec} (the config section {@code data}) and
 * {@link dev.anneal.data.Datasets#load} turn a spec into {@link dev.anneal.data.Dataset}s (in memory, or rows of
 * {@code .npy} files memory-mapped by {@link dev.anneal.data.NpyRows} with {@code data.memory_map}), read from
 * MNIST / Fashion-MNIST IDX files by {@link dev.anneal.data.Idx} or drawn by {@link dev.anneal.data.Synthetic}, and
 * standardised by {@link dev.anneal.data.Normalization}. {@link dev.anneal.data.EpochOrder} gives each epoch's
 * sample order as a pure function of (seed, epoch, n) via {@link dev.anneal.data.SplitMix64}, and
 * {@link dev.anneal.data.Batches} splits an epoch into optimizer steps and micro-batches ({@link
 * dev.anneal.data.Span}) and gathers their rows into reused buffers.
 */
package dev.anneal.data;
