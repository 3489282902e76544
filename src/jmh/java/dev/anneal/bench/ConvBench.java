package dev.anneal.bench;

import dev.anneal.backend.ConvGeometry;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.cpu.CpuBackend;
import dev.anneal.backend.cpu.CpuParallel;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The default CNN's two convolutions at batch 128 (channels last; {@code conv1}: 28x28x1 -> 32, {@code conv2}:
 * 14x14x32 -> 64, both 3x3, padding 1), each pass by two implementations:
 * <ul>
 *   <li>{@code im2col}: the CPU backend's path (Chellapilla et al. 2006): forward {@code im2col} then
 *       {@code Y = col W^T} (SGEMM NT, m = n*outH*outW, n = outC, k = inC*9), weight gradient
 *       {@code dW = dY^T col} (SGEMM TN on the col kept from the forward pass, as a layer keeps it), input
 *       gradient {@code dcol = dY W} (SGEMM NN) then {@code col2im}; {@link #im2colOnly} and {@link #col2imOnly}
 *       time the data movement alone;</li>
 *   <li>{@code direct}: a direct convolution loop written for this benchmark, the alternative: the weight
 *       re-laid out as {@code [ky, kx, c, o]} so that each input tap adds {@code x * w[tap, 0..outC)} to an
 *       output pixel's contiguous {@code outC} channels (a loop C2 vectorizes); the weight gradient the
 *       transposed outer products per thread, summed; the input gradient a gather per input pixel with the
 *       weight as {@code [ky, kx, o, c]}. Output pixels (input pixels for the input gradient) are split over
 *       the backend's threads.</li>
 * </ul>
 * Every pass is {@code 2 n outH outW outC inC kH kW} FLOPs (58 MFLOP for conv1, 925 MFLOP for conv2); GFLOP/s =
 * that / time.
 *
 * <p>How to run (the numbers of docs/cpu-conv-choice.md):
 * <pre>
 * scripts/bench.sh ConvBench -f 1 -wi 3 -i 5 -w 1s -r 1s -rf json -rff conv.json
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ConvBench {
    @Param({"conv1", "conv2"})
    public String layer;

    @Param({"im2col", "direct"})
    public String impl;

    private static final int BATCH = 128;

    private final CpuBackend cpu = new CpuBackend();
    private ConvGeometry g;
    private int rows;
    private FloatArray x;
    private FloatArray col;
    private FloatArray dcol;
    private FloatArray dx;
    private Mat w;
    private Mat y;
    private Mat dy;
    private Mat dw;
    private float[] xa;
    private float[] wTap;
    private float[] wTapT;
    private float[] ya;
    private float[] dya;
    private float[] dwTap;
    private float[] dxa;

    @Setup(Level.Trial)
    public void setup() {
        g = layer.equals("conv1") ? new ConvGeometry(1, 28, 28, 32, 3, 3, 1, 1, 1, 1)
                : new ConvGeometry(32, 14, 14, 64, 3, 3, 1, 1, 1, 1);
        rows = BATCH * g.outH() * g.outW();
        Random random = new Random(7);
        x = randoms(random, BATCH * g.inSize());
        col = cpu.allocate((long) rows * g.patch());
        dcol = cpu.allocate((long) rows * g.patch());
        dx = cpu.allocate(BATCH * g.inSize());
        w = new Mat(randoms(random, (long) g.outC() * g.patch()), 0, g.outC(), g.patch());
        y = new Mat(cpu.allocate((long) rows * g.outC()), 0, rows, g.outC());
        dy = new Mat(randoms(random, (long) rows * g.outC()), 0, rows, g.outC());
        dw = new Mat(cpu.allocate((long) g.outC() * g.patch()), 0, g.outC(), g.patch());
        cpu.conv().im2col(g, BATCH, x, 0, col, 0);
        xa = array(x);
        ya = array(y.data());
        dya = array(dy.data());
        dxa = array(dx);
        float[] wa = array(w.data());
        int taps = g.kH() * g.kW();
        wTap = new float[g.outC() * g.patch()];
        wTapT = new float[g.outC() * g.patch()];
        for (int o = 0; o < g.outC(); o++) {
            for (int c = 0; c < g.inC(); c++) {
                for (int t = 0; t < taps; t++) {
                    float v = wa[o * g.patch() + c * taps + t];
                    wTap[(t * g.inC() + c) * g.outC() + o] = v;
                    wTapT[(t * g.outC() + o) * g.inC() + c] = v;
                }
            }
        }
        dwTap = new float[g.outC() * g.patch()];
        checkDirectAgainstIm2col(taps);
        System.out.println("\n# " + layer + " " + impl + ": " + (2.0 * rows * g.patch() * g.outC() / 1e6)
                + " MFLOP a pass, " + CpuParallel.threads() + " threads");
    }

    /** Both implementations must compute the same convolution: the largest differences are printed. */
    private void checkDirectAgainstIm2col(int taps) {
        cpu.gemm(false, true, 1f, new Mat(col, 0, rows, g.patch()), w, 0f, y);
        float[] yRef = ya.clone();
        directForward(0, rows);
        cpu.gemm(true, false, 1f, dy, new Mat(col, 0, rows, g.patch()), 0f, dw);
        float[] dwRef = array(dw.data());
        float[] dwDirect = directWeightGradient(0, rows);
        double dwDiff = 0;
        for (int o = 0; o < g.outC(); o++) {
            for (int c = 0; c < g.inC(); c++) {
                for (int t = 0; t < taps; t++) {
                    dwDiff = Math.max(dwDiff, Math.abs(dwRef[o * g.patch() + c * taps + t]
                            - dwDirect[(t * g.inC() + c) * g.outC() + o]));
                }
            }
        }
        cpu.gemm(false, false, 1f, dy, w, 0f, new Mat(dcol, 0, rows, g.patch()));
        cpu.conv().col2im(g, BATCH, dcol, 0, dx, 0);
        float[] dxRef = dxa.clone();
        directInputGradient(0, BATCH * g.inH() * g.inW());
        System.out.println("\n# direct vs im2col, largest differences: y " + maxDiff(yRef, ya) + ", dW " + dwDiff
                + ", dx " + maxDiff(dxRef, dxa));
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private FloatArray randoms(Random random, long n) {
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextFloat() * 2 - 1;
        }
        FloatArray b = cpu.allocate(n);
        cpu.upload(v, 0, b, 0, v.length);
        return b;
    }

    private static float[] array(FloatArray b) {
        return ((dev.anneal.backend.cpu.CpuFloats) b).array();
    }

    @Benchmark
    public float[] forward() {
        if (impl.equals("im2col")) {
            cpu.conv().im2col(g, BATCH, x, 0, col, 0);
            cpu.gemm(false, true, 1f, new Mat(col, 0, rows, g.patch()), w, 0f, y);
        } else {
            CpuParallel.forRange(0, rows, 64, (chunk, from, to) -> directForward(from, to));
        }
        return ya;
    }

    @Benchmark
    public float[] weightGradient() {
        if (impl.equals("im2col")) {
            cpu.gemm(true, false, 1f, dy, new Mat(col, 0, rows, g.patch()), 0f, dw);
            return array(dw.data());
        }
        int chunks = CpuParallel.chunks(rows, 64);
        float[][] partial = new float[chunks][];
        CpuParallel.forRange(0, rows, 64, (chunk, from, to) -> partial[chunk] = directWeightGradient(from, to));
        java.util.Arrays.fill(dwTap, 0f);
        for (float[] p : partial) {
            for (int i = 0; i < p.length; i++) {
                dwTap[i] += p[i];
            }
        }
        return dwTap;
    }

    @Benchmark
    public float[] inputGradient() {
        if (impl.equals("im2col")) {
            cpu.gemm(false, false, 1f, dy, w, 0f, new Mat(dcol, 0, rows, g.patch()));
            cpu.conv().col2im(g, BATCH, dcol, 0, dx, 0);
        } else {
            CpuParallel.forRange(0, BATCH * g.inH() * g.inW(), 64, (chunk, from, to) -> directInputGradient(from,
                    to));
        }
        return dxa;
    }

    /** The data movement of the forward pass alone (same for both impl values; run it with impl=im2col). */
    @Benchmark
    public FloatArray im2colOnly() {
        cpu.conv().im2col(g, BATCH, x, 0, col, 0);
        return col;
    }

    /** The data movement of the input gradient alone. */
    @Benchmark
    public FloatArray col2imOnly() {
        cpu.conv().col2im(g, BATCH, dcol, 0, dx, 0);
        return dx;
    }

    /** Output pixels {@code [from, to)}: {@code y[p, :] = sum over taps and c of x[tap pixel, c] wTap[tap, c, :]}. */
    private void directForward(int from, int to) {
        int outC = g.outC();
        int inC = g.inC();
        int perImage = g.outH() * g.outW();
        for (int p = from; p < to; p++) {
            int i = p / perImage;
            int oy = p % perImage / g.outW();
            int ox = p % g.outW();
            int out = p * outC;
            java.util.Arrays.fill(ya, out, out + outC, 0f);
            for (int ky = 0; ky < g.kH(); ky++) {
                int iy = oy - g.padH() + ky;
                if (iy < 0 || iy >= g.inH()) {
                    continue;
                }
                for (int kx = 0; kx < g.kW(); kx++) {
                    int ix = ox - g.padW() + kx;
                    if (ix < 0 || ix >= g.inW()) {
                        continue;
                    }
                    int src = ((i * g.inH() + iy) * g.inW() + ix) * inC;
                    int tap = (ky * g.kW() + kx) * inC;
                    for (int c = 0; c < inC; c++) {
                        float v = xa[src + c];
                        int wr = (tap + c) * outC;
                        for (int o = 0; o < outC; o++) {
                            ya[out + o] += v * wTap[wr + o];
                        }
                    }
                }
            }
        }
    }

    /** Output pixels {@code [from, to)}: {@code dW[tap, c, :] += x[tap pixel, c] dy[p, :]}, one thread's partial. */
    private float[] directWeightGradient(int from, int to) {
        int outC = g.outC();
        int inC = g.inC();
        int perImage = g.outH() * g.outW();
        float[] acc = new float[g.outC() * g.patch()];
        for (int p = from; p < to; p++) {
            int i = p / perImage;
            int oy = p % perImage / g.outW();
            int ox = p % g.outW();
            int d = p * outC;
            for (int ky = 0; ky < g.kH(); ky++) {
                int iy = oy - g.padH() + ky;
                if (iy < 0 || iy >= g.inH()) {
                    continue;
                }
                for (int kx = 0; kx < g.kW(); kx++) {
                    int ix = ox - g.padW() + kx;
                    if (ix < 0 || ix >= g.inW()) {
                        continue;
                    }
                    int src = ((i * g.inH() + iy) * g.inW() + ix) * inC;
                    int tap = (ky * g.kW() + kx) * inC;
                    for (int c = 0; c < inC; c++) {
                        float v = xa[src + c];
                        int wr = (tap + c) * outC;
                        for (int o = 0; o < outC; o++) {
                            acc[wr + o] += v * dya[d + o];
                        }
                    }
                }
            }
        }
        return acc;
    }

    /** Input pixels {@code [from, to)}: {@code dx[q, :] = sum over covering outputs and o of dy[p, o] wTapT[tap, o, :]}. */
    private void directInputGradient(int from, int to) {
        int outC = g.outC();
        int inC = g.inC();
        int perImage = g.inH() * g.inW();
        for (int q = from; q < to; q++) {
            int i = q / perImage;
            int y0 = q % perImage / g.inW();
            int x0 = q % g.inW();
            int out = q * inC;
            java.util.Arrays.fill(dxa, out, out + inC, 0f);
            for (int ky = 0; ky < g.kH(); ky++) {
                int oy = y0 + g.padH() - ky;
                if (oy < 0 || oy >= g.outH()) {
                    continue;
                }
                for (int kx = 0; kx < g.kW(); kx++) {
                    int ox = x0 + g.padW() - kx;
                    if (ox < 0 || ox >= g.outW()) {
                        continue;
                    }
                    int d = ((i * g.outH() + oy) * g.outW() + ox) * outC;
                    int tap = (ky * g.kW() + kx) * outC;
                    for (int o = 0; o < outC; o++) {
                        float v = dya[d + o];
                        int wr = (tap + o) * inC;
                        for (int c = 0; c < inC; c++) {
                            dxa[out + c] += v * wTapT[wr + c];
                        }
                    }
                }
            }
        }
    }
}
