package dev.anneal.tune.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anneal.config.ConfigMapper;
import dev.anneal.io.AtomicFiles;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code sweep.yaml}: everything {@code anneal sweep --resume DIR} needs besides {@code base.yaml}: the spec
 * (method, metric, goal, seed, count, early stopping, shared overrides, each key's values as written), the
 * settings (parallel trials, threads per trial, devices), the config file it came from (for the record) and the
 * trials themselves, each one's swept values, so that a resumed sweep runs exactly the trials of the first.
 */
final class SweepFile {
    /** The saved sweep. */
    record Saved(SweepSpec spec, SweepSettings settings, List<Trial> trials, String config) {
    }

    private SweepFile() {
    }

    static void write(Path file, Saved s) throws IOException {
        ObjectNode root = ConfigMapper.get().createObjectNode();
        root.put("config", s.config());
        root.put("method", s.spec().method());
        root.put("metric", s.spec().metric().name());
        root.put("goal", s.spec().metric().goal());
        root.put("seed", s.spec().seed());
        if (s.spec().method().equals(SweepSpec.RANDOM)) {
            root.put("count", s.spec().count());
        }
        if (s.spec().asha() != null) {
            ObjectNode es = root.putObject("early_stop");
            es.put("type", "asha");
            es.put("min_epochs", s.spec().asha().minEpochs());
            es.put("eta", s.spec().asha().eta());
        }
        root.put("parallel", s.settings().parallel());
        root.put("trial_threads", s.settings().trialThreads());
        ArrayNode devices = root.putArray("devices");
        s.settings().devices().forEach(devices::add);
        ArrayNode fixed = root.putArray("fixed");
        s.spec().fixed().forEach(fixed::add);
        ObjectNode params = root.putObject("parameters");
        s.spec().keys().forEach(k -> params.put(k.key(), k.space().text()));
        ArrayNode trials = root.putArray("trials");
        for (Trial t : s.trials()) {
            ArrayNode values = trials.addArray();
            t.values().forEach(values::add);
        }
        String text;
        try {
            text = "# anneal sweep: the sweep's spec and trials; anneal sweep --resume reads it\n"
                    + ConfigMapper.get().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write sweep.yaml", e);
        }
        AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    static Saved read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInput(file.getParent() + ": not a sweep directory (no sweep.yaml); pass the --out "
                    + "directory of an anneal sweep");
        }
        JsonNode root;
        try {
            root = ConfigMapper.get().readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new BadInput(file + ": not readable YAML (" + e.getOriginalMessage() + ")");
        }
        try {
            String origin = file.toString();
            List<SweptKey> keys = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.get("parameters").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                keys.add(new SweptKey(e.getKey(), SpaceParser.parse(e.getValue().asText(), origin + ": " + e.getKey())));
            }
            JsonNode es = root.get("early_stop");
            Asha asha = es == null || es.isNull() ? null : new Asha(es.get("min_epochs").asLong(), es.get("eta").asInt());
            SweepSpec spec = new SweepSpec(root.get("method").asText(), keys, root.path("count").asInt(0),
                    root.get("seed").asLong(), SweepMetric.of(root.get("metric").asText(), root.get("goal").asText(),
                    origin, root.get("metric").asText().startsWith("val_")), asha, strings(root.get("fixed")));
            SweepSettings settings = new SweepSettings(root.get("parallel").asInt(), root.get("trial_threads").asInt(),
                    strings(root.get("devices")));
            List<Trial> trials = new ArrayList<>();
            for (JsonNode t : root.get("trials")) {
                trials.add(new Trial(trials.size(), strings(t)));
            }
            return new Saved(spec, settings, trials, root.path("config").asText());
        } catch (NullPointerException e) {
            throw new BadInput(file + ": a key is missing; the file was edited or is not anneal's sweep.yaml");
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
