// cuda-kernels/matmul.cu compiled for the host (fibers per block: the tile kernels synchronise).
#include "cuda_shim.h"
#include "kernel_table.h"
#include "../../../cuda-kernels/matmul.cu"

static ::emu::Registrar registrar_matmul{
    EMU_K(matmul, true, sgemm_128x128_nn),
    EMU_K(matmul, true, sgemm_128x128_nt),
    EMU_K(matmul, true, sgemm_128x128_tn),
    EMU_K(matmul, true, sgemm_128x128_tt),
    EMU_K(matmul, true, sgemm_64x64_nn),
    EMU_K(matmul, true, sgemm_64x64_nt),
    EMU_K(matmul, true, sgemm_64x64_tn),
    EMU_K(matmul, true, sgemm_64x64_tt),
    EMU_K(matmul, true, sgemm_128x32_nn),
    EMU_K(matmul, true, sgemm_128x32_nt),
    EMU_K(matmul, true, sgemm_128x32_tn),
    EMU_K(matmul, true, sgemm_128x32_tt),
    EMU_K(matmul, true, sgemm_32x32_nn),
    EMU_K(matmul, true, sgemm_32x32_nt),
    EMU_K(matmul, true, sgemm_32x32_tn),
    EMU_K(matmul, true, sgemm_32x32_tt),
    EMU_K(matmul, false, sgemm_splitk_reduce)};
