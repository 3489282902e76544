package dev.anneal.tune.sweep;

import dev.anneal.config.AnnealConfig;
import dev.anneal.config.ConfigError;
import dev.anneal.config.ResolvedConfig;
import dev.anneal.spec.BadInput;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks every trial's config before the first trial runs (an unknown key, with the nearest valid one; a value
 * of the wrong type; a value out of range), so that a bad spec fails at once in one line rather than after hours
 * of trials. Returns each trial's {@code train.epochs}, which ASHA's rungs depend on.
 */
final class TrialConfigs {
    private TrialConfigs() {
    }

    /** The {@code --set} overrides of a trial: the shared ones first, then its swept values. */
    static List<String> overrides(SweepSpec spec, Trial trial) {
        List<String> all = new ArrayList<>(spec.fixed());
        all.addAll(trial.assignments(spec.keyNames()));
        return all;
    }

    static Map<Integer, Long> check(BaseConfig base, SweepSpec spec, List<Trial> trials) {
        Map<Integer, Long> epochs = new HashMap<>();
        for (Trial t : trials) {
            AnnealConfig cfg;
            try {
                cfg = base.bind(overrides(spec, t));
            } catch (ConfigError e) {
                throw new ConfigError(label(spec, t) + e.getMessage());
            } catch (BadInput e) {
                throw new BadInput(label(spec, t) + e.getMessage());
            }
            epochs.put(t.index(), cfg.train().epochs());
        }
        return epochs;
    }

    /** Checks that {@code base.yaml}'s text gives the first trial the config that the original file gives it. */
    static void checkSaved(BaseConfig original, BaseConfig saved, SweepSpec spec, Trial first) {
        List<String> sets = overrides(spec, first);
        String a = ResolvedConfig.toYaml(original.bind(sets));
        String b = ResolvedConfig.toYaml(saved.bind(sets));
        if (!a.equals(b)) {
            throw new BadInput("the config without its sweep section does not read back to the same config (a "
                    + "value YAML cannot write back exactly?); move the sweep section into --grid/--space options");
        }
    }

    private static String label(SweepSpec spec, Trial t) {
        return spec.keys().isEmpty() ? "" : "trial " + t.index() + " (" + String.join(" ",
                t.assignments(spec.keyNames())) + "): ";
    }
}
