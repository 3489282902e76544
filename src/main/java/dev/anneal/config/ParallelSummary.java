package dev.anneal.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.schedule.ScheduleConfig;
import dev.anneal.schedule.ScheduleTypes;
import dev.anneal.spec.Format;
import dev.anneal.spec.SpecException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What the device count does to a run, in lines for a terminal ({@code anneal schedule} prints them on stderr,
 * each after {@code "anneal: "}; {@code anneal train} can do the same):
 * <ol>
 *   <li>with {@code devices > 1} or lr scaling: the global batch, the scaling factor and the effective base rate;</li>
 *   <li>the step durations that {@code scale_with_devices} divided, old and new; or, with {@code devices > 1} and
 *       scaling off, that the durations count global updates and what scaling would have changed, so that a
 *       user porting a per-device (TensorFlow-style) recipe sees the choice;</li>
 *   <li>{@code lr_scaling: linear} without a warmup: Goyal et al. pair the rule with a gradual warmup.</li>
 * </ol>
 */
public final class ParallelSummary {
    private ParallelSummary() {
    }

    /** The lines for {@code c}; empty on one device without lr scaling. */
    public static List<String> lines(AnnealConfig c) {
        List<String> out = new ArrayList<>();
        int n = c.devices();
        if (n > 1 || c.lrScaling().linear()) {
            long steps = c.train().accumulationSteps();
            String lr = c.lrScaling().linear()
                    ? "lr_scaling " + c.lrScaling().describe(c.globalBatch()) + ": effective lr "
                      + Format.number(c.effectiveLr()) + " (optimizer.lr " + Format.number(c.optimizer().lr()) + ")"
                    : "lr_scaling none: lr " + Format.number(c.effectiveLr());
            out.add(n + (n == 1 ? " device" : " devices") + ": global batch " + c.globalBatch() + " = data.batch_size "
                    + c.data().batchSize() + " x " + n + (n == 1 ? " device" : " devices") + " x " + steps
                    + (steps == 1 ? " accumulation step" : " accumulation steps") + "; " + lr);
        }
        ScheduleConfig s = c.schedule();
        ScheduleConfig run = c.effectiveSchedule();
        List<String> changed = changes(s, run);
        if (!changed.isEmpty()) {
            out.add("durations divided among " + n + " devices (scale_with_devices): " + String.join(", ", changed));
        } else if (n > 1 && !s.scaleWithDevices() && !s.epochUnit()) {
            String kept = "durations kept on " + n + " devices: they count global updates (scale_with_devices: "
                    + "false, as in PyTorch)";
            try {
                List<String> would = changes(s, new ScheduleConfig(s.spec(), s.warmup(), s.unit(), true)
                        .forDevices(n));
                if (!would.isEmpty()) {
                    out.add(kept + "; scale_with_devices: true would divide them by " + n + " like TensorFlow's "
                            + "DECAY_STEP // num_gpu: " + String.join(", ", would));
                }
            } catch (SpecException e) {
                out.add(kept + "; scale_with_devices: true would not fit: schedule." + e.key() + " " + e.problem());
            }
        }
        if (c.lrScaling().linear() && s.warmup() == null && !ScheduleTypes.nameOf(s.spec()).equals("warmup_stable_decay")) {
            out.add("lr_scaling: linear without schedule.warmup; Goyal et al. 2017 pair the rule with a gradual "
                    + "(linear) warmup, since the scaled rate can diverge early in training");
        }
        return out;
    }

    /** {@code "schedule.step_size 9 -> 2"} for each value that differs between the two schedules. */
    static List<String> changes(ScheduleConfig before, ScheduleConfig after) {
        List<String> out = new ArrayList<>();
        if (before != after) {
            diff("schedule", ResolvedConfig.toSchedule(before), ResolvedConfig.toSchedule(after), out);
        }
        return out;
    }

    private static void diff(String path, JsonNode a, JsonNode b, List<String> out) {
        if (a.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().equals("scale_with_devices")) {
                    diff(path + "." + e.getKey(), e.getValue(), b.path(e.getKey()), out);
                }
            }
        } else if (a.isArray() && a.size() > 0 && a.get(0).isContainerNode()) {
            for (int i = 0; i < a.size(); i++) {
                diff(path + "[" + i + "]", a.get(i), b.path(i), out);
            }
        } else if (!a.equals(b)) {
            out.add(path + " " + a + " -> " + b);
        }
    }
}
