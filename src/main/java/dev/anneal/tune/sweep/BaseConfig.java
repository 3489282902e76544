package dev.anneal.tune.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.ConfigBinder;
import dev.anneal.config.ConfigDocument;
import dev.anneal.config.ConfigMapper;
import dev.anneal.config.Overrides;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The training config a sweep starts from: a config file, less its {@code sweep:} section when it has one (that
 * section describes the sweep, not a training run). {@link #bind} reads a trial's config the way
 * {@code anneal train --config FILE --set ...} does, from the YAML tree with the section removed, so errors keep
 * the file's lines. {@link #text} is what the sweep saves as {@code base.yaml} for its trials: the file's own
 * bytes when it has no {@code sweep:} section, else its tree less the section, written back as YAML.
 */
final class BaseConfig {
    static final String SECTION = "sweep";

    private final Path file;
    private final String source;
    private final ConfigDocument document;

    private BaseConfig(Path file, String source, ConfigDocument document) {
        this.file = file;
        this.source = source;
        this.document = document;
    }

    /** Reads and checks the file (a {@code ConfigError} when it is not a readable YAML mapping). */
    static BaseConfig read(Path file) throws IOException {
        ConfigDocument doc = ConfigDocument.load(file);
        return new BaseConfig(file, Files.readString(file, StandardCharsets.UTF_8), doc);
    }

    /** The {@code sweep:} section, if the file has one. */
    Optional<JsonNode> section() {
        return Optional.ofNullable(document.root().get(SECTION));
    }

    /** Whether the config holds out a validation set ({@code data.validation_split}). */
    boolean validating() {
        JsonNode split = document.root().path("data").path("validation_split");
        return !split.isMissingNode() && !split.isNull();
    }

    /** {@code file:line} of a key path of the file, for messages. */
    String where(String path) {
        return document.where(path);
    }

    /** The trial config of these {@code --set} overrides, validated and bound. */
    AnnealConfig bind(List<String> overrides) {
        ConfigDocument doc = ConfigDocument.parse(file.toString(), source);
        doc.root().remove(SECTION);
        Overrides.apply(doc, overrides);
        return ConfigBinder.bind(doc);
    }

    /** The training config's text, for {@code base.yaml}. */
    String text() {
        if (section().isEmpty()) {
            return source;
        }
        ConfigDocument doc = ConfigDocument.parse(file.toString(), source);
        doc.root().remove(SECTION);
        try {
            return ConfigMapper.get().writeValueAsString(doc.root());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the config without its sweep section", e);
        }
    }
}
