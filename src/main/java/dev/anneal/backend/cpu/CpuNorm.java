package dev.anneal.backend.cpu;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.LayerChecks;
import dev.anneal.backend.Mat;
import dev.anneal.backend.NormOps;

/**
 * Batch normalisation over the rows of a {@code R x C} matrix, the CPU twin of {@code cuda-kernels/norm.cu};
 * formulas in {@link NormOps} (Ioffe and Szegedy 2015, PyTorch's {@code BatchNorm1d/2d}).
 *
 * <p>Order of the sums: the rows are cut into blocks of {@link #BLOCK}; per block and channel the values are
 * summed in double down the rows in order (from 0), then the block sums are added in block order. The variance
 * takes a second pass over {@code (x - mean)^2} with the double mean. Blocks, not threads, fix the order, so the
 * bits do not depend on the thread count. The batch mean and {@code invstd = 1 / sqrt(var + eps)} are rounded
 * to float (they are what {@code saved} keeps), and {@code y = ((x - mean) * invstd) * gamma + beta} is
 * evaluated in float from them; the running statistics are updated in double from the double statistics and
 * rounded once. The backward pass takes {@code xhat = (x - mean) * invstd} in double from the saved floats, its
 * two sums in the same block order, and {@code dx} in double, rounded once.
 */
final class CpuNorm implements NormOps {
    /** Rows per block of the fixed summation order. */
    static final int BLOCK = 256;
    /** Floats per chunk below which a pass stays on the calling thread. */
    static final int GRAIN = 1 << 16;
    /**
     * Values per tile of whole rows in the elementwise passes (normalisation, input gradient), which run over a
     * tile at a time against per-channel constants repeated once per row of the tile; 256 timed best of 256, 512
     * and 1024 on the CNN's 32 and 64 channels.
     */
    static final int TILE = 256;

    @Override
    public void batchNormTraining(Mat x, Mat gamma, Mat beta, float eps, float momentum, FloatArray running,
                                  long meanOffset, long varOffset, FloatArray saved, long savedOffset, Mat y) {
        int rows = x.rows();
        int c = x.cols();
        LayerChecks.batchNormTraining(x, gamma, beta, eps, momentum, y);
        float[] ra = CpuRanges.floats(running, meanOffset, c, "batchNormTraining running mean");
        CpuRanges.floats(running, varOffset, c, "batchNormTraining running var");
        float[] sa = CpuRanges.floats(saved, savedOffset, 2L * c, "batchNormTraining saved");
        LayerChecks.batchNormTrainingOverlaps(x, gamma, beta, running, meanOffset, varOffset, saved, savedOffset, y);
        float[] ya = CpuBackend.f(y.data());
        float[] xa = CpuBackend.f(x.data());
        int xo = (int) x.offset();
        double[] mean = columnMeans(xa, xo, rows, c, null);
        double[] var = columnMeans(xa, xo, rows, c, mean);
        int so = (int) savedOffset;
        for (int j = 0; j < c; j++) {
            sa[so + j] = (float) mean[j];
            sa[so + c + j] = (float) (1.0 / Math.sqrt(var[j] + eps));
        }
        double m = momentum;
        for (int j = 0; j < c; j++) {
            int mi = (int) meanOffset + j;
            int vi = (int) varOffset + j;
            ra[mi] = (float) ((1 - m) * ra[mi] + m * mean[j]);
            ra[vi] = (float) ((1 - m) * ra[vi] + m * (var[j] * rows / (rows - 1)));
        }
        float[] meanF = new float[c];
        float[] invstdF = new float[c];
        System.arraycopy(sa, so, meanF, 0, c);
        System.arraycopy(sa, so + c, invstdF, 0, c);
        normalize(xa, xo, rows, c, meanF, invstdF, CpuBackend.f(gamma.data()), (int) gamma.offset(),
                CpuBackend.f(beta.data()), (int) beta.offset(), ya, (int) y.offset());
    }

    @Override
    public void batchNormInference(Mat x, Mat gamma, Mat beta, float eps, FloatArray running, long meanOffset,
                                   long varOffset, Mat y) {
        int c = x.cols();
        LayerChecks.batchNormInference(x, gamma, beta, eps, y);
        float[] ra = CpuRanges.floats(running, meanOffset, c, "batchNormInference running mean");
        CpuRanges.floats(running, varOffset, c, "batchNormInference running var");
        LayerChecks.batchNormInferenceOverlaps(running, meanOffset, varOffset, y);
        float[] ya = CpuBackend.f(y.data());
        float[] mean = new float[c];
        float[] invstd = new float[c];
        for (int j = 0; j < c; j++) {
            mean[j] = ra[(int) meanOffset + j];
            invstd[j] = (float) (1.0 / Math.sqrt((double) ra[(int) varOffset + j] + eps));
        }
        normalize(CpuBackend.f(x.data()), (int) x.offset(), x.rows(), c, mean, invstd, CpuBackend.f(gamma.data()),
                (int) gamma.offset(), CpuBackend.f(beta.data()), (int) beta.offset(), ya, (int) y.offset());
    }

    @Override
    public void batchNormBackward(Mat x, Mat dy, Mat gamma, FloatArray saved, long savedOffset, Mat dx, Mat dGamma,
                                  Mat dBeta) {
        int rows = x.rows();
        int c = x.cols();
        LayerChecks.batchNormBackward(x, dy, gamma, dx, dGamma, dBeta);
        float[] sa = CpuRanges.floats(saved, savedOffset, 2L * c, "batchNormBackward saved");
        LayerChecks.batchNormBackwardOverlaps(saved, savedOffset, dx);
        float[] dxa = CpuBackend.f(dx.data());
        int so = (int) savedOffset;
        float[] xa = CpuBackend.f(x.data());
        float[] dya = CpuBackend.f(dy.data());
        int xo = (int) x.offset();
        int dyo = (int) dy.offset();
        int blocks = (rows + BLOCK - 1) / BLOCK;
        double[] partial = new double[2 * blocks * c];
        double[] mean = new double[c];
        double[] invstd = new double[c];
        for (int j = 0; j < c; j++) {
            mean[j] = sa[so + j];
            invstd[j] = sa[so + c + j];
        }
        CpuParallel.forRange(0, blocks, blockGrain(c), (chunk, from, to) -> {
            // each block's sums in arrays of their own, copied out when the block is done: the same additions in the
            // same order, but two accumulator arrays that cannot alias each other or the inputs, which lets the JIT
            // keep the loop tight (three times faster than accumulating into the shared partial array)
            double[] sumDy = new double[c];
            double[] sumDyXhat = new double[c];
            for (int b = from; b < to; b++) {
                java.util.Arrays.fill(sumDy, 0.0);
                java.util.Arrays.fill(sumDyXhat, 0.0);
                int r1 = Math.min(rows, (b + 1) * BLOCK);
                for (int r = b * BLOCK; r < r1; r++) {
                    int xr = xo + r * c;
                    int dr = dyo + r * c;
                    for (int j = 0; j < c; j++) {
                        double g = dya[dr + j];
                        double xhat = (xa[xr + j] - mean[j]) * invstd[j];
                        sumDy[j] += g;
                        sumDyXhat[j] += g * xhat;
                    }
                }
                System.arraycopy(sumDy, 0, partial, 2 * b * c, c);
                System.arraycopy(sumDyXhat, 0, partial, 2 * b * c + c, c);
            }
        });
        double[] sumDy = new double[c];
        double[] sumDyXhat = new double[c];
        for (int b = 0; b < blocks; b++) {
            for (int j = 0; j < c; j++) {
                sumDy[j] += partial[2 * b * c + j];
                sumDyXhat[j] += partial[2 * b * c + c + j];
            }
        }
        float[] ga = CpuBackend.f(gamma.data());
        int go = (int) gamma.offset();
        double[] k = new double[c];
        for (int j = 0; j < c; j++) {
            k[j] = (double) ga[go + j] * sa[so + c + j] / rows;
        }
        int dxo = (int) dx.offset();
        CpuParallel.forRange(0, rows, Math.max(1, GRAIN / c), (chunk, from, to) -> {
            new InputGradient(rows, mean, invstd, k, sumDy, sumDyXhat).rows(xa, xo, dya, dyo, dxa, dxo, from, to);
        });
        float[] dga = CpuBackend.f(dGamma.data());
        float[] dba = CpuBackend.f(dBeta.data());
        int dgo = (int) dGamma.offset();
        int dbo = (int) dBeta.offset();
        for (int j = 0; j < c; j++) {
            dga[dgo + j] += (float) sumDyXhat[j];
            dba[dbo + j] += (float) sumDy[j];
        }
    }

    /**
     * Per column, {@code sum x / R} ({@code center == null}) or {@code sum (x - center)^2 / R}, in double, in the
     * block order of the class comment.
     */
    static double[] columnMeans(float[] x, int xOff, int rows, int c, double[] center) {
        int blocks = (rows + BLOCK - 1) / BLOCK;
        double[] partial = new double[blocks * c];
        CpuParallel.forRange(0, blocks, blockGrain(c), (chunk, from, to) -> {
            double[] acc = new double[c];
            for (int b = from; b < to; b++) {
                java.util.Arrays.fill(acc, 0.0);
                int r1 = Math.min(rows, (b + 1) * BLOCK);
                for (int r = b * BLOCK; r < r1; r++) {
                    int xr = xOff + r * c;
                    if (center == null) {
                        for (int j = 0; j < c; j++) {
                            acc[j] += x[xr + j];
                        }
                    } else {
                        for (int j = 0; j < c; j++) {
                            double d = x[xr + j] - center[j];
                            acc[j] += d * d;
                        }
                    }
                }
                System.arraycopy(acc, 0, partial, b * c, c);
            }
        });
        double[] sum = new double[c];
        for (int b = 0; b < blocks; b++) {
            for (int j = 0; j < c; j++) {
                sum[j] += partial[b * c + j];
            }
        }
        for (int j = 0; j < c; j++) {
            sum[j] /= rows;
        }
        return sum;
    }

    /**
     * {@code y = ((x - mean) * invstd) * gamma + beta} in float, rows split over the threads. The rows go in tiles
     * of {@link #tileRows} whole rows, contiguous in x and y: a tile is copied into a scratch array, computed into
     * another against the per-channel constants repeated once per row of the tile, and copied out. Every array of
     * the inner loop is then addressed at the same index over a loop long enough for the JIT to vectorise (3.5
     * times faster than the loop over one row at the rows' own offsets); the float operations are the same, so are
     * the bits.
     */
    private static void normalize(float[] x, int xo, int rows, int c, float[] mean, float[] invstd, float[] gamma,
                                  int go, float[] beta, int bo, float[] y, int yo) {
        int tileRows = tileRows(c);
        float[] m = repeat(mean, 0, c, tileRows);
        float[] s = repeat(invstd, 0, c, tileRows);
        float[] g = repeat(gamma, go, c, tileRows);
        float[] b = repeat(beta, bo, c, tileRows);
        CpuParallel.forRange(0, rows, Math.max(1, GRAIN / Math.max(1, c)), (chunk, from, to) -> {
            float[] in = new float[tileRows * c];
            float[] out = new float[tileRows * c];
            for (int r = from; r < to; r += tileRows) {
                int n = Math.min(tileRows, to - r) * c;
                System.arraycopy(x, xo + r * c, in, 0, n);
                for (int i = 0; i < n; i++) {
                    out[i] = (in[i] - m[i]) * s[i] * g[i] + b[i];
                }
                System.arraycopy(out, 0, y, yo + r * c, n);
            }
        });
    }

    /** Whole rows of {@code c} values per tile of about {@link #TILE} values, at least one. */
    static int tileRows(int c) {
        return Math.max(1, TILE / Math.max(1, c));
    }

    /** {@code v[off, off + c)} repeated {@code times} times from offset 0. */
    private static float[] repeat(float[] v, int off, int c, int times) {
        float[] out = new float[c * times];
        for (int t = 0; t < times; t++) {
            System.arraycopy(v, off, out, t * c, c);
        }
        return out;
    }

    private static int blockGrain(int c) {
        return Math.max(1, GRAIN / (BLOCK * Math.max(1, c)));
    }
}
