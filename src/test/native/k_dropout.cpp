// cuda-kernels/dropout.cu compiled for the host (serial: no __syncthreads or shuffles).
#include "cuda_shim.h"
#include "kernel_table.h"
#include "../../../cuda-kernels/dropout.cu"

static ::emu::Registrar registrar_dropout{
    EMU_K(dropout, false, dropout_forward),
    EMU_K(dropout, false, multiply),
    EMU_K(dropout, false, advance)};
