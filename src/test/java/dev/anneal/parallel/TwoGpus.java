package dev.anneal.parallel;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anneal.backend.Backend;
import dev.anneal.backend.cuda.CudaBackend;
import dev.anneal.backend.cuda.CudaStatus;
import dev.anneal.backend.cuda.CudaUnavailable;
import java.util.ArrayList;
import java.util.List;

/** CUDA devices 0 and 1 for a test, or a skipped test saying why not (the emulator exposes two). */
final class TwoGpus implements AutoCloseable {
    final List<Backend> backends = new ArrayList<>();

    TwoGpus() {
        CudaStatus s = CudaStatus.probe();
        assumeTrue(s.usable(), () -> "no CUDA device: " + s.problem());
        assumeTrue(s.devices().size() >= 2, () -> "needs two CUDA devices, this machine has " + s.devices().size());
        try {
            backends.add(CudaBackend.open(0));
            backends.add(CudaBackend.open(1));
        } catch (CudaUnavailable e) {
            close();
            assumeTrue(false, "CUDA cannot be used: " + e.reason());
        }
    }

    /** Whether the emulated driver was told to report no peer access (ANNEAL_CUDA_EMULATOR_PEER=0). */
    static boolean emulatedWithoutPeers() {
        return "1".equals(System.getenv("ANNEAL_CUDA_EMULATOR")) && "0".equals(System.getenv("ANNEAL_CUDA_EMULATOR_PEER"));
    }

    @Override
    public void close() {
        backends.forEach(Backend::close);
    }
}
