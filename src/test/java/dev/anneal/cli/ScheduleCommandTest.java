package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleCommandTest {
    @TempDir
    Path dir;

    private Path config(String yaml) throws IOException {
        Path p = dir.resolve("c.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    private Path stepConfig() throws IOException {
        return config("""
                optimizer: {type: sgd, lr: 0.1}
                schedule: {type: step, step_size: 2, gamma: 0.3}
                """);
    }

    @Test
    void printsHeaderAndOneRowPerStepWithRoundTripPrecision() throws IOException {
        CliRun r = CliRun.of("schedule", "--config", stepConfig().toString(), "--steps", "5");
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(new String[] {"step,lr", "0,0.1", "1,0.1", "2,0.03", "3,0.03", "4," + (0.1 * 0.3 * 0.3)},
                r.lines());
        double parsed = Double.parseDouble(r.lines()[5].split(",")[1]);
        assertEquals(0.1 * Math.pow(0.3, 2), parsed, 0.0);
    }

    @Test
    void setOverridesTheFile() throws IOException {
        CliRun r = CliRun.of("schedule", "--config", stepConfig().toString(), "--steps", "3",
                "--set", "schedule.step_size=1", "--set", "optimizer.lr=1");
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(new String[] {"step,lr", "0,1.0", "1,0.3", "2,0.09"}, r.lines());
    }

    @Test
    void devicesDivideDurationsAndSayWhichOnStderr() throws IOException {
        Path c = config("""
                optimizer: {type: sgd, lr: 1.0}
                schedule: {type: step, step_size: 9, gamma: 0.5, scale_with_devices: true}
                """);
        CliRun r = CliRun.of("schedule", "--config", c.toString(), "--steps", "5", "--devices", "4");
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(new String[] {"step,lr", "0,1.0", "1,1.0", "2,0.5", "3,0.5", "4,0.25"}, r.lines());
        assertArrayEquals(new String[] {
            "anneal: 4 devices: global batch 512 = data.batch_size 128 x 4 devices x 1 accumulation step; "
                + "lr_scaling none: lr 1",
            "anneal: durations divided among 4 devices (scale_with_devices): schedule.step_size 9 -> 2"},
                r.err().split("\n"));
    }

    @Test
    void oneDeviceWithoutScalingPrintsNothingOnStderr() throws IOException {
        CliRun r = CliRun.of("schedule", "--config", stepConfig().toString(), "--steps", "2");
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
    }

    @Test
    void devicesComeFromTheConfigAndTheFlagOverridesThem() throws IOException {
        Path c = config("""
                optimizer: {type: sgd, lr: 1.0}
                schedule: {type: step, step_size: 8, gamma: 0.5, scale_with_devices: true}
                device: cuda:0,1
                """);
        CliRun fromConfig = CliRun.of("schedule", "--config", c.toString(), "--steps", "5");
        assertEquals(0, fromConfig.status(), fromConfig.err());
        assertArrayEquals(new String[] {"step,lr", "0,1.0", "1,1.0", "2,1.0", "3,1.0", "4,0.5"}, fromConfig.lines());
        assertTrue(fromConfig.err().contains("schedule.step_size 8 -> 4"), fromConfig.err());
        CliRun eight = CliRun.of("schedule", "--config", c.toString(), "--steps", "2", "--devices", "8");
        assertEquals(0, eight.status(), eight.err());
        assertArrayEquals(new String[] {"step,lr", "0,1.0", "1,0.5"}, eight.lines());
        CliRun one = CliRun.of("schedule", "--config", c.toString(), "--steps", "2", "--devices", "1");
        assertEquals(0, one.status(), one.err());
        assertEquals("", one.err(), "one device, no scaling: nothing to say");
    }

    @Test
    void linearScalingShowsTheFactorAndTheCsvUsesTheEffectiveRate() throws IOException {
        Path c = config("""
                optimizer: {type: sgd, lr: 0.1, lr_scaling: linear, reference_batch: 256}
                schedule:
                  type: step
                  step_size: 100
                  warmup: {steps: 16, start_factor: 0.5}
                data: {batch_size: 64}
                train: {accumulation_steps: 2}
                """);
        CliRun r = CliRun.of("schedule", "--config", c.toString(), "--steps", "6", "--devices", "8");
        assertEquals(0, r.status(), r.err());
        // global batch 64 x 8 x 2 = 1024, factor 4, effective base rate 0.4; warmup from 0.2 to 0.4 over 16 updates
        double lr0 = 0.1 * 4;
        double start = 0.5 * lr0;
        String[] expected = new String[7];
        expected[0] = "step,lr";
        for (int k = 0; k < 6; k++) {
            expected[k + 1] = k + "," + (start + (lr0 - start) * k / 16);
        }
        assertArrayEquals(expected, r.lines());
        assertEquals("4,0.25", r.lines()[5], "a quarter into the warmup from 0.2 to lr0 = 0.4");
        String[] err = r.err().split("\n");
        assertEquals("anneal: 8 devices: global batch 1024 = data.batch_size 64 x 8 devices x 2 accumulation steps; "
                + "lr_scaling linear x4 (global batch 1024 / reference_batch 256): effective lr 0.4 (optimizer.lr "
                + "0.1)", err[0]);
        assertEquals("anneal: durations kept on 8 devices: they count global updates (scale_with_devices: false, as "
                + "in PyTorch); scale_with_devices: true would divide them by 8 like TensorFlow's DECAY_STEP // "
                + "num_gpu: schedule.step_size 100 -> 12, schedule.warmup.steps 16 -> 2", err[1]);
        assertEquals(2, err.length, r.err());
    }

    @Test
    void linearScalingWithoutAWarmupSaysGoyalPairsItWithOne() throws IOException {
        Path c = config("""
                optimizer: {type: sgd, lr: 0.1, lr_scaling: linear, reference_batch: 64}
                data: {batch_size: 32}
                """);
        CliRun r = CliRun.of("schedule", "--config", c.toString(), "--steps", "1");
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(new String[] {"step,lr", "0,0.05"}, r.lines());
        assertTrue(r.err().contains("anneal: lr_scaling: linear without schedule.warmup; Goyal et al. 2017 pair the "
                + "rule with a gradual (linear) warmup"), r.err());
    }

    @Test
    void plateauReadsOneMetricPerStep() throws IOException {
        Path c = config("""
                optimizer: {type: sgd, lr: 1.0}
                schedule: {type: plateau, patience: 1, factor: 0.5}
                """);
        Path m = dir.resolve("m.txt");
        Files.writeString(m, "# validation loss\n3\n2\n2\n2\n2\n");
        CliRun r = CliRun.of("schedule", "--config", c.toString(), "--steps", "5", "--metrics", m.toString());
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(new String[] {"step,metric,lr", "0,3.0,1.0", "1,2.0,1.0", "2,2.0,1.0", "3,2.0,0.5",
            "4,2.0,0.5"}, r.lines());
    }

    @Test
    void plotWritesAPng() throws IOException {
        Path png = dir.resolve("out/curve.png");
        CliRun r = CliRun.of("schedule", "--config", stepConfig().toString(), "--steps", "50", "--plot",
                png.toString());
        assertEquals(0, r.status(), r.err());
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(bytes, 4));
        assertTrue(bytes.length > 5000, "a 900x500 chart, got " + bytes.length + " bytes");
        try (var files = Files.list(png.getParent())) {
            assertEquals(1, files.count(), "no temporary file may remain beside the plot");
        }
    }

    @Test
    void badConfigValueIsOneLineWithExitTwo() throws IOException {
        Path c = config("""
                optimizer: {type: sgd, lr: 0.1}
                schedule:
                  type: step
                  step_size: -2
                """);
        CliRun r = CliRun.of("schedule", "--config", c.toString(), "--steps", "3");
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertEquals("anneal: " + c + ":4: schedule.step_size must be > 0, got -2\n", r.err());
    }

    @Test
    void missingStepsPrintsUsageAndExitsTwo() throws IOException {
        CliRun r = CliRun.of("schedule", "--config", stepConfig().toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("Missing required option: '--steps=N'"), r.err());
        assertTrue(r.err().contains("Usage: anneal schedule"), r.err());
    }

    @Test
    void missingConfigFileIsOneLine() {
        CliRun r = CliRun.of("schedule", "--config", dir.resolve("nope.yaml").toString(), "--steps", "3");
        assertEquals(2, r.status());
        assertEquals("anneal: " + dir.resolve("nope.yaml") + ": no such file; pass an existing YAML config "
                + "(see configs/)\n", r.err());
    }

    @Test
    void nonPositiveStepsAreRejected() throws IOException {
        CliRun r = CliRun.of("schedule", "--config", stepConfig().toString(), "--steps", "0");
        assertEquals(2, r.status());
        assertEquals("anneal: --steps must be > 0, got 0\n", r.err());
    }

    @Test
    void plateauWithoutMetricsAndMetricsWithoutPlateauAreRejected() throws IOException {
        Path c = config("""
                optimizer: {type: sgd, lr: 1.0}
                schedule: {type: plateau}
                """);
        CliRun r = CliRun.of("schedule", "--config", c.toString(), "--steps", "3");
        assertEquals(2, r.status());
        assertTrue(r.err().endsWith("schedule.type plateau follows a metric: pass --metrics FILE with one value "
                + "per line\n"), r.err());
        Path m = dir.resolve("m.txt");
        Files.writeString(m, "1\n2\n3\n");
        CliRun r2 = CliRun.of("schedule", "--config", stepConfig().toString(), "--steps", "3", "--metrics",
                m.toString());
        assertEquals(2, r2.status());
        assertTrue(r2.err().endsWith("schedule.type is not plateau, so --metrics has no effect; remove it\n"),
                r2.err());
    }

    @Test
    void badMetricsFileNamesTheLine() throws IOException {
        Path c = config("""
                optimizer: {type: sgd, lr: 1.0}
                schedule: {type: plateau}
                """);
        Path m = dir.resolve("m.txt");
        Files.writeString(m, "1\nabc\n");
        CliRun r = CliRun.of("schedule", "--config", c.toString(), "--steps", "2", "--metrics", m.toString());
        assertEquals(2, r.status());
        assertEquals("anneal: " + m + ":2: 'abc' is not a number; write one metric per line\n", r.err());
        Files.writeString(m, "1\n");
        CliRun r2 = CliRun.of("schedule", "--config", c.toString(), "--steps", "2", "--metrics", m.toString());
        assertEquals(2, r2.status());
        assertTrue(r2.err().contains("has 1 values but --steps 2 needs one per step"), r2.err());
    }

    @Test
    void epochUnitNeedsStepsPerEpoch() throws IOException {
        Path c = config("""
                optimizer: {type: sgd, lr: 1.0}
                schedule: {type: step, step_size: 1, gamma: 0.5, unit: epoch}
                """);
        CliRun r = CliRun.of("schedule", "--config", c.toString(), "--steps", "3");
        assertEquals(2, r.status());
        assertTrue(r.err().endsWith("schedule.unit epoch needs --steps-per-epoch S (optimizer updates per epoch)\n"),
                r.err());
        CliRun ok = CliRun.of("schedule", "--config", c.toString(), "--steps", "4", "--steps-per-epoch", "2");
        assertEquals(0, ok.status(), ok.err());
        assertArrayEquals(new String[] {"step,lr", "0,1.0", "1,1.0", "2,0.5", "3,0.5"}, ok.lines());
    }

    @Test
    void errorsWriteNothingToStdout() throws IOException {
        Path png = dir.resolve("p.png");
        Path c = config("""
                optimizer: {type: sgd, lr: 1.0}
                schedule: {type: step, step_size: 9, gamma: 0.5, scale_with_devices: true}
                """);
        CliRun r = CliRun.of("schedule", "--config", c.toString(), "--steps", "5", "--devices", "16", "--plot",
                png.toString());
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertFalse(Files.exists(png));
        assertEquals("anneal: " + c + ":2: schedule.step_size = 9 becomes 0 when divided among 16 devices "
                + "(scale_with_devices); use a larger value or turn scaling off\n", r.err());
    }
    @Test
    void plateauInMaxModeFollowsTheGivenMetricsWhateverTrainPlateauMetricSays() throws IOException {
        Path c = config("""
                optimizer: {type: sgd, lr: 1.0}
                schedule: {type: plateau, mode: max, patience: 1, factor: 0.5}
                """);
        Path m = Files.writeString(dir.resolve("acc.txt"), "0.5\n0.6\n0.6\n0.6\n");
        CliRun r = CliRun.of("schedule", "--config", c.toString(), "--steps", "4", "--metrics", m.toString());
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(new String[] {"step,metric,lr", "0,0.5,1.0", "1,0.6,1.0", "2,0.6,1.0", "3,0.6,0.5"},
                r.lines());
        CliRun explicit = CliRun.of("schedule", "--config", c.toString(), "--steps", "4", "--metrics", m.toString(),
                "--set", "train.plateau_metric=test_loss");
        assertEquals(0, explicit.status(), explicit.err());
    }

    @Test
    void plateauWithoutMetricsAsksForThemRatherThanForAMode() throws IOException {
        Path c = config("""
                optimizer: {type: sgd, lr: 1.0}
                schedule: {type: plateau, mode: max}
                """);
        CliRun r = CliRun.of("schedule", "--config", c.toString(), "--steps", "4");
        assertEquals(2, r.status());
        assertEquals("anneal: " + c + ":2: schedule.type plateau follows a metric: pass --metrics FILE with one "
                + "value per line\n", r.err());
    }

    @Test
    void metricsFileThatIsBinaryOrADirectoryIsOneLine() throws IOException {
        Path c = config("""
                optimizer: {type: sgd, lr: 1.0}
                schedule: {type: plateau}
                """);
        Path bin = Files.write(dir.resolve("m.bin"), new byte[] {'1', '\n', (byte) 0xff, '\n'});
        CliRun r = CliRun.of("schedule", "--config", c.toString(), "--steps", "2", "--metrics", bin.toString());
        assertEquals(2, r.status());
        assertEquals("anneal: " + bin + ":2: is not UTF-8 text (byte 0xff); --metrics needs a text file with one "
                + "metric value per line\n", r.err());
        CliRun d = CliRun.of("schedule", "--config", c.toString(), "--steps", "2", "--metrics", dir.toString());
        assertEquals(2, d.status());
        assertEquals("anneal: " + dir + ": is a directory; --metrics needs a text file with one metric value per "
                + "line\n", d.err());
        assertEquals("", r.out() + d.out());
    }
}
