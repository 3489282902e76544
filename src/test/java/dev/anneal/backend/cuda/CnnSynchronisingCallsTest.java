package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import dev.anneal.data.Dataset;
import dev.anneal.data.Datasets;
import dev.anneal.data.Normalization;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link SynchronisingCallsTest}'s count for a CNN step: conv2d (im2col, SGEMM, col2im), batch norm 2d and 1d
 * (whose statistics and running averages stay on the device), max and average pooling, dropout (whose draw number
 * is a device counter the step advances, never read back), flatten and linear. A steady-state step makes no call
 * that makes the host wait for the GPU, eager or replayed as CUDA graphs, on one device or two: the layer ops queue
 * kernels only, and their scratch is sized by the first (eager) step, not grown later.
 */
@Tag("emulator")
class CnnSynchronisingCallsTest {
    private static final String CONFIG = """
            optimizer: {type: adamw, lr: 0.005}
            schedule: {type: cosine, t_max: 10}
            model:
              type: sequential
              layers:
                - {type: conv2d, out_channels: 4, kernel_size: 3, padding: 1}
                - {type: batch_norm2d}
                - {type: relu}
                - {type: max_pool2d, kernel_size: 2}
                - {type: conv2d, out_channels: 4, kernel_size: 3, padding: 1}
                - {type: relu}
                - {type: avg_pool2d, kernel_size: 2}
                - {type: flatten}
                - {type: dropout, p: 0.2}
                - {type: linear, out_features: 8}
                - {type: batch_norm1d}
                - {type: relu}
                - {type: linear}
            data: {dataset: npz, path: unused.npz, batch_size: 16}
            train: {epochs: 1, seed: 4, clip_grad_norm: 1.0}
            """;
    /** Steps per epoch: 160 samples in global batches of 16. */
    private static final int STEPS = 10;
    /** The steps counted, 1-based, as in {@link SynchronisingCallsTest}: step 4 to the last but one. */
    private static final int FIRST_STEADY = 4;
    private static final int LAST_STEADY = STEPS - 1;

    @TempDir
    Path dir;

    /** {@code n} random 2 x 8 x 8 images in 3 classes: what the step does, not what it learns, is counted here. */
    private static Dataset images(int n, Random r) {
        float[] x = new float[n * 128];
        int[] y = new int[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(3);
        }
        return new Dataset(x, y, 128, 3).withShape(2, 8, 8);
    }

    @ParameterizedTest(name = "{0} device(s), cuda_graph {1}")
    @CsvSource({"1, false", "1, true", "2, false", "2, true"})
    void steadyStateCnnStepsMakeNoSynchronisingCall(int devices, boolean graph) throws IOException {
        CountedTraining.requireEmulated(devices);
        String label = "cnn, " + (graph ? "cuda_graph" : "eager") + ", " + devices
                + (devices == 1 ? " device" : " devices");
        AnnealConfig cfg = LoadedConfig.parse("cnn-sync.yaml", CONFIG, List.of("devices=" + devices,
                "data.batch_size=" + 16 / devices, "train.cuda_graph=" + graph)).config();
        Random r = new Random(8);
        Datasets data = new Datasets(images(160, r), images(32, r), "random images", Normalization.NONE);
        CountedTraining run = CountedTraining.run(cfg, data, devices, dir.resolve(graph + "-" + devices));
        assertEquals(STEPS + 1, run.marks().size(), label + ": a count before the run and after each step");
        assertEquals(graph ? STEPS - 1 : 0, run.replayed(), label + ": steps replayed as graphs");
        for (int step = FIRST_STEADY; step <= LAST_STEADY; step++) {
            EmulatedDriver.SyncCounts calls = run.step(step);
            assertEquals(0, calls.total(), label + ": step " + step + " made " + calls.describe()
                    + " synchronising calls; a steady-state step must make none");
        }
        EmulatedDriver.SyncCounts steady = run.marks().get(LAST_STEADY).minus(run.marks().get(FIRST_STEADY - 1));
        assertTrue(run.afterRun().minus(run.marks().get(0)).total() > 0, label + ": the run as a whole synchronises "
                + "(the epoch's evaluation reads its results back), so the counter sees these devices");
        System.out.println("[sync calls] " + label + ": " + steady.describe() + " synchronising calls in steps "
                + FIRST_STEADY + ".." + LAST_STEADY + " (SynchronisingCallsTest checks the counter itself)");
    }
}
