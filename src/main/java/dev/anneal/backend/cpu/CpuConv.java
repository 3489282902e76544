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
 *   <li>{@code im2col}: one row per output pixel; for each {@code (ky, kx)} the pixel's {@code inC} channels are
 *       read contiguously and written with stride {@code kH kW} inside the row (a row of {@code patch} floats
 *       stays in L1), padding rows and columns are written as 0;</li>
 *   <li>{@code col2im}: a gather per input pixel, {@code dx[y, x, :] = sum over (ky, kx) ascending} of the patch
 *       entries that read it ({@code oy = (y + padH - ky) / strideH} when that divides exactly and is in range,
 *       likewise {@code ox}), accumulated per channel in a float register from 0, so no two threads write one
 *       element and the order is fixed;</li>
 *   <li>layout changes: a transpose per image between {@code [c, h w]} and {@code [h w, c]}, in square tiles of
 *       {@link #TILE} so that both sides stream through the cache.</li>
 * </ul>
 * Rows (output pixels, input pixels, tiles of images) are split over {@link CpuParallel}; each output element
 * is computed by one thread in one way, so the bits do not depend on the thread count.
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
     * Rows {@code [from, to)} of {@code col} (output pixels {@code (i, oy, ox)} in order): per tap, the pixel's
     * channels are read contiguously and written {@code kH kW} apart (this order measured faster than writing
     * the row in order and reading the channels apart).
     */
    static void im2colRows(ConvGeometry g, float[] x, int xOff, float[] col, int colOff, int from, int to) {
        if (from >= to) {
            return;
        }
        int inC = g.inC();
        int inH = g.inH();
        int inW = g.inW();
        int kH = g.kH();
        int kW = g.kW();
        int kk = kH * kW;
        int patch = g.patch();
        int outH = g.outH();
        int outW = g.outW();
        int perImage = outH * outW;
        int i = from / perImage;
        int oy = from % perImage / outW;
        int ox = from % outW;
        for (int r = from; r < to; r++) {
            int row = colOff + r * patch;
            int image = xOff + i * inH * inW * inC;
            int y0 = oy * g.strideH() - g.padH();
            int x0 = ox * g.strideW() - g.padW();
            for (int ky = 0; ky < kH; ky++) {
                int iy = y0 + ky;
                boolean rowInside = iy >= 0 && iy < inH;
                for (int kx = 0; kx < kW; kx++) {
                    int ix = x0 + kx;
                    int dst = row + ky * kW + kx;
                    if (!rowInside || ix < 0 || ix >= inW) {
                        for (int c = 0; c < inC; c++) {
                            col[dst + c * kk] = 0f;
                        }
                    } else if (inC == 1) {
                        col[dst] = x[image + iy * inW + ix];
                    } else {
                        int src = image + (iy * inW + ix) * inC;
                        for (int c = 0; c < inC; c++) {
                            col[dst + c * kk] = x[src + c];
                        }
                    }
                }
            }
            if (++ox == outW) {
                ox = 0;
                if (++oy == outH) {
                    oy = 0;
                    i++;
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
        CpuParallel.forRange(0, pixels, pixelGrain, (chunk, from, to) ->
                col2imPixels(g, ca, (int) colOffset, da, (int) dxOffset, from, to));
    }

    /**
     * Input pixels {@code [from, to)} (in {@code (i, y, x)} order) of {@code dx}, each gathered from col: the
     * col positions of the taps that read the pixel are listed once in ascending {@code (ky, kx)} order, then
     * each channel is summed over them in a register from 0. With stride 1 the tap test needs no integer
     * division (two per tap otherwise: about a fifth of the op's time at the default CNN's second convolution).
     */
    static void col2imPixels(ConvGeometry g, float[] col, int colOff, float[] dx, int dxOff, int from, int to) {
        int inC = g.inC();
        int inH = g.inH();
        int inW = g.inW();
        int kH = g.kH();
        int kW = g.kW();
        int kk = kH * kW;
        int sH = g.strideH();
        int sW = g.strideW();
        int patch = g.patch();
        int outH = g.outH();
        int outW = g.outW();
        int perImage = inH * inW;
        int[] src = new int[kk];
        for (int p = from; p < to; p++) {
            int i = p / perImage;
            int pix = p - i * perImage;
            int y = pix / inW;
            int xx = pix - y * inW;
            int taps = 0;
            for (int ky = 0; ky < kH; ky++) {
                int ty = y + g.padH() - ky;
                int oy = sH == 1 ? ty : ty / sH;
                if (ty < 0 || sH != 1 && ty % sH != 0 || oy >= outH) {
                    continue;
                }
                for (int kx = 0; kx < kW; kx++) {
                    int tx = xx + g.padW() - kx;
                    int ox = sW == 1 ? tx : tx / sW;
                    if (tx < 0 || sW != 1 && tx % sW != 0 || ox >= outW) {
                        continue;
                    }
                    src[taps++] = colOff + ((i * outH + oy) * outW + ox) * patch + ky * kW + kx;
                }
            }
            int dst = dxOff + p * inC;
            for (int c = 0; c < inC; c++) {
                float acc = 0f;
                int ck = c * kk;
                for (int t = 0; t < taps; t++) {
                    acc += col[src[t] + ck];
                }
                dx[dst + c] = acc;
            }
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
