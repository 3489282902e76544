package dev.anneal.backend.cpu;

/**
 * One thread's rows of batch norm's input gradient, {@code dx = k * (R * dy - sumDy - xhat * sumDyXhat)} with
 * {@code xhat = (x - mean) * invstd}, in double per channel, rounded to float once (see {@link CpuNorm}).
 *
 * <p>The rows go in tiles of whole rows, about {@link CpuNorm#TILE} values, contiguous in x, dy and dx: the tile
 * of x and of dy converted to double into scratch arrays at offset 0, the formula in double against the
 * per-channel constants repeated once per row of the tile (so that every array of that loop is addressed at the
 * same index, over a loop long enough for the JIT to vectorise), and the result rounded to float into dx. The
 * operations per element are those of one fused loop over a row, so are the bits; the fused loop, converting
 * floats and mixing offsets over only C channels, runs scalar and 1.8 times slower.
 */
final class InputGradient {
    private final int c;
    private final int tileRows;
    private final double rows;
    private final double[] mean;
    private final double[] invstd;
    private final double[] k;
    private final double[] sumDy;
    private final double[] sumDyXhat;
    private final double[] x;
    private final double[] dy;
    private final double[] dx;

    /** Per-channel constants, all of length {@code C}: {@code k = gamma * invstd / R} and the two sums. */
    InputGradient(int rows, double[] mean, double[] invstd, double[] k, double[] sumDy, double[] sumDyXhat) {
        this.c = mean.length;
        this.tileRows = CpuNorm.tileRows(c);
        this.rows = rows;
        this.mean = repeat(mean, tileRows);
        this.invstd = repeat(invstd, tileRows);
        this.k = repeat(k, tileRows);
        this.sumDy = repeat(sumDy, tileRows);
        this.sumDyXhat = repeat(sumDyXhat, tileRows);
        this.x = new double[tileRows * c];
        this.dy = new double[tileRows * c];
        this.dx = new double[tileRows * c];
    }

    /** Writes rows {@code [from, to)} of dx at {@code dxo} from x and dy at {@code xo} and {@code dyo}. */
    void rows(float[] xa, int xo, float[] dya, int dyo, float[] dxa, int dxo, int from, int to) {
        for (int r = from; r < to; r += tileRows) {
            int n = Math.min(tileRows, to - r) * c;
            tile(xa, xo + r * c, dya, dyo + r * c, dxa, dxo + r * c, n);
        }
    }

    private void tile(float[] xa, int xt, float[] dya, int dyt, float[] dxa, int dxt, int n) {
        for (int i = 0; i < n; i++) {
            x[i] = xa[xt + i];
        }
        for (int i = 0; i < n; i++) {
            dy[i] = dya[dyt + i];
        }
        for (int i = 0; i < n; i++) {
            dx[i] = k[i] * (rows * dy[i] - sumDy[i] - ((x[i] - mean[i]) * invstd[i]) * sumDyXhat[i]);
        }
        for (int i = 0; i < n; i++) {
            dxa[dxt + i] = (float) dx[i];
        }
    }

    private static double[] repeat(double[] v, int times) {
        double[] out = new double[v.length * times];
        for (int t = 0; t < times; t++) {
            System.arraycopy(v, 0, out, t * v.length, v.length);
        }
        return out;
    }
}
