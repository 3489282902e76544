package dev.anneal.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A bound config together with the document it came from, so that problems found later (a duration that
 * becomes 0 on 8 devices, say) are still reported at the file and line of the key.
 */
public record LoadedConfig(ConfigDocument document, AnnealConfig config) {

    /** Reads {@code file}, applies the {@code --set} overrides in order, validates and binds. */
    public static LoadedConfig load(Path file, List<String> overrides) {
        ConfigDocument doc = ConfigDocument.load(file);
        Overrides.apply(doc, overrides);
        return new LoadedConfig(doc, ConfigBinder.bind(doc));
    }

    /**
     * Same, for {@code anneal schedule --metrics FILE}: the plateau schedule observes the file's values, so
     * {@code train.plateau_metric} does not apply and is not checked against {@code schedule.mode}.
     */
    public static LoadedConfig loadWithGivenMetrics(Path file, List<String> overrides) {
        ConfigDocument doc = ConfigDocument.load(file);
        Overrides.apply(doc, overrides);
        return new LoadedConfig(doc, ConfigBinder.bindWithGivenMetrics(doc));
    }

    /** Same, from YAML text; {@code label} names it in messages. */
    public static LoadedConfig parse(String label, String yaml, List<String> overrides) {
        ConfigDocument doc = ConfigDocument.parse(label, yaml);
        Overrides.apply(doc, overrides);
        return new LoadedConfig(doc, ConfigBinder.bind(doc));
    }
}
