package dev.anneal.backend.cuda;

import static dev.anneal.backend.cuda.ParamKind.F32;
import static dev.anneal.backend.cuda.ParamKind.I32;
import static dev.anneal.backend.cuda.ParamKind.I64;
import static dev.anneal.backend.cuda.ParamKind.PTR;

import java.util.List;

/**
 * Every kernel the CUDA backend launches: the PTX module ({@code cuda-kernels/<module>.cu}), the {@code extern
 * "C"} entry name and the parameter list the launcher packs, in order. Modules are checked against this table
 * when they load, and a contract test checks it against the built PTX, so a signature change on one side
 * cannot go unnoticed.
 */
public enum Kernel {
    SGD_STEP("optim", "sgd_step", F32, F32, I32, PTR, PTR, PTR, PTR, I64),
    ADAM_STEP("optim", "adam_step", F32, F32, F32, F32, I32, I32, PTR, PTR, PTR, PTR, PTR, PTR, I64),
    RMSPROP_STEP("optim", "rmsprop_step", F32, F32, F32, F32, I32, I32, PTR, PTR, PTR, PTR, PTR, PTR, I64),
    FINALIZE_STEP_SCALARS("optim", "finalize_step_scalars", PTR, F32, PTR),
    SGEMM_128X128_NN("matmul", "sgemm_128x128_nn", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_128X128_NT("matmul", "sgemm_128x128_nt", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_128X128_TN("matmul", "sgemm_128x128_tn", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_128X128_TT("matmul", "sgemm_128x128_tt", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_64X64_NN("matmul", "sgemm_64x64_nn", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_64X64_NT("matmul", "sgemm_64x64_nt", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_64X64_TN("matmul", "sgemm_64x64_tn", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_64X64_TT("matmul", "sgemm_64x64_tt", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_128X32_NN("matmul", "sgemm_128x32_nn", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_128X32_NT("matmul", "sgemm_128x32_nt", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_128X32_TN("matmul", "sgemm_128x32_tn", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_128X32_TT("matmul", "sgemm_128x32_tt", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_32X32_NN("matmul", "sgemm_32x32_nn", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_32X32_NT("matmul", "sgemm_32x32_nt", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_32X32_TN("matmul", "sgemm_32x32_tn", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_32X32_TT("matmul", "sgemm_32x32_tt", I32, I32, I32, F32, PTR, I32, PTR, I32, F32, PTR, I32, I32, I64),
    SGEMM_SPLITK_REDUCE("matmul", "sgemm_splitk_reduce", I32, I32, I32, F32, PTR, F32, PTR, I32),
    BIAS_ACTIVATION("layers", "bias_activation", PTR, PTR, PTR, I32, I32, I32),
    ACTIVATION_BACKWARD("layers", "activation_backward", I32, PTR, PTR, I64),
    COLUMN_SUMS("layers", "column_sums", PTR, I32, I32, PTR, I32),
    SCALE("elementwise", "scale", PTR, I64, F32),
    AXPY("elementwise", "axpy", F32, PTR, PTR, I64),
    FILL("elementwise", "fill", PTR, I64, F32),
    SQUARED_NORM_PARTIAL("reduce", "squared_norm_partial", PTR, I64, PTR),
    SQUARED_NORM_FINAL("reduce", "squared_norm_final", PTR, I32, PTR),
    SOFTMAX_XENT_ROWS("loss", "softmax_xent_rows", PTR, I32, I32, PTR, F32, PTR, PTR),
    REDUCE_ROW_STATS("loss", "reduce_row_stats", PTR, I32, PTR),
    ACTIVATION_FORWARD("layers", "activation_forward", I32, PTR, PTR, I64),
    IM2COL("conv", "im2col", I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, PTR, PTR),
    COL2IM("conv", "col2im", I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, PTR, PTR),
    TO_CHANNELS_LAST("conv", "to_channels_last", I32, I32, I32, I32, PTR, PTR),
    TO_CHANNELS_FIRST("conv", "to_channels_first", I32, I32, I32, I32, PTR, PTR),
    MAX_POOL_FORWARD("pool", "max_pool_forward", I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, PTR,
            PTR, PTR),
    MAX_POOL_BIAS_FORWARD("pool", "max_pool_bias_forward", I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32,
            I32, PTR, PTR, PTR, PTR),
    MAX_POOL_BACKWARD("pool", "max_pool_backward", I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, PTR,
            PTR, PTR),
    AVG_POOL_FORWARD("pool", "avg_pool_forward", I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, PTR,
            PTR),
    AVG_POOL_BACKWARD("pool", "avg_pool_backward", I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, PTR,
            PTR),
    BATCH_NORM_SUM_PARTIALS("norm", "batch_norm_sum_partials", PTR, I32, I32, PTR),
    BATCH_NORM_MEAN("norm", "batch_norm_mean", PTR, I32, I32, PTR),
    BATCH_NORM_SQUARE_PARTIALS("norm", "batch_norm_square_partials", PTR, I32, I32, PTR, PTR),
    BATCH_NORM_STATS("norm", "batch_norm_stats", PTR, PTR, I32, I32, F32, F32, PTR, PTR, PTR),
    BATCH_NORM_NORMALIZE("norm", "batch_norm_normalize", PTR, I32, I32, PTR, PTR, PTR, PTR),
    BATCH_NORM_INFERENCE("norm", "batch_norm_inference", PTR, I32, I32, F32, PTR, PTR, PTR, PTR, PTR),
    BATCH_NORM_BACKWARD_PARTIALS("norm", "batch_norm_backward_partials", PTR, PTR, I32, I32, PTR, PTR),
    BATCH_NORM_BACKWARD_SUMS("norm", "batch_norm_backward_sums", PTR, I32, I32, PTR, PTR, PTR),
    BATCH_NORM_BACKWARD_DX("norm", "batch_norm_backward_dx", PTR, PTR, I32, I32, PTR, PTR, PTR, PTR),
    DROPOUT_FORWARD("dropout", "dropout_forward", PTR, I64, F32, I64, I32, PTR, PTR, PTR),
    MULTIPLY("dropout", "multiply", PTR, PTR, I64),
    ADVANCE("dropout", "advance", PTR);

    private final String module;
    private final String entry;
    private final List<ParamKind> params;

    Kernel(String module, String entry, ParamKind... params) {
        this.module = module;
        this.entry = entry;
        this.params = List.of(params);
    }

    /** The PTX module, i.e. the {@code .cu} file's base name; its PTX is the jar resource {@code ptx/<module>.ptx}. */
    public String module() {
        return module;
    }

    public String entry() {
        return entry;
    }

    public List<ParamKind> params() {
        return params;
    }
}
