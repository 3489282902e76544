// cuda-kernels/conv.cu compiled for the host (serial: no __syncthreads or shuffles).
#include "cuda_shim.h"
#include "kernel_table.h"
#include "../../../cuda-kernels/conv.cu"

static ::emu::Registrar registrar_conv{
    EMU_K(conv, false, im2col),
    EMU_K(conv, false, col2im),
    EMU_K(conv, false, to_channels_last),
    EMU_K(conv, false, to_channels_first)};
