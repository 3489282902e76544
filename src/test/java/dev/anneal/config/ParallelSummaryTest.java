package dev.anneal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The lines that tell a user what the device count does to a run. */
class ParallelSummaryTest {

    private static List<String> lines(String yaml) {
        return ParallelSummary.lines(LoadedConfig.parse("t.yaml", yaml, List.of()).config());
    }

    @Test
    void oneDeviceWithoutScalingHasNothingToSay() {
        assertEquals(List.of(), lines("optimizer: {type: sgd, lr: 0.1}\nschedule: {type: step, step_size: 3}\n"));
    }

    @Test
    void scaledDurationsAreListedOldAndNew() {
        assertEquals(List.of(
                "2 devices: global batch 64 = data.batch_size 32 x 2 devices x 1 accumulation step; lr_scaling none: "
                        + "lr 0.1",
                "durations divided among 2 devices (scale_with_devices): schedule.milestones [30,60] -> [15,30], "
                        + "schedule.warmup.steps 10 -> 5"), lines("""
                optimizer: {type: sgd, lr: 0.1}
                schedule: {type: multi_step, milestones: [30, 60], scale_with_devices: true, warmup: {steps: 10}}
                data: {batch_size: 32}
                devices: 2
                """));
    }

    @Test
    void withScalingOffItSaysWhatScalingWouldDoOrWhyItCouldNot() {
        List<String> kept = lines("""
                optimizer: {type: sgd, lr: 0.1}
                schedule: {type: step, step_size: 9}
                device: cpu
                devices: 4
                """);
        assertEquals("durations kept on 4 devices: they count global updates (scale_with_devices: false, as in "
                + "PyTorch); scale_with_devices: true would divide them by 4 like TensorFlow's DECAY_STEP // num_gpu: "
                + "schedule.step_size 9 -> 2", kept.get(1));
        List<String> tooShort = lines("""
                optimizer: {type: sgd, lr: 0.1}
                schedule: {type: step, step_size: 3}
                devices: 4
                """);
        assertEquals("durations kept on 4 devices: they count global updates (scale_with_devices: false, as in "
                + "PyTorch); scale_with_devices: true would not fit: schedule.step_size = 3 becomes 0 when divided "
                + "among 4 devices (scale_with_devices); use a larger value or turn scaling off", tooShort.get(1));
        assertEquals(1, lines("""
                optimizer: {type: sgd, lr: 0.1}
                schedule: {type: step, step_size: 1, unit: epoch}
                devices: 4
                """).size(), "durations in epochs already cover every device's share");
    }

    @Test
    void linearScalingWithoutAWarmupIsPointedOut() {
        List<String> out = lines("""
                optimizer: {type: sgd, lr: 0.1, lr_scaling: linear, reference_batch: 256}
                data: {batch_size: 128}
                devices: 4
                """);
        assertEquals("4 devices: global batch 512 = data.batch_size 128 x 4 devices x 1 accumulation step; lr_scaling "
                + "linear x2 (global batch 512 / reference_batch 256): effective lr 0.2 (optimizer.lr 0.1)", out.get(0));
        assertEquals("lr_scaling: linear without schedule.warmup; Goyal et al. 2017 pair the rule with a gradual "
                + "(linear) warmup, since the scaled rate can diverge early in training", out.get(1));
        assertEquals(2, out.size());
    }
}
