package dev.anneal.tune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.ConfigMapper;
import dev.anneal.config.LoadedConfig;
import dev.anneal.config.ResolvedConfig;
import dev.anneal.schedule.torch.Cyclic;
import dev.anneal.schedule.torch.OneCycle;
import dev.anneal.spec.BadInput;
import java.util.List;

/**
 * The user's config with the range test's rates filled in ({@code anneal lr-find --write-config}), as a fully
 * resolved config that {@code anneal config check} and {@code anneal train} accept:
 * <ul>
 *   <li>{@code schedule.type: cyclic}: {@code base_lr = clr_base_lr}, {@code max_lr = clr_max_lr};</li>
 *   <li>{@code schedule.type: one_cycle}: {@code max_lr = one_cycle_max_lr};</li>
 *   <li>otherwise {@code optimizer.lr = suggested_lr / lr scaling factor}, so that the effective base rate the
 *       schedule scales is the suggested rate (the factor is 1 unless {@code optimizer.lr_scaling: linear}).</li>
 * </ul>
 * Every other key is the input's, overrides included; the {@code effective} section is recomputed.
 */
public final class RateConfig {
    private RateConfig() {
    }

    /** What was changed, for a message, and the YAML. */
    public record Written(String change, String yaml) {
    }

    public static Written of(AnnealConfig user, LrFindResult result) {
        ObjectNode root = ResolvedConfig.toTree(user);
        root.remove("effective");
        ObjectNode schedule = (ObjectNode) root.get("schedule");
        String change;
        if (user.schedule().spec() instanceof Cyclic) {
            double base = need(result, "clr_base_lr");
            double max = need(result, "clr_max_lr");
            schedule.put("base_lr", base);
            schedule.put("max_lr", max);
            change = "schedule.base_lr = " + base + ", schedule.max_lr = " + max;
        } else if (user.schedule().spec() instanceof OneCycle) {
            double max = need(result, "one_cycle_max_lr");
            schedule.put("max_lr", max);
            change = "schedule.max_lr = " + max;
        } else {
            double lr = need(result, result.suggest()) / user.lrScalingFactor();
            ((ObjectNode) root.get("optimizer")).put("lr", lr);
            change = "optimizer.lr = " + lr;
        }
        try {
            String yaml = ConfigMapper.get().writeValueAsString(root);
            AnnealConfig filled = LoadedConfig.parse("--write-config", yaml, List.of()).config();
            return new Written(change, ResolvedConfig.toYaml(filled));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the config", e);
        }
    }

    private static double need(LrFindResult result, String name) {
        double v = result.value(name);
        if (!Double.isFinite(v)) {
            throw new BadInput("--write-config: the range test gave no " + name + " (too few points); raise --steps "
                    + "or lower --skip-start/--skip-end");
        }
        return v;
    }
}
