package dev.anneal.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.io.AtomicFiles;
import dev.anneal.io.IoProblems;
import dev.anneal.schedule.torch.PlateauController;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A checkpoint's {@code trainer.json}: {@link TrainerState} as a JSON object with the record's field names. Read
 * strictly: every field present with its type (counters non-negative integers, sums numbers, the flag a boolean,
 * {@code plateau} null or an object of its own fields) and no other field, so a hand-edited or damaged file is one
 * {@link BadInput} naming the file and the field, e.g.
 * {@code .../trainer.json: field "updates" must be a non-negative integer, got "abc"}. The fields
 * {@code earlyStopping} (null or an object of {@code best}, null or a number, and {@code waitCount}) and
 * {@code bestKept} (null or a number) came later and may be absent: a checkpoint written before them reads as
 * null for both (no early-stopping history, no best checkpoint kept); {@code modelForwards} (a non-negative
 * integer, the model's training passes) and {@code replicas} (the run's replicas over every process) came later
 * still and read as 0 when absent.
 */
final class TrainerStateFile {
    static final String NAME = "trainer.json";
    private static final ObjectMapper WRITER = new ObjectMapper();
    private static final List<String> FIELDS = List.of("updates", "epoch", "stepInEpoch", "momentumStarted",
            "skippedInARow", "skippedTotal", "plateau", "epochLossSum", "epochSamples", "epochSeconds",
            "earlyStopping", "bestKept", "modelForwards", "replicas");
    /** Fields a checkpoint written by an earlier version lacks: absent reads as null (the counters as 0). */
    private static final Set<String> OPTIONAL = Set.of("earlyStopping", "bestKept", "modelForwards", "replicas");
    private static final List<String> EARLY_STOPPING_FIELDS = List.of("best", "waitCount");
    private static final List<String> PLATEAU_FIELDS = List.of("lr", "best", "badObservations", "cooldownLeft",
            "observations");
    /** How Jackson writes non-finite doubles (a plateau's initial best is +-Infinity). */
    private static final Set<String> NON_FINITE = Set.of("NaN", "Infinity", "-Infinity");

    private TrainerStateFile() {
    }

    static void write(Path file, TrainerState state) throws IOException {
        AtomicFiles.write(file, WRITER.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
    }

    static TrainerState read(Path file) {
        if (Files.isDirectory(file)) {
            throw new BadInput(file + ": is a directory, not a JSON file");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new BadInput(file + ": is not UTF-8 text; expected a JSON object");
        } catch (IOException e) {
            throw new BadInput(file + ": cannot be read: " + IoProblems.reason(e));
        }
        JsonNode root = StrictJson.parse(file.toString(), text);
        Fields f = new Fields(file, "", root, FIELDS);
        TrainerState s = new TrainerState(f.counter("updates"), f.counter("epoch"), f.counter("stepInEpoch"),
                f.flag("momentumStarted"), f.counter("skippedInARow"), f.counter("skippedTotal"),
                plateau(file, root.get("plateau")), f.number("epochLossSum"), f.counter("epochSamples"),
                f.nonNegative("epochSeconds"), earlyStopping(file, root.get("earlyStopping")),
                f.optionalNumber("bestKept"), root.has("modelForwards") ? f.counter("modelForwards") : 0,
                root.has("replicas") ? f.counter("replicas") : 0);
        if (s.skippedInARow() > s.skippedTotal()) {
            throw new BadInput(file + ": field \"skippedInARow\" (" + s.skippedInARow() + ") cannot exceed "
                    + "\"skippedTotal\" (" + s.skippedTotal() + ")");
        }
        return s;
    }

    private static PlateauController.State plateau(Path file, JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        Fields f = new Fields(file, "plateau", node, PLATEAU_FIELDS);
        return new PlateauController.State(f.nonNegative("lr"), f.number("best"), f.counter("badObservations"),
                f.counter("cooldownLeft"), f.counter("observations"));
    }

    private static EarlyStoppingState earlyStopping(Path file, JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        Fields f = new Fields(file, "earlyStopping", node, EARLY_STOPPING_FIELDS);
        return new EarlyStoppingState(f.optionalNumber("best"), f.counter("waitCount"));
    }

    /** The fields of one JSON object ({@code parent} names it inside the file, "" for the root), each checked. */
    private static final class Fields {
        private final Path file;
        private final String parent;
        private final JsonNode object;

        Fields(Path file, String parent, JsonNode object, List<String> names) {
            this.file = file;
            this.parent = parent;
            this.object = object;
            if (!object.isObject()) {
                throw new BadInput(file + ": " + (parent.isEmpty() ? "must be a JSON object" : "field \"" + parent
                        + "\" must be null or an object") + " of " + String.join(", ", names) + "; got "
                        + StrictJson.shown(object));
            }
            for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!names.contains(name)) {
                    throw new BadInput(file + ": field \"" + label(name) + "\" is unknown; the fields"
                            + (parent.isEmpty() ? "" : " of \"" + parent + "\"") + " are " + String.join(", ", names));
                }
            }
            for (String name : names) {
                if (!object.has(name) && !(parent.isEmpty() && OPTIONAL.contains(name))) {
                    throw new BadInput(file + ": field \"" + label(name) + "\" is missing");
                }
            }
        }

        private String label(String name) {
            return parent.isEmpty() ? name : parent + "." + name;
        }

        long counter(String name) {
            JsonNode v = object.get(name);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
                throw bad(name, "a non-negative integer", v);
            }
            return v.asLong();
        }

        boolean flag(String name) {
            JsonNode v = object.get(name);
            if (!v.isBoolean()) {
                throw bad(name, "true or false", v);
            }
            return v.asBoolean();
        }

        double number(String name) {
            JsonNode v = object.get(name);
            if (v.isNumber()) {
                return v.asDouble();
            }
            if (v.isTextual() && NON_FINITE.contains(v.asText())) {
                return Double.parseDouble(v.asText());
            }
            throw bad(name, "a number", v);
        }

        /** A number, or null when the field is null or (an optional field) absent. */
        Double optionalNumber(String name) {
            JsonNode v = object.get(name);
            return v == null || v.isNull() ? null : number(name);
        }

        double nonNegative(String name) {
            double d = number(name);
            if (!(d >= 0) || Double.isInfinite(d)) {
                throw bad(name, "a finite number >= 0", object.get(name));
            }
            return d;
        }

        private BadInput bad(String name, String expected, JsonNode got) {
            return new BadInput(file + ": field \"" + label(name) + "\" must be " + expected + ", got "
                    + StrictJson.shown(got));
        }
    }
}
