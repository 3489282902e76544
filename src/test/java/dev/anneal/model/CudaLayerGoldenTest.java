package dev.anneal.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anneal.backend.cuda.CudaBackend;
import dev.anneal.backend.cuda.CudaStatus;
import dev.anneal.backend.cuda.CudaUnavailable;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LayerGoldenTest}'s PyTorch cases, with the same tolerances, on the CUDA backend (device 0): the layer
 * kernels, their launches and the model's device-side flow against PyTorch directly, not only against the CPU
 * backend. Tagged {@code gpu}: it runs on a GPU and under the emulated driver ({@code scripts/test-cuda-emulated.sh}),
 * and skips with the reason where CUDA cannot be used.
 */
@Tag("gpu")
class CudaLayerGoldenTest {

    static List<LayerGoldenTest.Golden> cases() {
        return LayerGoldenTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardBackwardAndOneStepMatchPyTorchOnCuda(LayerGoldenTest.Golden c) {
        CudaStatus s = CudaStatus.probe();
        assumeTrue(s.usable(), () -> "no CUDA device: " + s.problem());
        CudaBackend backend;
        try {
            backend = CudaBackend.open(0);
        } catch (CudaUnavailable e) {
            assumeTrue(false, "CUDA cannot be used: " + e.reason());
            return;
        }
        try (backend) {
            LayerGoldenTest.replay(backend, c, "cuda");
        }
    }
}
