package dev.anneal.tune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.ConfigMapper;
import dev.anneal.config.LoadedConfig;
import dev.anneal.config.ResolvedConfig;
import java.util.List;

/**
 * The throwaway config a range test trains: the user's config (model, data, optimizer type and its
 * hyperparameters, devices, accumulation, clipping, seed) with only the rate replaced by the {@link Ramp}:
 * <ul>
 *   <li>{@code exp}: {@code optimizer.lr = start}, {@code schedule: {type: exponential_decay, decay_rate: end/start,
 *       decay_steps: N-1}};</li>
 *   <li>{@code linear}: {@code optimizer.lr = end}, {@code schedule: {type: linear, start_factor: start/end,
 *       end_factor: 1, total_iters: N-1}};</li>
 * </ul>
 * no warmup, {@code unit: step}, no device scaling of durations, {@code optimizer.lr_scaling: none} (the ramp's
 * rates are the rates used), and {@code train.epochs = ceil(N / updates per epoch)} so the data cycles when an
 * epoch is shorter than the test. The schedule counts optimizer updates over the global batch
 * ({@code batch_size x devices x accumulation_steps}), never micro-batches. The result goes through the same
 * binder and validation as a config file.
 */
public final class RampConfig {
    private RampConfig() {
    }

    /** The test's config for {@code spec} with {@code seed} as {@code train.seed}, on data of {@code stepsPerEpoch}. */
    public static AnnealConfig of(AnnealConfig user, RangeTestSpec spec, long seed, long stepsPerEpoch) {
        ObjectNode root = ResolvedConfig.toTree(user);
        root.remove("effective");
        ObjectNode optimizer = (ObjectNode) root.get("optimizer");
        optimizer.put("lr_scaling", "none");
        optimizer.remove("reference_batch");
        ObjectNode schedule = root.putObject("schedule");
        if (spec.ramp() == Ramp.EXP) {
            optimizer.put("lr", spec.start());
            schedule.put("type", "exponential_decay");
            schedule.put("decay_steps", spec.steps() - 1);
            schedule.put("decay_rate", spec.end() / spec.start());
        } else {
            optimizer.put("lr", spec.end());
            schedule.put("type", "linear");
            schedule.put("start_factor", spec.start() / spec.end());
            schedule.put("end_factor", 1.0);
            schedule.put("total_iters", spec.steps() - 1);
        }
        ObjectNode train = (ObjectNode) root.get("train");
        train.put("epochs", (spec.steps() + stepsPerEpoch - 1) / stepsPerEpoch);
        train.put("seed", seed);
        train.put("checkpoint_every", 0);
        try {
            String yaml = ConfigMapper.get().writeValueAsString(root);
            return LoadedConfig.parse("lr-find config", yaml, List.of()).config();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the range test's config", e);
        }
    }
}
