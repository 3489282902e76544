package dev.anneal.backend;

/**
 * Convolution by unrolling (im2col, Chellapilla et al. 2006): the convolution of {@link ConvGeometry} {@code g}
 * over {@code n} channels-last images is {@code Y = im2col(X) W^T} ({@code [n outH outW, patch] x [patch, outC]},
 * giving the channels-last output directly), its weight gradient {@code dW += dY^T im2col(X)}, and its input
 * gradient {@code dX = col2im(dY W)}. The GEMMs are the backend's {@link Backend#gemm}; this family holds the
 * data movement around them and the layout changes at the edges of a convolutional stack.
 *
 * <p>All ops overwrite their outputs, are deterministic (fixed summation order), and take a buffer with an
 * element offset for every tensor. Outputs must not overlap inputs.
 */
public interface ConvOps {
    /**
     * Unrolls patches: {@code col} is {@code [n * outH * outW, patch]} row-major, row {@code r = (i * outH + oy) *
     * outW + ox}, column {@code k = (c * kH + ky) * kW + kx}, holding {@code x[i, oy*strideH - padH + ky,
     * ox*strideW - padW + kx, c]} or 0 where that position falls in the padding.
     */
    void im2col(ConvGeometry g, int n, FloatArray x, long xOffset, FloatArray col, long colOffset);

    /**
     * The adjoint of {@link #im2col}: {@code dx[i, y, x, c] = sum of col[r, k]} over every (row, column) that
     * {@link #im2col} filled from {@code (i, y, x, c)}, summed in ascending {@code (ky, kx)} order; 0 for input
     * positions no patch reads. Overwrites {@code dx} ({@code n * g.inSize()} floats).
     */
    void col2im(ConvGeometry g, int n, FloatArray col, long colOffset, FloatArray dx, long dxOffset);

    /** {@code y[i, h, w, c] = x[i, c, h, w]}: channels first (PyTorch's NCHW) to channels last (NHWC). */
    void toChannelsLast(int n, int c, int h, int w, FloatArray x, long xOffset, FloatArray y, long yOffset);

    /** {@code y[i, c, h, w] = x[i, h, w, c]}: channels last back to channels first, the inverse of the above. */
    void toChannelsFirst(int n, int c, int h, int w, FloatArray x, long xOffset, FloatArray y, long yOffset);
}
