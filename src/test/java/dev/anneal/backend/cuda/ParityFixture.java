package dev.anneal.backend.cuda;

import static dev.anneal.backend.cuda.Parity.get;
import static dev.anneal.backend.cuda.Parity.nans;
import static dev.anneal.backend.cuda.Parity.put;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.backend.cpu.CpuBackend;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * The set-up the parity test classes share, which compare CUDA ops with the CPU backend: device 0 is opened once
 * per class with the SGEMM the class names and closed after its tests, each test is skipped with the probe's
 * reason where CUDA cannot be used, and the CPU backend is the reference. {@link #both} runs one op on the two
 * backends over copies of the same inputs; {@link #padded} places inputs inside NaN-filled buffers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ParityFixture {
    /** NaNs before and after each view, so that a write outside the view or a missed output shows. */
    static final int PAD = 3;

    final CpuBackend cpu = new CpuBackend();
    /** Device 0, set before each test (which is skipped when there is none). */
    CudaBackend gpu;

    private final CudaBackend.Gemm gemm;
    private Parity.Gpu device;

    ParityFixture(CudaBackend.Gemm gemm) {
        this.gemm = gemm;
    }

    @BeforeAll
    final void openDevice() {
        device = Parity.open(gemm);
    }

    @BeforeEach
    final void requireDevice() {
        gpu = device.orSkip();
    }

    @AfterAll
    final void closeDevice() {
        device.close();
    }

    /** {@code x} with {@link #PAD} NaNs before and after. */
    static float[] padded(float[] x) {
        float[] out = nans(x.length + 2 * PAD);
        System.arraycopy(x, 0, out, PAD, x.length);
        return out;
    }

    /** Runs {@code op} on the CPU and on the GPU over copies of {@code inputs}: [backend][buffer] after. */
    float[][][] both(float[][] inputs, BiConsumer<Backend, FloatArray[]> op) {
        return both(gpu, inputs, op);
    }

    /** Runs {@code op} on the CPU and on {@code device} over copies of {@code inputs}: [backend][buffer] after. */
    float[][][] both(Backend device, float[][] inputs, BiConsumer<Backend, FloatArray[]> op) {
        Backend[] backends = {cpu, device};
        float[][][] out = new float[2][inputs.length][];
        for (int k = 0; k < 2; k++) {
            FloatArray[] buffers = new FloatArray[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                buffers[i] = put(backends[k], inputs[i]);
            }
            op.accept(backends[k], buffers);
            for (int i = 0; i < inputs.length; i++) {
                out[k][i] = get(backends[k], buffers[i]);
                buffers[i].close();
            }
        }
        return out;
    }
}
