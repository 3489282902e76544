package dev.anneal.backend;

/**
 * The shape of one 2-D pooling (PyTorch's {@code nn.MaxPool2d} / {@code nn.AvgPool2d} with dilation 1 and
 * {@code ceil_mode=False}) over images stored channels last: input {@code [n, inH, inW, c]}, output
 * {@code [n, outH, outW, c]}, {@code outH = (inH + 2 padH - kH) / strideH + 1} (floor), likewise {@code outW}.
 * PyTorch requires {@code pad <= kernel / 2}; so does this record.
 */
public record PoolGeometry(int c, int inH, int inW, int kH, int kW, int strideH, int strideW, int padH, int padW) {
    public PoolGeometry {
        if (c <= 0 || inH <= 0 || inW <= 0 || kH <= 0 || kW <= 0 || strideH <= 0 || strideW <= 0 || padH < 0
                || padW < 0) {
            throw new IllegalArgumentException("bad pooling: " + c + "x" + inH + "x" + inW + ", kernel " + kH + "x"
                    + kW + ", stride " + strideH + "x" + strideW + ", padding " + padH + "x" + padW);
        }
        if (2 * padH > kH || 2 * padW > kW) {
            throw new IllegalArgumentException("pooling padding " + padH + "x" + padW
                    + " must be at most half the kernel " + kH + "x" + kW);
        }
        if (inH + 2 * padH < kH || inW + 2 * padW < kW) {
            throw new IllegalArgumentException("pooling kernel " + kH + "x" + kW + " does not fit the padded input "
                    + (inH + 2 * padH) + "x" + (inW + 2 * padW));
        }
    }

    public int outH() {
        return (inH + 2 * padH - kH) / strideH + 1;
    }

    public int outW() {
        return (inW + 2 * padW - kW) / strideW + 1;
    }

    public long inSize() {
        return (long) inH * inW * c;
    }

    public long outSize() {
        return (long) outH() * outW() * c;
    }
}
