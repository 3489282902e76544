package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anneal.backend.Backend;
import dev.anneal.config.AnnealConfig;
import dev.anneal.data.Datasets;
import dev.anneal.train.RunDirectory;
import dev.anneal.train.TrainListener;
import dev.anneal.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A training run on {@code devices} emulated CUDA devices with the emulated driver's count of synchronising calls
 * ({@link EmulatedDriver#syncCalls}) taken when the run starts and after each step ({@code marks}, so step
 * {@code s} made {@code marks[s] - marks[s - 1]}) and once more after the run ({@code afterRun}), and the number
 * of steps replayed as CUDA graphs, and the bytes the devices' uploads carried on their copy streams.
 */
record CountedTraining(List<EmulatedDriver.SyncCounts> marks, long replayed, EmulatedDriver.SyncCounts afterRun,
                       long overlappedUploadBytes) {
    /**
     * Skips the test unless it runs against the emulated driver with {@code devices} devices, and with peer access
     * for two or more: the counts are those of the peer-copy all-reduce (without peer access the host-staged one
     * runs).
     */
    static void requireEmulated(int devices) {
        assumeTrue(EmulatedDriver.active(), "counts the calls of the emulated driver (scripts/test-cuda-emulated.sh)");
        int available = CudaStatus.probe().devices().size();
        assumeTrue(available >= devices, "needs " + devices + " emulated devices, has " + available);
        assumeFalse(devices > 1 && "0".equals(System.getenv("ANNEAL_CUDA_EMULATOR_PEER")),
                "counted for the peer-copy all-reduce; without peer access the host-staged one runs");
    }

    /** Trains {@code cfg} on {@code data} with one CUDA backend per device, writing the run to {@code runDir}. */
    static CountedTraining run(AnnealConfig cfg, Datasets data, int devices, Path runDir) throws IOException {
        List<EmulatedDriver.SyncCounts> marks = new ArrayList<>();
        TrainListener counter = new TrainListener() {
            @Override
            public void started(long update, long totalUpdates, long stepsPerEpoch, String description) {
                marks.add(EmulatedDriver.syncCalls(devices));
            }

            @Override
            public void stepped(long update, double loss, double lr, double samplesPerSecond) {
                marks.add(EmulatedDriver.syncCalls(devices));
            }
        };
        List<Backend> backends = new ArrayList<>();
        try {
            for (int d = 0; d < devices; d++) {
                backends.add(CudaBackend.open(d, CudaBackend.Gemm.AUTO));
            }
            try (Trainer t = new Trainer(cfg, data, backends, new RunDirectory(runDir), counter)) {
                t.initialize();
                t.run();
                EmulatedDriver.SyncCounts after = EmulatedDriver.syncCalls(devices);
                long overlapped = 0;
                for (Backend b : backends) {
                    overlapped += ((CudaBackend) b).overlappedUploadBytes();
                }
                return new CountedTraining(marks, t.replayedSteps(), after, overlapped);
            }
        } finally {
            backends.forEach(Backend::close);
        }
    }

    /** The calls step {@code step} (1-based) made. */
    EmulatedDriver.SyncCounts step(int step) {
        return marks.get(step).minus(marks.get(step - 1));
    }
}
