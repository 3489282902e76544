package dev.anneal.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.NormOps;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuNorm} against batch normalisation written from its formulas in double (Ioffe and Szegedy 2015, as
 * PyTorch defines it): statistics, running-statistics update, evaluation, and the backward pass against central
 * differences, at 1d and channels-last 2d shapes.
 */
class CpuNormTest {
    /** {rows, channels}. */
    private static final int[][] SHAPES = {{2, 1}, {3, 5}, {128, 10}, {7 * 5 * 3, 7}, {257, 33},
        {16 * 14 * 14, 32}, {2000, 1}};

    private final CpuBackend cpu = new CpuBackend();
    private final NormOps norm = cpu.norm();
    private final Random random = new Random(14);

    private Mat mat(float[] values, int rows, int cols) {
        FloatArray b = cpu.allocate(values.length + 4);
        cpu.upload(values, 0, b, 2, values.length);
        return new Mat(b, 2, rows, cols);
    }

    private static float[] values(Mat m) {
        float[] out = new float[(int) m.size()];
        System.arraycopy(CpuBackend.f(m.data()), (int) m.offset(), out, 0, out.length);
        return out;
    }

    /** Channel columns with different means and scales. */
    private float[] input(int rows, int c) {
        float[] x = TestData.uniform(random, rows * c, 1f);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < c; j++) {
                x[r * c + j] = x[r * c + j] * (1 + j) + j - 2;
            }
        }
        return x;
    }

    @Test
    void trainingNormalisesWithBatchStatisticsAndMovesTheRunningOnes() {
        for (int[] s : SHAPES) {
            int rows = s[0];
            int c = s[1];
            float eps = 1e-5f;
            float momentum = 0.1f;
            float[] x = input(rows, c);
            float[] gamma = TestData.uniform(random, c, 2f);
            float[] beta = TestData.uniform(random, c, 1f);
            float[] run = TestData.uniform(random, 2 * c, 1f);
            for (int j = 0; j < c; j++) {
                run[c + j] = Math.abs(run[c + j]) + 0.5f;
            }
            float[] expY = new float[rows * c];
            float[] expRun = new float[2 * c];
            float[] expSaved = new float[2 * c];
            for (int j = 0; j < c; j++) {
                double mean = 0;
                for (int r = 0; r < rows; r++) {
                    mean += x[r * c + j];
                }
                mean /= rows;
                double var = 0;
                for (int r = 0; r < rows; r++) {
                    var += (x[r * c + j] - mean) * (x[r * c + j] - mean);
                }
                var /= rows;
                double invstd = 1 / Math.sqrt(var + eps);
                for (int r = 0; r < rows; r++) {
                    expY[r * c + j] = (float) ((x[r * c + j] - mean) * invstd * gamma[j] + beta[j]);
                }
                expSaved[j] = (float) mean;
                expSaved[c + j] = (float) invstd;
                expRun[j] = (float) (0.9 * run[j] + 0.1 * mean);
                expRun[c + j] = (float) (0.9 * run[c + j] + 0.1 * var * rows / (rows - 1));
            }
            Mat xm = mat(x, rows, c);
            Mat y = mat(new float[rows * c], rows, c);
            FloatArray running = cpu.allocate(2 * c);
            cpu.upload(run, 0, running, 0, 2 * c);
            FloatArray saved = cpu.allocate(2 * c + 1);
            norm.batchNormTraining(xm, mat(gamma, 1, c), mat(beta, 1, c), eps, momentum, running, 0, c, saved, 1,
                    y);
            String what = "batch norm " + rows + "x" + c;
            FloatParity.assertClose(what + " y", expY, 0, values(y), 0, rows * c, c, 2e-6, 2e-6);
            FloatParity.assertClose(what + " saved", expSaved, 0, CpuBackend.f(saved), 1, 2 * c, c, 1e-6, 1e-7);
            FloatParity.assertClose(what + " running", expRun, CpuBackend.f(running), 1e-6, 1e-7);
        }
    }

    @Test
    void evaluationUsesTheRunningStatisticsAndMayWorkInPlace() {
        int rows = 9;
        int c = 4;
        float eps = 1e-3f;
        float[] x = input(rows, c);
        float[] gamma = TestData.uniform(random, c, 2f);
        float[] beta = TestData.uniform(random, c, 1f);
        float[] run = {0.5f, -1f, 2f, 0f, 1.5f, 0.25f, 4f, 1e-4f};
        float[] expected = new float[rows * c];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < c; j++) {
                expected[r * c + j] = (float) ((x[r * c + j] - run[j]) / Math.sqrt(run[c + j] + (double) eps)
                        * gamma[j] + beta[j]);
            }
        }
        FloatArray running = cpu.allocate(2 * c);
        cpu.upload(run, 0, running, 0, 2 * c);
        Mat xm = mat(x, rows, c);
        norm.batchNormInference(xm, mat(gamma, 1, c), mat(beta, 1, c), eps, running, 0, c, xm);
        FloatParity.assertClose("batch norm eval in place", expected, 0, values(xm), 0, rows * c, c, 2e-6, 2e-6);
        assertEquals(run[0], CpuBackend.f(running)[0], "evaluation leaves the running statistics alone");
    }

    /** {@code L = sum r * bn(x)}: dx, dgamma and dbeta by central differences in double. */
    @Test
    void backwardMatchesFiniteDifferencesAndAccumulatesTheAffineGradients() {
        for (int[] s : new int[][] {{2, 1}, {3, 5}, {12, 7}, {40, 3}}) {
            int rows = s[0];
            int c = s[1];
            float eps = 1e-5f;
            double[] x = new double[rows * c];
            float[] xf = input(rows, c);
            for (int i = 0; i < x.length; i++) {
                x[i] = xf[i];
            }
            double[] gamma = new double[c];
            double[] beta = new double[c];
            float[] gf = TestData.uniform(random, c, 2f);
            float[] bf = TestData.uniform(random, c, 1f);
            for (int j = 0; j < c; j++) {
                gamma[j] = gf[j];
                beta[j] = bf[j];
            }
            float[] rf = TestData.uniform(random, rows * c, 1f);
            double[] dxNum = new double[x.length];
            double[] dgNum = new double[c];
            double[] dbNum = new double[c];
            double h = 1e-5;
            for (int i = 0; i < x.length; i++) {
                double keep = x[i];
                x[i] = keep + h;
                double lp = loss(x, gamma, beta, rf, rows, c, eps);
                x[i] = keep - h;
                double lm = loss(x, gamma, beta, rf, rows, c, eps);
                x[i] = keep;
                dxNum[i] = (lp - lm) / (2 * h);
            }
            for (int j = 0; j < c; j++) {
                double keep = gamma[j];
                gamma[j] = keep + h;
                double lp = loss(x, gamma, beta, rf, rows, c, eps);
                gamma[j] = keep - h;
                double lm = loss(x, gamma, beta, rf, rows, c, eps);
                gamma[j] = keep;
                dgNum[j] = (lp - lm) / (2 * h);
                keep = beta[j];
                beta[j] = keep + h;
                lp = loss(x, gamma, beta, rf, rows, c, eps);
                beta[j] = keep - h;
                lm = loss(x, gamma, beta, rf, rows, c, eps);
                beta[j] = keep;
                dbNum[j] = (lp - lm) / (2 * h);
            }
            Mat xm = mat(xf, rows, c);
            Mat gm = mat(gf, 1, c);
            FloatArray running = cpu.allocate(2 * c);
            FloatArray saved = cpu.allocate(2 * c);
            norm.batchNormTraining(xm, gm, mat(bf, 1, c), eps, 0.1f, running, 0, c, saved, 0,
                    mat(new float[rows * c], rows, c));
            Mat dy = mat(rf, rows, c);
            float[] prior = {0.25f};
            Mat dGamma = mat(filled(c, prior[0]), 1, c);
            Mat dBeta = mat(filled(c, -prior[0]), 1, c);
            norm.batchNormBackward(xm, dy, gm, saved, 0, dy, dGamma, dBeta);
            String what = "batch norm backward " + rows + "x" + c;
            FloatParity.assertClose(what + " dx (in place over dy)", toFloat(dxNum, 0), 0, values(dy), 0, x.length,
                    c, 1e-4, 1e-4);
            FloatParity.assertClose(what + " dgamma", toFloat(dgNum, prior[0]), values(dGamma), 1e-4, 1e-4);
            FloatParity.assertClose(what + " dbeta", toFloat(dbNum, -prior[0]), values(dBeta), 1e-4, 1e-4);
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static float[] toFloat(double[] d, float plus) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) (d[i] + plus);
        }
        return f;
    }

    private static double loss(double[] x, double[] gamma, double[] beta, float[] r, int rows, int c, double eps) {
        double l = 0;
        for (int j = 0; j < c; j++) {
            double mean = 0;
            for (int i = 0; i < rows; i++) {
                mean += x[i * c + j];
            }
            mean /= rows;
            double var = 0;
            for (int i = 0; i < rows; i++) {
                var += (x[i * c + j] - mean) * (x[i * c + j] - mean);
            }
            var /= rows;
            for (int i = 0; i < rows; i++) {
                l += r[i * c + j] * ((x[i * c + j] - mean) / Math.sqrt(var + eps) * gamma[j] + beta[j]);
            }
        }
        return l;
    }

    @Test
    void sumsFollowFixedRowBlocksWhateverTheThreads() {
        int rows = 5 * CpuNorm.BLOCK + 17;
        int c = 3;
        float[] x = input(rows, c);
        double[] mean = CpuNorm.columnMeans(x, 0, rows, c, null);
        for (int j = 0; j < c; j++) {
            double total = 0;
            for (int b = 0; b < rows; b += CpuNorm.BLOCK) {
                double block = 0;
                for (int r = b; r < Math.min(rows, b + CpuNorm.BLOCK); r++) {
                    block += x[r * c + j];
                }
                total += block;
            }
            assertEquals(Double.doubleToRawLongBits(total / rows), Double.doubleToRawLongBits(mean[j]));
        }
    }

    /** {rows, channels} for the bit-for-bit comparison: partial blocks, fewer rows than a block, odd channels. */
    private static final int[][] AWKWARD = {{2, 1}, {5, 3}, {255, 33}, {257, 1}, {259, 3}, {513, 64}, {1030, 33},
        {300, 64}, {4 * 256 + 3, 32}};

    /** Values over many orders of magnitude, so that any change of summation order changes the bits. */
    private float[] wide(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * Math.exp(random.nextGaussian() * 6));
        }
        return v;
    }

    @Test
    void trainingAndBackwardMatchTheFirstImplementationBitForBit() {
        for (int[] s : AWKWARD) {
            for (int special = 0; special < 2; special++) {
                int rows = s[0];
                int c = s[1];
                float[] x = wide(rows * c);
                float[] dyv = wide(rows * c);
                if (special == 1) {
                    x[random.nextInt(x.length)] = Float.NaN;
                    x[random.nextInt(x.length)] = Float.POSITIVE_INFINITY;
                    dyv[random.nextInt(dyv.length)] = Float.NEGATIVE_INFINITY;
                    dyv[random.nextInt(dyv.length)] = -0f;
                }
                float[] gamma = TestData.uniform(random, c, 2f);
                float[] beta = TestData.uniform(random, c, 1f);
                float[] run = TestData.uniform(random, 2 * c, 1f);
                float[] expY = new float[rows * c];
                float[] expRun = run.clone();
                float[] expSaved = new float[2 * c];
                Reference.training(x, rows, c, gamma, beta, 1e-5f, 0.1f, expRun, expSaved, expY);
                float[] expDx = new float[rows * c];
                float[] expDGamma = new float[c];
                float[] expDBeta = new float[c];
                Reference.backward(x, dyv, rows, c, gamma, expSaved, expDx, expDGamma, expDBeta);

                Mat xm = mat(x, rows, c);
                Mat gm = mat(gamma, 1, c);
                Mat y = mat(new float[rows * c], rows, c);
                FloatArray running = cpu.allocate(2 * c);
                cpu.upload(run, 0, running, 0, 2 * c);
                FloatArray saved = cpu.allocate(2 * c + 1);
                norm.batchNormTraining(xm, gm, mat(beta, 1, c), 1e-5f, 0.1f, running, 0, c, saved, 1, y);
                Mat dx = mat(new float[rows * c], rows, c);
                Mat dGamma = mat(new float[c], 1, c);
                Mat dBeta = mat(new float[c], 1, c);
                norm.batchNormBackward(xm, mat(dyv, rows, c), gm, saved, 1, dx, dGamma, dBeta);

                String at = rows + "x" + c + (special == 1 ? " with NaN/inf" : "");
                assertBits(expY, values(y), "y " + at);
                float[] gotRun = new float[2 * c];
                cpu.download(running, 0, gotRun, 0, 2 * c);
                assertBits(expRun, gotRun, "running " + at);
                float[] gotSaved = new float[2 * c];
                cpu.download(saved, 1, gotSaved, 0, 2 * c);
                assertBits(expSaved, gotSaved, "saved " + at);
                assertBits(expDx, values(dx), "dx " + at);
                assertBits(expDGamma, values(dGamma), "dGamma " + at);
                assertBits(expDBeta, values(dBeta), "dBeta " + at);
            }
        }
    }

    /**
     * Same bits, -0 included; a NaN only has to meet a NaN, as Java leaves a NaN's sign and payload open (the JIT
     * may swap the operands of a commutative operation, and x86 returns the first operand's NaN).
     */
    private static void assertBits(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]), what + " at " + i);
        }
    }

    /** The first implementation's loops, on one thread (the row blocks, not the threads, fix the order). */
    private static final class Reference {
        static void training(float[] x, int rows, int c, float[] gamma, float[] beta, float eps, float momentum,
                             float[] run, float[] saved, float[] y) {
            double[] mean = columnMeans(x, rows, c, null);
            double[] var = columnMeans(x, rows, c, mean);
            for (int j = 0; j < c; j++) {
                saved[j] = (float) mean[j];
                saved[c + j] = (float) (1.0 / Math.sqrt(var[j] + eps));
            }
            double m = momentum;
            for (int j = 0; j < c; j++) {
                run[j] = (float) ((1 - m) * run[j] + m * mean[j]);
                run[c + j] = (float) ((1 - m) * run[c + j] + m * (var[j] * rows / (rows - 1)));
            }
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < c; j++) {
                    y[r * c + j] = (x[r * c + j] - saved[j]) * saved[c + j] * gamma[j] + beta[j];
                }
            }
        }

        static double[] columnMeans(float[] x, int rows, int c, double[] center) {
            int blocks = (rows + CpuNorm.BLOCK - 1) / CpuNorm.BLOCK;
            double[] sum = new double[c];
            for (int b = 0; b < blocks; b++) {
                double[] acc = new double[c];
                for (int r = b * CpuNorm.BLOCK; r < Math.min(rows, (b + 1) * CpuNorm.BLOCK); r++) {
                    for (int j = 0; j < c; j++) {
                        double d = center == null ? x[r * c + j] : x[r * c + j] - center[j];
                        acc[j] += center == null ? d : d * d;
                    }
                }
                for (int j = 0; j < c; j++) {
                    sum[j] += acc[j];
                }
            }
            for (int j = 0; j < c; j++) {
                sum[j] /= rows;
            }
            return sum;
        }

        static void backward(float[] x, float[] dy, int rows, int c, float[] gamma, float[] saved, float[] dx,
                             float[] dGamma, float[] dBeta) {
            int blocks = (rows + CpuNorm.BLOCK - 1) / CpuNorm.BLOCK;
            double[] sumDy = new double[c];
            double[] sumDyXhat = new double[c];
            for (int b = 0; b < blocks; b++) {
                double[] a = new double[c];
                double[] p = new double[c];
                for (int r = b * CpuNorm.BLOCK; r < Math.min(rows, (b + 1) * CpuNorm.BLOCK); r++) {
                    for (int j = 0; j < c; j++) {
                        double g = dy[r * c + j];
                        double xhat = (x[r * c + j] - (double) saved[j]) * (double) saved[c + j];
                        a[j] += g;
                        p[j] += g * xhat;
                    }
                }
                for (int j = 0; j < c; j++) {
                    sumDy[j] += a[j];
                    sumDyXhat[j] += p[j];
                }
            }
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < c; j++) {
                    double k = (double) gamma[j] * saved[c + j] / rows;
                    double xhat = (x[r * c + j] - (double) saved[j]) * (double) saved[c + j];
                    dx[r * c + j] = (float) (k * ((double) rows * dy[r * c + j] - sumDy[j] - xhat * sumDyXhat[j]));
                }
            }
            for (int j = 0; j < c; j++) {
                dGamma[j] += (float) sumDyXhat[j];
                dBeta[j] += (float) sumDy[j];
            }
        }
    }

    @Test
    void trainingRefusesOneValuePerChannelAndBadArguments() {
        FloatArray running = cpu.allocate(6);
        FloatArray saved = cpu.allocate(6);
        Mat one = mat(new float[3], 1, 3);
        Mat g = mat(new float[3], 1, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> norm.batchNormTraining(one, g, g, 1e-5f, 0.1f, running, 0, 3, saved, 0, mat(new float[3], 1, 3)));
        assertTrue(e.getMessage().contains("at least 2 values per channel"), e.getMessage());
        Mat x = mat(new float[6], 2, 3);
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
                () -> norm.batchNormTraining(x, g, g, 1e-5f, 0.1f, running, 0, 2, saved, 0, mat(new float[6], 2, 3)));
        assertTrue(overlap.getMessage().contains("running mean"), overlap.getMessage());
        IllegalArgumentException affine = assertThrows(IllegalArgumentException.class,
                () -> norm.batchNormInference(x, mat(new float[2], 1, 2), g, 1e-5f, running, 0, 3, x));
        assertTrue(affine.getMessage().contains("gamma and beta need 3"), affine.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> norm.batchNormInference(x, g, g, -1f, running, 0, 3, x));
    }
}
