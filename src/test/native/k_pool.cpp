// cuda-kernels/pool.cu compiled for the host (serial: no __syncthreads or shuffles).
#include "cuda_shim.h"
#include "kernel_table.h"
#include "../../../cuda-kernels/pool.cu"

static ::emu::Registrar registrar_pool{
    EMU_K(pool, false, max_pool_forward),
    EMU_K(pool, false, max_pool_bias_forward),
    EMU_K(pool, false, max_pool_backward),
    EMU_K(pool, false, avg_pool_forward),
    EMU_K(pool, false, avg_pool_backward)};
