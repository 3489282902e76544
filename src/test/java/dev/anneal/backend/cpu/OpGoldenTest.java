package dev.anneal.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.anneal.backend.Activation;
import dev.anneal.backend.ConvGeometry;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.PoolGeometry;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The CPU layer ops against PyTorch ({@link OpGolden}, {@code scripts/op_goldens.py}): NCHW inputs are turned
 * channels last with {@code toChannelsLast}, run through the ops, and the results turned back with
 * {@code toChannelsFirst}.
 * <ul>
 *   <li>conv2d: {@code y = im2col(x) W^T + b}, {@code dW = dy^T im2col(x)}, {@code db} the column sums of
 *       {@code dy}, {@code dx = col2im(dy W)}, against PyTorch's float64 results on the same float32 values
 *       within {@code atol + rtol |ref|} ({@link #CONV_ATOL}, {@link #RTOL}; PyTorch's own float32 run is
 *       within 6e-6 of the same reference, ours was measured within 3e-6 + 1e-6 |ref|);</li>
 *   <li>max and average pooling: PyTorch's float32 output and gradients bit for bit, and the argmax as PyTorch's
 *       indices mapped to channels-last image indices;</li>
 *   <li>batch norm: training forward, saved statistics, running statistics, backward and evaluation, against
 *       PyTorch's float64 results within {@link #NORM_ATOL} + {@link #RTOL} |ref| (ours measured within 5e-7 +
 *       1e-6 |ref|).</li>
 * </ul>
 */
class OpGoldenTest {
    static final double CONV_ATOL = 1e-5;
    static final double NORM_ATOL = 1e-6;
    static final double RTOL = 1e-5;

    private final CpuBackend cpu = new CpuBackend();

    private static final List<OpGolden> CASES = OpGolden.all();

    @Test
    void everyKindIsCovered() {
        for (String kind : new String[] {"conv2d", "max_pool2d", "avg_pool2d", "batch_norm"}) {
            assertTrue(CASES.stream().filter(c -> c.kind().equals(kind)).count() >= 4, kind);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCaseMatchesPyTorch() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            switch (c.kind()) {
                case "conv2d" -> conv(c);
                case "max_pool2d" -> maxPool(c);
                case "avg_pool2d" -> avgPool(c);
                case "batch_norm" -> batchNorm(c);
                default -> fail("unknown kind " + c.kind());
            }
        }));
    }

    private FloatArray upload(float[] x) {
        FloatArray b = cpu.allocate(x.length);
        cpu.upload(x, 0, b, 0, x.length);
        return b;
    }

    private FloatArray channelsLast(float[] nchw, int n, int c, int h, int w) {
        FloatArray out = cpu.allocate(nchw.length);
        cpu.conv().toChannelsLast(n, c, h, w, upload(nchw), 0, out, 0);
        return out;
    }

    private float[] channelsFirst(FloatArray nhwc, int n, int c, int h, int w) {
        FloatArray out = cpu.allocate((long) n * c * h * w);
        cpu.conv().toChannelsFirst(n, c, h, w, nhwc, 0, out, 0);
        return CpuBackend.f(out);
    }

    private void conv(OpGolden c) {
        int n = c.param("n");
        ConvGeometry g = new ConvGeometry(c.param("in_c"), c.param("in_h"), c.param("in_w"), c.param("out_c"),
                c.param("kernel", 0), c.param("kernel", 1), c.param("stride", 0), c.param("stride", 1),
                c.param("padding", 0), c.param("padding", 1));
        int rows = n * g.outH() * g.outW();
        FloatArray x = channelsLast(c.f("x"), n, g.inC(), g.inH(), g.inW());
        FloatArray colBuf = cpu.allocate((long) rows * g.patch());
        cpu.conv().im2col(g, n, x, 0, colBuf, 0);
        Mat col = new Mat(colBuf, 0, rows, g.patch());
        Mat w = new Mat(upload(c.f("weight")), 0, g.outC(), g.patch());
        Mat y = new Mat(cpu.allocate((long) rows * g.outC()), 0, rows, g.outC());
        cpu.gemm(false, true, 1f, col, w, 0f, y);
        cpu.biasActivation(y, new Mat(upload(c.f("bias")), 0, 1, g.outC()), Activation.IDENTITY, y);
        FloatParity.assertClose(c.name() + " y", c.f("y"), channelsFirst(y.data(), n, g.outC(), g.outH(), g.outW()),
                RTOL, CONV_ATOL);

        Mat dy = new Mat(channelsLast(c.f("dy"), n, g.outC(), g.outH(), g.outW()), 0, rows, g.outC());
        Mat dw = new Mat(cpu.allocate((long) g.outC() * g.patch()), 0, g.outC(), g.patch());
        cpu.gemm(true, false, 1f, dy, col, 0f, dw);
        FloatParity.assertClose(c.name() + " dweight", c.f("dweight"), CpuBackend.f(dw.data()), RTOL, CONV_ATOL);
        Mat db = new Mat(cpu.allocate(g.outC()), 0, 1, g.outC());
        cpu.columnSums(dy, db, false);
        FloatParity.assertClose(c.name() + " dbias", c.f("dbias"), CpuBackend.f(db.data()), RTOL, CONV_ATOL);
        Mat dcol = new Mat(cpu.allocate((long) rows * g.patch()), 0, rows, g.patch());
        cpu.gemm(false, false, 1f, dy, w, 0f, dcol);
        FloatArray dx = cpu.allocate(n * g.inSize());
        cpu.conv().col2im(g, n, dcol.data(), 0, dx, 0);
        FloatParity.assertClose(c.name() + " dx", c.f("dx"), channelsFirst(dx, n, g.inC(), g.inH(), g.inW()), RTOL,
                CONV_ATOL);
    }

    private PoolGeometry pool(OpGolden c) {
        return new PoolGeometry(c.param("c"), c.param("in_h"), c.param("in_w"), c.param("kernel", 0),
                c.param("kernel", 1), c.param("stride", 0), c.param("stride", 1), c.param("padding", 0),
                c.param("padding", 1));
    }

    private void maxPool(OpGolden c) {
        int n = c.param("n");
        PoolGeometry g = pool(c);
        int outLen = (int) (n * g.outSize());
        FloatArray y = cpu.allocate(outLen);
        IntArray argmax = cpu.allocateInts(outLen);
        cpu.pool().maxPoolForward(g, n, channelsLast(c.f("x"), n, g.c(), g.inH(), g.inW()), 0, y, 0, argmax, 0);
        FloatParity.assertClose(c.name() + " y", c.f("y"), channelsFirst(y, n, g.c(), g.outH(), g.outW()), 0, 0);
        int[] ours = ((CpuInts) argmax).array();
        int[] torch = c.ints().get("indices");
        int j = 0;
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < g.c(); ch++) {
                for (int o = 0; o < g.outH() * g.outW(); o++) {
                    int expected = torch[j++] * g.c() + ch;
                    int actual = ours[(i * g.outH() * g.outW() + o) * g.c() + ch];
                    if (expected != actual) {
                        fail(c.name() + " argmax of image " + i + " channel " + ch + " output " + o + ": expected "
                                + expected + " (PyTorch's " + torch[j - 1] + "), got " + actual);
                    }
                }
            }
        }
        FloatArray dx = cpu.allocate(n * g.inSize());
        cpu.pool().maxPoolBackward(g, n, channelsLast(c.f("dy"), n, g.c(), g.outH(), g.outW()), 0, argmax, 0, dx,
                0);
        FloatParity.assertClose(c.name() + " dx", c.f("dx"), channelsFirst(dx, n, g.c(), g.inH(), g.inW()), 0, 0);
    }

    private void avgPool(OpGolden c) {
        int n = c.param("n");
        PoolGeometry g = pool(c);
        FloatArray y = cpu.allocate(n * g.outSize());
        cpu.pool().avgPoolForward(g, n, channelsLast(c.f("x"), n, g.c(), g.inH(), g.inW()), 0, y, 0);
        FloatParity.assertSameBits(c.name() + " y", c.f("y"), channelsFirst(y, n, g.c(), g.outH(), g.outW()));
        FloatArray dx = cpu.allocate(n * g.inSize());
        cpu.pool().avgPoolBackward(g, n, channelsLast(c.f("dy"), n, g.c(), g.outH(), g.outW()), 0, dx, 0);
        FloatParity.assertSameBits(c.name() + " dx", c.f("dx"), channelsFirst(dx, n, g.c(), g.inH(), g.inW()));
    }

    private void batchNorm(OpGolden c) {
        int[] shape = new int[c.params().get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = c.param("shape", i);
        }
        int n = shape[0];
        int ch = shape[1];
        int h = shape.length == 4 ? shape[2] : 1;
        int w = shape.length == 4 ? shape[3] : 1;
        int rows = n * h * w;
        float eps = (float) c.number("eps");
        float momentum = (float) c.number("momentum");
        Mat x = new Mat(channelsLast(c.f("x"), n, ch, h, w), 0, rows, ch);
        Mat gamma = new Mat(upload(c.f("gamma")), 0, 1, ch);
        Mat beta = new Mat(upload(c.f("beta")), 0, 1, ch);
        FloatArray running = cpu.allocate(2L * ch);
        cpu.upload(c.f("running_mean"), 0, running, 0, ch);
        cpu.upload(c.f("running_var"), 0, running, ch, ch);
        FloatArray saved = cpu.allocate(2L * ch);
        Mat y = new Mat(cpu.allocate((long) rows * ch), 0, rows, ch);
        cpu.norm().batchNormTraining(x, gamma, beta, eps, momentum, running, 0, ch, saved, 0, y);
        String what = c.name();
        FloatParity.assertClose(what + " y", c.f("y"), channelsFirst(y.data(), n, ch, h, w), RTOL, NORM_ATOL);
        float[] s = CpuBackend.f(saved);
        float[] r = CpuBackend.f(running);
        FloatParity.assertClose(what + " saved mean", c.f("saved_mean"), 0, s, 0, ch, 0, RTOL, NORM_ATOL);
        FloatParity.assertClose(what + " saved invstd", c.f("saved_invstd"), 0, s, ch, ch, 0, RTOL, NORM_ATOL);
        FloatParity.assertClose(what + " running mean", c.f("running_mean_after"), 0, r, 0, ch, 0, RTOL, NORM_ATOL);
        FloatParity.assertClose(what + " running var", c.f("running_var_after"), 0, r, ch, ch, 0, RTOL, NORM_ATOL);

        Mat dy = new Mat(channelsLast(c.f("dy"), n, ch, h, w), 0, rows, ch);
        Mat dx = new Mat(cpu.allocate((long) rows * ch), 0, rows, ch);
        Mat dGamma = new Mat(cpu.allocate(ch), 0, 1, ch);
        Mat dBeta = new Mat(cpu.allocate(ch), 0, 1, ch);
        cpu.norm().batchNormBackward(x, dy, gamma, saved, 0, dx, dGamma, dBeta);
        FloatParity.assertClose(what + " dx", c.f("dx"), channelsFirst(dx.data(), n, ch, h, w), RTOL, NORM_ATOL);
        FloatParity.assertClose(what + " dgamma", c.f("dgamma"), CpuBackend.f(dGamma.data()), RTOL, NORM_ATOL);
        FloatParity.assertClose(what + " dbeta", c.f("dbeta"), CpuBackend.f(dBeta.data()), RTOL, NORM_ATOL);

        Mat yEval = new Mat(cpu.allocate((long) rows * ch), 0, rows, ch);
        cpu.norm().batchNormInference(x, gamma, beta, eps, running, 0, ch, yEval);
        FloatParity.assertClose(what + " eval y", c.f("y_eval"), channelsFirst(yEval.data(), n, ch, h, w), RTOL,
                NORM_ATOL);
        assertEquals(2 * ch, c.f("saved_mean").length + c.f("saved_invstd").length);
    }
}
