package dev.anneal.backend;

/**
 * The shape of one 2-D convolution (PyTorch's {@code nn.Conv2d} with dilation 1 and groups 1) over images stored
 * channels last: input {@code [n, inH, inW, inC]}, output {@code [n, outH, outW, outC]} with
 * {@code outH = (inH + 2 padH - kH) / strideH + 1} (floor) and likewise {@code outW}.
 *
 * <p>The weight is PyTorch's {@code [outC, inC, kH, kW]} seen as an {@code outC x patch()} matrix, so a patch of
 * the input unrolled in the order {@code (c, ky, kx)} ({@link ConvOps#im2col}) times the transposed weight is
 * the convolution.
 */
public record ConvGeometry(int inC, int inH, int inW, int outC, int kH, int kW, int strideH, int strideW,
                           int padH, int padW) {
    public ConvGeometry {
        if (inC <= 0 || inH <= 0 || inW <= 0 || outC <= 0 || kH <= 0 || kW <= 0 || strideH <= 0 || strideW <= 0
                || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("bad convolution " + describe(inC, inH, inW, outC, kH, kW, strideH,
                    strideW, padH, padW));
        }
        if (inH + 2 * padH < kH || inW + 2 * padW < kW) {
            throw new IllegalArgumentException("kernel " + kH + "x" + kW + " does not fit the padded input "
                    + (inH + 2 * padH) + "x" + (inW + 2 * padW));
        }
    }

    public int outH() {
        return (inH + 2 * padH - kH) / strideH + 1;
    }

    public int outW() {
        return (inW + 2 * padW - kW) / strideW + 1;
    }

    /** {@code inC * kH * kW}: the length of one unrolled patch, the GEMM's inner dimension. */
    public int patch() {
        return inC * kH * kW;
    }

    /** Floats of one input image {@code inH * inW * inC}. */
    public long inSize() {
        return (long) inH * inW * inC;
    }

    /** Floats of one output image {@code outH * outW * outC}. */
    public long outSize() {
        return (long) outH() * outW() * outC;
    }

    private static String describe(int inC, int inH, int inW, int outC, int kH, int kW, int sH, int sW, int pH,
                                   int pW) {
        return inC + "x" + inH + "x" + inW + " -> " + outC + ", kernel " + kH + "x" + kW + ", stride " + sH + "x"
                + sW + ", padding " + pH + "x" + pW;
    }
}
