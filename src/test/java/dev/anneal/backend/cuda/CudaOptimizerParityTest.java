package dev.anneal.backend.cuda;

import static dev.anneal.backend.cuda.Parity.assertBits;
import static dev.anneal.backend.cuda.Parity.get;
import static dev.anneal.backend.cuda.Parity.put;

import dev.anneal.backend.AdamArgs;
import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.RmsPropArgs;
import dev.anneal.backend.SgdArgs;
import dev.anneal.backend.StepScalars;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fused optimizer kernels against the CPU loops, bit for bit, over many steps: optim.cu is compiled with
 * {@code --fmad=false} and spells out PyTorch's fmas, as the CPU twins do. Steps vary the rate, the clip scale
 * and the momentum, include a first step and a skipped one; gradients include exact zeros and -0.0.
 */
@Tag("gpu")
class CudaOptimizerParityTest extends ParityFixture {
    private static final int STEPS = 12;
    private static final int SKIPPED = 4;

    CudaOptimizerParityTest() {
        super(CudaBackend.Gemm.AUTO);
    }

    /** One optimizer configuration: its step on a backend over {@code buffers} (params, grads, state...). */
    interface Step {
        void run(Backend b, FloatArray scalars, FloatArray[] buffers, int n);
    }

    @Test
    void sgdIsBitIdentical() {
        compare("sgd", 0.0, 3, (b, s, v, n) -> b.sgdStep(SgdArgs.of(0, 0, false), s, v[0], v[1], null, n));
        compare("sgd momentum dampening wd", 0.9, 3,
                (b, s, v, n) -> b.sgdStep(SgdArgs.of(0.1, 1e-4, false), s, v[0], v[1], v[2], n));
        compare("sgd nesterov wd", 0.9, 3, (b, s, v, n) -> b.sgdStep(SgdArgs.of(0, 0.01, true), s, v[0], v[1], v[2], n));
    }

    @Test
    void adamAndAdamWAreBitIdentical() {
        compare("adam l2", 0.9, 5, (b, s, v, n) -> b.adamStep(AdamArgs.of(0.999, 1e-8, 0.01, false, false), s, v[0],
                v[1], v[2], v[3], null, n));
        compare("adam", 0.9, 5, (b, s, v, n) -> b.adamStep(AdamArgs.of(0.999, 1e-8, 0, false, false), s, v[0], v[1],
                v[2], v[3], null, n));
        compare("adamw", 0.9, 5, (b, s, v, n) -> b.adamStep(AdamArgs.of(0.999, 1e-8, 0.01, true, false), s, v[0], v[1],
                v[2], v[3], null, n));
        compare("adam amsgrad", 0.9, 5, (b, s, v, n) -> b.adamStep(AdamArgs.of(0.99, 1e-6, 0, false, true), s, v[0],
                v[1], v[2], v[3], v[4], n));
        compare("adamw amsgrad", 0.8, 5, (b, s, v, n) -> b.adamStep(AdamArgs.of(0.999, 1e-8, 0.1, true, true), s, v[0],
                v[1], v[2], v[3], v[4], n));
    }

    @Test
    void rmspropIsBitIdentical() {
        compare("rmsprop", 0.0, 5, (b, s, v, n) -> b.rmspropStep(RmsPropArgs.of(0.99, 1e-8, 0, false, false), s, v[0],
                v[1], v[2], null, null, n));
        compare("rmsprop centered wd", 0.0, 5, (b, s, v, n) -> b.rmspropStep(RmsPropArgs.of(0.9, 1e-8, 0.01, true,
                false), s, v[0], v[1], v[2], v[3], null, n));
        compare("rmsprop momentum", 0.9, 5, (b, s, v, n) -> b.rmspropStep(RmsPropArgs.of(0.99, 1e-8, 0, false, true),
                s, v[0], v[1], v[2], null, v[4], n));
        compare("rmsprop centered momentum", 0.5, 5, (b, s, v, n) -> b.rmspropStep(RmsPropArgs.of(0.99, 1e-6, 1e-3,
                true, true), s, v[0], v[1], v[2], v[3], v[4], n));
    }

    /** Runs {@link #STEPS} steps of {@code step} on both backends for every size and compares every buffer. */
    private void compare(String name, double momentum, int buffers, Step step) {
        for (int n : CudaParityTest.SIZES) {
            Random r = new Random(n * 31L + name.hashCode());
            FloatArray[][] v = new FloatArray[2][5];
            Backend[] backends = {cpu, gpu};
            float[] params = Parity.random(r, n, 1);
            for (int k = 0; k < 2; k++) {
                v[k][0] = put(backends[k], params);
                for (int i = 1; i < 5; i++) {
                    v[k][i] = backends[k].allocate(n);
                }
            }
            for (int t = 1; t <= STEPS; t++) {
                float[] grads = gradients(r, n);
                float[] scalars = scalars(t, momentum);
                for (int k = 0; k < 2; k++) {
                    backends[k].upload(grads, 0, v[k][1], 0, n);
                    FloatArray s = put(backends[k], scalars);
                    step.run(backends[k], s, v[k], n);
                    s.close();
                }
                for (int i = 0; i < buffers; i++) {
                    if (i == 1) {
                        continue;
                    }
                    assertBits(name + ", n " + n + ", step " + t + ", buffer " + i, get(cpu, v[0][i]),
                            get(gpu, v[1][i]));
                }
            }
            for (FloatArray[] side : v) {
                for (FloatArray x : side) {
                    x.close();
                }
            }
        }
    }

    /** Random gradients with exact zeros and negative zeros among them. */
    private static float[] gradients(Random r, int n) {
        float[] g = Parity.random(r, n, 0.1f);
        for (int i = 0; i < n; i += 7) {
            g[i] = i % 2 == 0 ? 0f : -0f;
        }
        return g;
    }

    /** Step {@code t}'s scalars, computed in double and rounded once as the optimizers do. */
    private static float[] scalars(int t, double momentum) {
        double lr = 0.01 * (1 + 0.3 * Math.cos(t));
        double b2 = 0.999;
        float[] s = new float[StepScalars.SIZE];
        s[StepScalars.LR] = (float) lr;
        s[StepScalars.STEP_SIZE] = (float) (lr / (1 - Math.pow(momentum == 0 ? 0.9 : momentum, t)));
        s[StepScalars.BIAS_CORRECTION2_SQRT] = (float) Math.sqrt(1 - Math.pow(b2, t));
        s[StepScalars.DECAY_FACTOR] = (float) (1 - lr * 0.01);
        s[StepScalars.GRAD_SCALE] = t % 3 == 0 ? 0.8f : 1f;
        s[StepScalars.SKIP] = t == SKIPPED ? 1f : 0f;
        s[StepScalars.MOMENTUM] = (float) (t > 6 ? momentum * 0.95 : momentum);
        s[StepScalars.FIRST_STEP] = t == 1 ? 1f : 0f;
        s[StepScalars.ONE_MINUS_MOMENTUM] = (float) (1 - (t > 6 ? momentum * 0.95 : momentum));
        return s;
    }
}
