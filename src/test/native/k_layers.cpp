// cuda-kernels/layers.cu compiled for the host (serial: no __syncthreads or shuffles).
#include "cuda_shim.h"
#include "kernel_table.h"
#include "../../../cuda-kernels/layers.cu"

static ::emu::Registrar registrar_layers{
    EMU_K(layers, false, bias_activation),
    EMU_K(layers, false, activation_forward),
    EMU_K(layers, false, activation_backward),
    EMU_K(layers, false, column_sums)};
