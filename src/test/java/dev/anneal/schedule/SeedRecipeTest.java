package dev.anneal.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.config.ResolvedConfig;
import java.io.IOException;
import java.nio.file.Files;

import dev.anneal.config.AnnealConfig;
import dev.anneal.config.LoadedConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code configs/tf-warmup-piecewise.yaml} reproduces the seed material's TensorFlow {@code warmup_lr} exactly,
 * for 1, 2, 4 and 8 GPUs. The reference below is a line-by-line transcription of the seed's Python (in double
 * precision), not a call into our schedule code.
 */
class SeedRecipeTest {
    private static final long[] DECAY_STEP = {60000, 80000, 100000};
    private static final long WARMUP_STEP = 2000;
    private static final double INIT_LR = 0.001;

    /** seeds/000 {@code warmup_lr(init_lr, global_step, warmup_step, num_gpu)}. */
    private static double seedWarmupLr(long globalStep, int numGpu) {
        if (globalStep <= WARMUP_STEP) {
            double endLr = INIT_LR;
            double startLr = endLr * 0.1;
            return startLr + (endLr - startLr) * globalStep / WARMUP_STEP;
        }
        long[] boundaries = {DECAY_STEP[0] / numGpu, DECAY_STEP[1] / numGpu, DECAY_STEP[2] / numGpu};
        double[] values = {INIT_LR, INIT_LR / 10., INIT_LR / 100., INIT_LR / 1000.};
        for (int i = 0; i < boundaries.length; i++) {
            if (globalStep <= boundaries[i]) {
                return values[i];
            }
        }
        return values[values.length - 1];
    }

    @ParameterizedTest(name = "num_gpu = {0}")
    @ValueSource(ints = {1, 2, 4, 8})
    void shippedConfigMatchesTheSeedRecipeExactly(int numGpu) {
        AnnealConfig c = LoadedConfig.load(Path.of("configs/tf-warmup-piecewise.yaml"), List.of()).config();
        LrDriver d = LrDriver.create(c.schedule(), c.optimizer().lr(), numGpu, 0);
        for (long k = 0; k <= 120_000; k++) {
            assertEquals(seedWarmupLr(k, numGpu), d.lr(k), "global_step " + k + ", num_gpu " + numGpu);
        }
    }

    /**
     * The same recipe with the GPU count taken from the config itself ({@code devices: N}, or a device list of N
     * GPUs), as {@code anneal train} reads it: the driver the trainer builds, {@code LrDriver.create(schedule,
     * effectiveLr, devices, stepsPerEpoch)}, gives TensorFlow's rate, and the resolved config records the boundaries
     * as divided.
     */
    @ParameterizedTest(name = "devices: {0}")
    @ValueSource(ints = {1, 2, 4, 8})
    void deviceCountFromTheConfigGivesTheSeedRecipe(int numGpu) throws IOException {
        String yaml = Files.readString(Path.of("configs/tf-warmup-piecewise.yaml"));
        StringBuilder list = new StringBuilder("cuda:0");
        for (int i = 1; i < numGpu; i++) {
            list.append(',').append(i);
        }
        for (String devices : List.of("devices: " + numGpu, "device: " + list)) {
            AnnealConfig c = LoadedConfig.parse("seed.yaml", yaml + "\n" + devices + "\n", List.of()).config();
            assertEquals(numGpu, c.devices(), devices);
            assertEquals(INIT_LR, c.effectiveLr(), "the recipe does not scale its rate with the batch");
            LrDriver d = LrDriver.create(c.schedule(), c.effectiveLr(), c.devices(), 0);
            for (long k = 0; k <= 120_000; k++) {
                if (seedWarmupLr(k, numGpu) != d.lr(k)) {
                    assertEquals(seedWarmupLr(k, numGpu), d.lr(k), "global_step " + k + ", " + devices);
                }
            }
            JsonNode effective = ResolvedConfig.toTree(c).get("effective");
            if (numGpu > 1) {
                assertEquals("[" + DECAY_STEP[0] / numGpu + "," + DECAY_STEP[1] / numGpu + "," + DECAY_STEP[2] / numGpu
                        + "]", effective.at("/schedule/boundaries").toString());
                assertEquals(WARMUP_STEP, effective.at("/schedule/warmup/steps").asLong(), "warmup not divided");
            } else {
                assertTrue(effective.path("schedule").isMissingNode());
            }
        }
    }
}
