# Sourced by bin/anneal and the benchmark scripts. OpenBLAS (the CPU backend's SGEMM) picks its kernels from
# the CPU model and falls back to old SSE3 kernels on models it does not know (0.3.21 on recent Xeons: 4 to 7
# times slower). Name the kernel family from the CPU's instruction sets instead, unless the user chose one.
if [[ -z "${OPENBLAS_CORETYPE:-}" && -r /proc/cpuinfo ]]; then
  _anneal_flags=$(grep -m1 '^flags' /proc/cpuinfo)
  if [[ $_anneal_flags == *avx512f* && $_anneal_flags == *avx512bw* && $_anneal_flags == *avx512vl* \
        && $_anneal_flags == *avx512dq* ]]; then
    export OPENBLAS_CORETYPE=SkylakeX
  elif [[ $_anneal_flags == *avx2* && $_anneal_flags == *fma* ]]; then
    export OPENBLAS_CORETYPE=Haswell
  fi
  unset _anneal_flags
fi
# Between calls OpenBLAS's worker threads spin (sched_yield) for 2^28 cycles, about 0.1 s, before they sleep. The
# CPU backend's own loops (im2col, pooling, col2im) run on a second thread between SGEMMs, and a spinning worker
# takes its core away: the default CNN's step measured 68 ms spinning, 54 ms with 2^18 cycles (about 0.1 ms at
# 2.3 GHz; the MLP's step unchanged within noise). See docs/BENCHMARKS.md. A user's own value is kept.
if [[ -z "${OPENBLAS_THREAD_TIMEOUT:-}" ]]; then
  export OPENBLAS_THREAD_TIMEOUT=18
fi
