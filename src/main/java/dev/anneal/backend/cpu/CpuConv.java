package dev.anneal.backend.cpu;

import dev.anneal.backend.ConvGeometry;
import dev.anneal.backend.ConvOps;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.LayerChecks;

/**
 * The data movement of convolution by unrolling (Chellapilla, Puri and Simard 2006), the CPU twin of
 * {@code cuda-kernels/conv.cu}; contracts in {@link ConvOps}. Images are channels last {@code [n, h, w, c]}; a
 * patch row is ordered {@code (c, ky, kx)}, PyTorch's weight order, so {@code im2col(X) W^T} is the convolution.
 * <ul>
 *   <li>{@code im2col}: one row per output pixel. With several channels, per tap the pixel's {@code inC}
 *       channels are read contiguously and written with stride {@code kH kW} inside the row (a row of
 *       {@code patch} floats stays in L1), padding taps written as 0; a pixel whose left neighbour's row is
 *       written copies the overlap of the two windows from it and reads only the new taps. With one channel,
 *       a stretch of an output image row is written tap by tap with the padding's range of pixels found once
 *       per tap;</li>
 *   <li>{@code col2im}: a gather per input pixel, {@code dx[y, x, :] = sum over (ky, kx) ascending} of the patch
 *       entries that read it ({@code oy = (y + padH - ky) / strideH} when that divides exactly and is in range,
 *       likewise {@code ox}; every tap, from a table of offsets, for the interior pixels of a stride-1
 *       convolution, see {@link Col2imInterior}), accumulated per channel in a float register from 0, so no two
 *       threads write one element and the order is fixed;</li>
 *   <li>layout changes: a transpose per image between {@code [c, h w]} and {@code [h w, c]}, in square tiles of
 *       {@link #TILE} so that both sides stream through the cache.</li>
 * </ul>
 * Rows (output pixels, input pixels, tiles of images) are split over {@link CpuParallel}; each output element
 * is written by one thread, a copy of the same input bits or a sum in the fixed order whichever path writes it,
 * so the bits do not depend on the thread count.
 */
final class CpuConv implements ConvOps {
    /** Floats moved per chunk below which an op stays on the calling thread (a fork-join costs 10-100 us). */
    static final int GRAIN = 1 << 16;
    /** The side of the transpose tiles. */
    static final int TILE = 32;

    @Override
    public void im2col(ConvGeometry g, int n, FloatArray x, long xOffset, FloatArray col, long colOffset) {
        int rows = CpuRanges.elements(n, (long) g.outH() * g.outW(), "im2col n");
        long colSize = CpuRanges.elements(rows, g.patch(), "im2col col");
        long xSize = CpuRanges.elements(n, g.inSize(), "im2col x");
        float[] xa = CpuRanges.floats(x, xOffset, xSize, "im2col x");
        float[] ca = CpuRanges.floats(col, colOffset, colSize, "im2col col");
        LayerChecks.disjoint(ca, colOffset, colSize, "im2col col", xa, xOffset, xSize, "x");
        int rowGrain = Math.max(1, GRAIN / g.patch());
        CpuParallel.forRange(0, rows, rowGrain, (chunk, from, to) ->
                im2colRows(g, xa, (int) xOffset, ca, (int) colOffset, from, to));
    }

    /**
     * Rows {@code [from, to)} of {@code col} (output pixels {@code (i, oy, ox)} in order). One channel: a stretch
     * of an output image row at a time by {@link #im2colOneChannel}. Several: when the windows of neighbouring
     * pixels overlap ({@code strideW < kW}), a row whose left neighbour is already written is that row shifted:
     * column {@code (c, ky, kx)} of pixel {@code ox} reads the input position (or padding) that column
     * {@code (c, ky, kx + strideW)} of pixel {@code ox - 1} read, so one {@code arraycopy} of the neighbour from
     * {@code strideW} on fills every column with {@code kx < kW - strideW}, and only the last {@code strideW}
     * columns of each {@code (c, ky)} are read from the image (for the default CNN's 3x3 kernels, a third of
     * the floats); the first pixel of each stretch is written tap by tap. Copies move bits, so a row is the
     * same whichever way it was filled, and so whatever the split.
     */
    static void im2colRows(ConvGeometry g, float[] x, int xOff, float[] col, int colOff, int from, int to) {
        int patch = g.patch();
        int sW = g.strideW();
        int outH = g.outH();
        int outW = g.outW();
        int perImage = outH * outW;
        int imageSize = g.inH() * g.inW() * g.inC();
        int i = from / perImage;
        int oy = from % perImage / outW;
        int ox = from % outW;
        int r = from;
        while (r < to) {
            int end = Math.min(to, r - ox + outW);
            int image = xOff + i * imageSize;
            if (g.inC() == 1) {
                im2colOneChannel(g, x, image, oy, ox, ox + end - r, col, colOff + r * patch);
            } else {
                int y0 = oy * g.strideH() - g.padH();
                im2colTaps(g, x, image, y0, ox * sW - g.padW(), 0, col, colOff + r * patch);
                int kxFrom = Math.max(0, g.kW() - sW);
                for (int q = r + 1; q < end; q++) {
                    int row = colOff + q * patch;
                    if (kxFrom > 0) {
                        System.arraycopy(col, row - patch + sW, col, row, patch - sW);
                    }
                    im2colTaps(g, x, image, y0, (q - r + ox) * sW - g.padW(), kxFrom, col, row);
                }
            }
            r = end;
            ox = 0;
            if (++oy == outH) {
                oy = 0;
                i++;
            }
        }
    }

    /**
     * The rows of output pixels {@code ox in [oxFrom, oxTo)} of output row {@code oy} of a one-channel image,
     * the first at {@code rowFrom}: per tap {@code (ky, kx)}, the pixels whose tap is inside the image (a range
     * of {@code ox}, found once) copy it, the others write 0. This avoids a bounds test per tap and pixel,
     * which cost more than the copy of a one-channel patch.
     */
    private static void im2colOneChannel(ConvGeometry g, float[] x, int image, int oy, int oxFrom, int oxTo,
                                         float[] col, int rowFrom) {
        int inW = g.inW();
        int kW = g.kW();
        int sW = g.strideW();
        int pW = g.padW();
        int patch = g.patch();
        for (int ky = 0; ky < g.kH(); ky++) {
            int iy = oy * g.strideH() - g.padH() + ky;
            boolean rowInside = iy >= 0 && iy < g.inH();
            for (int kx = 0; kx < kW; kx++) {
                int lo = oxTo;
                int hi = oxTo;
                if (rowInside) {
                    lo = Math.min(oxTo, Math.max(oxFrom, -Math.floorDiv(kx - pW, sW)));
                    hi = Math.max(lo, Math.min(oxTo, Math.floorDiv(inW - 1 + pW - kx, sW) + 1));
                }
                int tap = rowFrom - oxFrom * patch + ky * kW + kx;
                for (int ox = oxFrom; ox < lo; ox++) {
                    col[tap + ox * patch] = 0f;
                }
                int src = image + iy * inW + lo * sW - pW + kx;
                for (int ox = lo; ox < hi; ox++, src += sW) {
                    col[tap + ox * patch] = x[src];
                }
                for (int ox = hi; ox < oxTo; ox++) {
                    col[tap + ox * patch] = 0f;
                }
            }
        }
    }

    /**
     * The columns {@code (c, ky, kx)} with {@code kx >= kxFrom} of the row at {@code row} whose window's top-left
     * corner is {@code (y0, x0)} of the image at {@code image}: per tap, the pixel's {@code inC} channels are read
     * contiguously and written {@code kH kW} apart (a row stays in L1), or 0 where the tap is in the padding.
     */
    private static void im2colTaps(ConvGeometry g, float[] x, int image, int y0, int x0, int kxFrom, float[] col,
                                   int row) {
        int inC = g.inC();
        int inH = g.inH();
        int inW = g.inW();
        int kW = g.kW();
        int kk = g.kH() * kW;
        for (int ky = 0; ky < g.kH(); ky++) {
            int iy = y0 + ky;
            boolean rowInside = iy >= 0 && iy < inH;
            for (int kx = kxFrom; kx < kW; kx++) {
                int ix = x0 + kx;
                int dst = row + ky * kW + kx;
                if (rowInside && ix >= 0 && ix < inW) {
                    int src = image + (iy * inW + ix) * inC;
                    for (int c = 0; c < inC; c++) {
                        col[dst + c * kk] = x[src + c];
                    }
                } else {
                    for (int c = 0; c < inC; c++) {
                        col[dst + c * kk] = 0f;
                    }
                }
            }
        }
    }

    @Override
    public void col2im(ConvGeometry g, int n, FloatArray col, long colOffset, FloatArray dx, long dxOffset) {
        int rows = CpuRanges.elements(n, (long) g.outH() * g.outW(), "col2im n");
        long colSize = CpuRanges.elements(rows, g.patch(), "col2im col");
        long dxSize = CpuRanges.elements(n, g.inSize(), "col2im dx");
        float[] ca = CpuRanges.floats(col, colOffset, colSize, "col2im col");
        float[] da = CpuRanges.floats(dx, dxOffset, dxSize, "col2im dx");
        LayerChecks.disjoint(da, dxOffset, dxSize, "col2im dx", ca, colOffset, colSize, "col");
        int pixels = n * g.inH() * g.inW();
        int pixelGrain = Math.max(1, GRAIN / g.patch() * Math.max(1, g.strideH() * g.strideW()));
        Col2imInterior interior = new Col2imInterior(g);
        CpuParallel.forRange(0, pixels, pixelGrain, (chunk, from, to) ->
                col2imPixels(g, interior, ca, (int) colOffset, da, (int) dxOffset, from, to));
    }

    /**
     * Input pixels {@code [from, to)} (in {@code (i, y, x)} order) of {@code dx}, each gathered from col, one
     * stretch of an input image row at a time: the col positions of the taps that read the pixel are listed in
     * ascending {@code (ky, kx)} order (for the pixels of {@code interior}, every tap: the offset table from
     * the pixel's base entry; for the others, by {@link #listTaps}), then {@link #sumTaps} adds them per channel.
     */
    static void col2imPixels(ConvGeometry g, Col2imInterior interior, float[] col, int colOff, float[] dx,
                             int dxOff, int from, int to) {
        int inW = g.inW();
        int perImage = g.inH() * inW;
        int[] taps = new int[g.kH() * g.kW()];
        int p = from;
        while (p < to) {
            int y = p % perImage / inW;
            int rowStart = p - p % inW;
            int end = Math.min(to, rowStart + inW);
            int lo = end;
            int hi = end;
            if (y >= interior.yLo && y < interior.yHi) {
                lo = Math.min(end, Math.max(p, rowStart + interior.xLo));
                hi = Math.min(end, Math.max(lo, rowStart + interior.xHi));
            }
            for (; p < lo; p++) {
                col2imClipped(g, col, colOff, taps, dx, dxOff, p);
            }
            for (; p < hi; p++) {
                int row = (p / perImage * g.outH() + y + g.padH()) * g.outW() + p - rowStart + g.padW();
                int base = colOff + row * g.patch();
                sumTaps(g, col, base, interior.tapOffsets, taps.length, dx, dxOff + p * g.inC());
            }
            for (; p < end; p++) {
                col2imClipped(g, col, colOff, taps, dx, dxOff, p);
            }
        }
    }

    /** Input pixel {@code p}, which some taps may not read: its taps listed ({@code taps} is scratch), then summed. */
    private static void col2imClipped(ConvGeometry g, float[] col, int colOff, int[] taps, float[] dx, int dxOff,
                                      int p) {
        int count = listTaps(g, colOff, p, taps);
        sumTaps(g, col, 0, taps, count, dx, dxOff + p * g.inC());
    }

    /**
     * Writes into {@code taps} the col positions (channel 0) of the taps that read input pixel {@code p}, in
     * ascending {@code (ky, kx)} order, and returns their count. With stride 1 the tap test needs no integer
     * division.
     */
    private static int listTaps(ConvGeometry g, int colOff, int p, int[] taps) {
        int sH = g.strideH();
        int sW = g.strideW();
        int outH = g.outH();
        int outW = g.outW();
        int perImage = g.inH() * g.inW();
        int i = p / perImage;
        int pix = p - i * perImage;
        int y = pix / g.inW();
        int xx = pix - y * g.inW();
        int count = 0;
        for (int ky = 0; ky < g.kH(); ky++) {
            int ty = y + g.padH() - ky;
            int oy = sH == 1 ? ty : ty / sH;
            if (ty < 0 || sH != 1 && ty % sH != 0 || oy >= outH) {
                continue;
            }
            for (int kx = 0; kx < g.kW(); kx++) {
                int tx = xx + g.padW() - kx;
                int ox = sW == 1 ? tx : tx / sW;
                if (tx < 0 || sW != 1 && tx % sW != 0 || ox >= outW) {
                    continue;
                }
                taps[count++] = colOff + ((i * outH + oy) * outW + ox) * g.patch() + ky * g.kW() + kx;
            }
        }
        return count;
    }

    /**
     * {@code dx[dst + c] = sum over t < count of col[base + taps[t] + c kH kW]}, each channel accumulated in a
     * float from 0 in the order of {@code taps}. Channels go eight at a time with the taps outside, so eight
     * independent sums proceed together (5-10% faster than one channel at a time at the default CNN's second
     * convolution, single-threaded); each keeps its own order, so the bits are those of one channel at a time.
     */
    private static void sumTaps(ConvGeometry g, float[] col, int base, int[] taps, int count, float[] dx,
                                int dst) {
        int inC = g.inC();
        int kk = g.kH() * g.kW();
        int c = 0;
        for (; c + 8 <= inC; c += 8) {
            int ck = base + c * kk;
            float a0 = 0f;
            float a1 = 0f;
            float a2 = 0f;
            float a3 = 0f;
            float a4 = 0f;
            float a5 = 0f;
            float a6 = 0f;
            float a7 = 0f;
            for (int t = 0; t < count; t++) {
                int s = ck + taps[t];
                a0 += col[s];
                a1 += col[s + kk];
                a2 += col[s + 2 * kk];
                a3 += col[s + 3 * kk];
                a4 += col[s + 4 * kk];
                a5 += col[s + 5 * kk];
                a6 += col[s + 6 * kk];
                a7 += col[s + 7 * kk];
            }
            dx[dst + c] = a0;
            dx[dst + c + 1] = a1;
            dx[dst + c + 2] = a2;
            dx[dst + c + 3] = a3;
            dx[dst + c + 4] = a4;
            dx[dst + c + 5] = a5;
            dx[dst + c + 6] = a6;
            dx[dst + c + 7] = a7;
        }
        for (; c < inC; c++) {
            int ck = base + c * kk;
            float acc = 0f;
            for (int t = 0; t < count; t++) {
                acc += col[ck + taps[t]];
            }
            dx[dst + c] = acc;
        }
    }

    @Override
    public void toChannelsLast(int n, int c, int h, int w, FloatArray x, long xOffset, FloatArray y, long yOffset) {
        transposeImages("toChannelsLast", n, c, h, w, true, x, xOffset, y, yOffset);
    }

    @Override
    public void toChannelsFirst(int n, int c, int h, int w, FloatArray x, long xOffset, FloatArray y,
                                long yOffset) {
        transposeImages("toChannelsFirst", n, c, h, w, false, x, xOffset, y, yOffset);
    }

    /**
     * Each of the {@code n} images of {@code x} is a row-major {@code rows x cols} matrix; {@code y} receives its
     * transpose ({@code cols x rows}). Channels first to last is {@code rows = c, cols = h w}, back the reverse.
     */
    private static void transposeImages(String op, int n, int c, int h, int w, boolean toLast, FloatArray x,
                                        long xOffset, FloatArray y, long yOffset) {
        LayerChecks.imageShape(op, n, c, h, w);
        int hw = CpuRanges.elements(h, w, op + " h * w");
        int rows = toLast ? c : hw;
        int cols = toLast ? hw : c;
        int size = CpuRanges.elements(n, (long) rows * cols, op + " x");
        float[] xa = CpuRanges.floats(x, xOffset, size, op + " x");
        float[] ya = CpuRanges.floats(y, yOffset, size, op + " y");
        LayerChecks.disjoint(ya, yOffset, size, op + " y", xa, xOffset, size, "x");
        if (rows == 1 || cols == 1) {
            System.arraycopy(xa, (int) xOffset, ya, (int) yOffset, size);
            return;
        }
        int rowTiles = (rows + TILE - 1) / TILE;
        int units = CpuRanges.elements(n, rowTiles, op);
        int unitGrain = Math.max(1, GRAIN / (TILE * cols));
        CpuParallel.forRange(0, units, unitGrain, (chunk, from, to) ->
                transposeBands(rows, cols, rowTiles, xa, (int) xOffset, ya, (int) yOffset, from, to));
    }

    /** Bands {@code [from, to)}: band {@code u} is rows {@code [TILE (u % rowTiles), +TILE)} of image {@code u / rowTiles}. */
    static void transposeBands(int rows, int cols, int rowTiles, float[] x, int xOff, float[] y, int yOff, int from,
                               int to) {
        int size = rows * cols;
        for (int u = from; u < to; u++) {
            int i = u / rowTiles;
            int r0 = (u - i * rowTiles) * TILE;
            int r1 = Math.min(rows, r0 + TILE);
            int xi = xOff + i * size;
            int yi = yOff + i * size;
            for (int c0 = 0; c0 < cols; c0 += TILE) {
                int c1 = Math.min(cols, c0 + TILE);
                for (int c = c0; c < c1; c++) {
                    int dst = yi + c * rows;
                    for (int r = r0; r < r1; r++) {
                        y[dst + r] = x[xi + r * cols + c];
                    }
                }
            }
        }
    }
}
