package dev.anneal.backend.cpu;

import dev.anneal.backend.ConvGeometry;

/**
 * The input pixels that every tap of a stride-1 convolution reads, {@code y in [yLo, yHi), x in [xLo, xHi)}
 * (those with {@code y + padH - ky} in {@code [0, outH)} for every {@code ky}, likewise {@code x}), and the col
 * offset of each tap from such a pixel's base entry {@code col[row(y + padH, x + padW), 0]}:
 * {@code tapOffsets[ky kW + kx] = ky kW + kx - (ky outW + kx) patch}, ascending {@code (ky, kx)}. There
 * {@link CpuConv}'s {@code col2im} lists the taps by one addition each instead of testing them. With another
 * stride the taps that read a pixel depend on its residue, and the range is empty.
 *
 * <p>The values are the same for every image and every thread: one instance per call, only read.
 */
final class Col2imInterior {
    final int yLo;
    final int yHi;
    final int xLo;
    final int xHi;
    final int[] tapOffsets;

    Col2imInterior(ConvGeometry g) {
        boolean unitStride = g.strideH() == 1 && g.strideW() == 1;
        yLo = Math.min(g.inH(), Math.max(0, g.kH() - 1 - g.padH()));
        yHi = unitStride ? Math.max(yLo, Math.min(g.inH(), g.outH() - g.padH())) : yLo;
        xLo = Math.min(g.inW(), Math.max(0, g.kW() - 1 - g.padW()));
        xHi = unitStride ? Math.max(xLo, Math.min(g.inW(), g.outW() - g.padW())) : xLo;
        tapOffsets = new int[g.kH() * g.kW()];
        for (int ky = 0; ky < g.kH(); ky++) {
            for (int kx = 0; kx < g.kW(); kx++) {
                tapOffsets[ky * g.kW() + kx] = ky * g.kW() + kx - (ky * g.outW() + kx) * g.patch();
            }
        }
    }
}
