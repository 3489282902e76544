package dev.anneal.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.backend.Activation;
import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.IntArray;
import dev.anneal.backend.Mat;
import dev.anneal.backend.cpu.CpuBackend;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every parameter's gradient of an MLP (the {@code type: mlp} short form: every weight and bias of every layer)
 * against central finite differences of the mean loss: {@code (L(p + h) - L(p - h)) / 2h}.
 */
class MlpGradientTest {
    private static final int ROWS = 6;

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Activation.class, names = {"RELU", "GELU", "TANH"})
    void everyLayerGradientMatchesFiniteDifferences(Activation act) {
        Backend b = new CpuBackend();
        ModelSpec spec = ModelSpec.mlp(List.of(7L, 4L), act.name().toLowerCase(Locale.ROOT), "xavier");
        try (Sequential mlp = Sequential.create(b, spec, new int[] {5}, 3, ROWS, ROWS, 0, 0)) {
            mlp.initialize("xavier", 42);
            Random r = new Random(7);
            float[] xs = new float[ROWS * 5];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) r.nextGaussian();
            }
            int[] ys = {0, 2, 1, 1, 0, 2};
            FloatArray x = b.allocate(xs.length);
            b.upload(xs, 0, x, 0, xs.length);
            IntArray labels = b.allocateInts(ROWS);
            b.upload(ys, 0, labels, 0, ROWS);
            FloatArray stats = b.allocate(2);
            Mat xm = new Mat(x, 0, ROWS, 5);

            mlp.zeroGradients();
            mlp.accumulateGradients(xm, labels, 0, 1f / ROWS, stats, 0);
            int n = (int) mlp.size();
            float[] grad = new float[n];
            b.download(mlp.gradients(), 0, grad, 0, n);
            float[] p = new float[n];
            b.download(mlp.parameters(), 0, p, 0, n);

            double h = 1e-3;
            int bad = 0;
            StringBuilder report = new StringBuilder();
            for (int i = 0; i < n; i++) {
                double plus = meanLoss(b, mlp, p, i, (float) (p[i] + h), xm, labels, stats);
                double minus = meanLoss(b, mlp, p, i, (float) (p[i] - h), xm, labels, stats);
                double numeric = (plus - minus) / (2 * h);
                double tol = 2e-3 + 2e-2 * Math.abs(numeric);
                if (Math.abs(numeric - grad[i]) > tol) {
                    if (bad++ < 5) {
                        report.append(" [").append(i).append("] numeric ").append(numeric).append(" analytic ")
                                .append(grad[i]);
                    }
                }
            }
            assertTrue(bad == 0, act + ": " + bad + " of " + n + " gradients differ:" + report);
        }
    }

    private static double meanLoss(Backend b, Sequential mlp, float[] p, int i, float value, Mat x, IntArray labels,
                                   FloatArray stats) {
        float old = p[i];
        p[i] = value;
        b.upload(p, 0, mlp.parameters(), 0, p.length);
        p[i] = old;
        mlp.evaluate(x, labels, 0, stats, 0);
        float[] s = new float[2];
        b.download(stats, 0, s, 0, 2);
        b.upload(p, 0, mlp.parameters(), 0, p.length);
        return s[0] / ROWS;
    }
}
