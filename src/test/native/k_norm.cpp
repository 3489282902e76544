// cuda-kernels/norm.cu compiled for the host (serial: its reductions are per-thread loops over fixed row blocks,
// no __syncthreads or shuffles).
#include "cuda_shim.h"
#include "kernel_table.h"
#include "../../../cuda-kernels/norm.cu"

static ::emu::Registrar registrar_norm{
    EMU_K(norm, false, batch_norm_sum_partials),
    EMU_K(norm, false, batch_norm_mean),
    EMU_K(norm, false, batch_norm_square_partials),
    EMU_K(norm, false, batch_norm_stats),
    EMU_K(norm, false, batch_norm_normalize),
    EMU_K(norm, false, batch_norm_inference),
    EMU_K(norm, false, batch_norm_backward_partials),
    EMU_K(norm, false, batch_norm_backward_sums),
    EMU_K(norm, false, batch_norm_backward_dx)};
