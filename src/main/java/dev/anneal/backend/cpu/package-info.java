/**
 * The CPU backend ({@link dev.anneal.backend.cpu.CpuBackend}): Java arrays; SGEMM through the system BLAS when it
 * loads, else a blocked pure-Java kernel ({@link dev.anneal.backend.cpu.CpuGemm}); the MLP's fused ops, split
 * over {@link dev.anneal.backend.cpu.CpuParallel}'s threads with deterministic reductions; the fused optimizer
 * steps; and the CPU twins of the layer op families: {@code CpuConv} (im2col, col2im, layout changes),
 * {@code CpuPool}, {@code CpuNorm} and {@code CpuDropout} (masks from {@code Philox} 4x32-10). It is the
 * reference path that CI runs.
 */
package dev.anneal.backend.cpu;
