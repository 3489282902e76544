package dev.anneal.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anneal.io.IoProblems;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a run needs to map new inputs as training mapped its features, saved as {@code RUN/data.json} by
 * {@code anneal train} so that {@code anneal predict} does not read the training data again:
 *
 * <pre>{
 *   "version" : 1,
 *   "dataset" : "csv",
 *   "features" : 2,
 *   "class_names" : [ "cat", "dog" ],
 *   "transform" : { "type" : "columns", "columns" : [ "a", "b" ], "mean" : [ 12.1, 290.3 ], "std" : [ 2.2, 15.9 ] }
 * }</pre>
 *
 * The transform is {@code {"type": "affine", "scale", "mean", "std"}} ({@link Normalization}: every value maps to
 * {@code (v * scale - mean) / std}) for fashion-mnist, mnist, npy, npz, image_folder and synthetic, or with
 * {@code data.normalize: per_channel} {@code {"type": "per_channel", "scale", "channel_size", "mean": [...],
 * "std": [...]}} (feature {@code j} of a row, in NCHW order, is in channel {@code c = j / channel_size} and maps
 * to {@code (v * scale - mean[c]) / std[c]}; {@code features = channel_size * len(mean)}); and
 * {@code {"type": "columns", "columns", "mean", "std"}} ({@link CsvDatasets.ColumnStats}; {@code mean} and
 * {@code std} are null when {@code data.normalize} is off) for csv. Doubles are written in their shortest
 * round-trip form, so they read back bit for bit; a malformed file is refused in one line naming the field.
 *
 * @param dataset the config's {@code data.dataset}
 * @param features features per sample (the model's input width)
 * @param classNames the name of each class index
 * @param normalization the affine map of every value, global or per channel ({@link Normalization#NONE} for
 *     csv, as {@link Datasets} says)
 * @param columns the column statistics (csv), else null
 */
public record DataTransform(String dataset, int features, List<String> classNames, Normalization normalization,
                            CsvDatasets.ColumnStats columns) {
    /** The file's name in a run directory. */
    public static final String FILE = "data.json";
    /** The layout version this class writes and reads. */
    public static final int VERSION = 1;
    /** The transform type of {@code data.normalize: per_channel}. */
    static final String PER_CHANNEL = "per_channel";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public DataTransform {
        Objects.requireNonNull(dataset, "dataset");
        classNames = List.copyOf(classNames);
        Objects.requireNonNull(normalization, "normalization");
        if ((columns != null) != DataSpec.CSV.equals(dataset)) {
            throw new IllegalArgumentException("column statistics are for csv runs only, and every csv run has them");
        }
        if (columns != null && columns.names().size() != features) {
            throw new IllegalArgumentException(columns.names().size() + " columns for " + features + " features");
        }
        if (normalization.perChannel() && (columns != null || normalization.features() != features)) {
            throw new IllegalArgumentException(normalization + " is not a map of " + features + " features"
                    + (columns != null ? " of a non-csv run" : ""));
        }
    }

    /** Sets loaded as {@link Datasets#load} loads them, and their transform. */
    public record Loaded(Datasets data, DataTransform transform) {
    }

    /** {@link Datasets#load}, bit for bit, and the transform of the sets it returns. */
    public static Loaded load(DataSpec spec, long seed) {
        if (DataSpec.CSV.equals(spec.dataset())) {
            CsvDatasets.Loaded l = CsvDatasets.loadWithColumns(spec, seed);
            return new Loaded(l.data(), new DataTransform(spec.dataset(), l.data().train().d(),
                    l.data().classNames(), l.data().normalization(), l.columns()));
        }
        Datasets d = Datasets.load(spec, seed);
        return new Loaded(d, new DataTransform(spec.dataset(), d.train().d(), d.classNames(), d.normalization(),
                null));
    }

    /**
     * The sets of {@code spec} mapped as this run's training data was (its saved statistics, not the new data's),
     * for evaluating a trained model on them: the run's transform applied to the data as it is now, or to other
     * data of the same shape. A csv run's feature columns are taken by name. Refused in one line when the data
     * does not fit the run: csv against array or image data, another number of features, or other classes.
     *
     * @param source names this transform in messages ({@code RUN/data.json})
     */
    public Datasets loadMapped(DataSpec spec, long seed, String source) {
        boolean csv = DataSpec.CSV.equals(spec.dataset());
        if (csv != (columns != null)) {
            throw new BadInput("data.dataset " + spec.dataset() + " cannot be mapped as " + source + " says (a "
                    + dataset + " run): evaluate " + (columns != null ? "csv data with its feature columns"
                    : "array or image data") + " of the run's shape");
        }
        Datasets data = csv ? CsvDatasets.load(spec, seed, columns) : Datasets.load(spec, seed, normalization);
        if (data.train().d() != features) {
            throw new BadInput(data.description() + ": " + data.train().d() + " features per sample, but the run "
                    + "(" + source + ") takes " + features + "; use data of the shape the run was trained on");
        }
        if (!data.classNames().equals(classNames)) {
            throw new BadInput(data.description() + ": its classes " + shortList(data.classNames()) + " are not the "
                    + "run's " + shortList(classNames) + " (" + source + "); use data of the run's classes"
                    + (csv || DataSpec.IMAGE_FOLDER.equals(spec.dataset()) ? "" : ", or set data.classes: "
                    + classNames.size()));
        }
        return data;
    }

    private static String shortList(List<String> names) {
        return names.size() <= 12 ? names.toString() : names.subList(0, 12) + " and " + (names.size() - 12)
                + " more";
    }

    /**
     * How {@code now} (the transform of the data as it loads today) differs from this one (what a run was trained
     * with), as the first field that differs and both values; empty when they are the same to the bit (their JSON is
     * identical: doubles are written in their shortest round-trip form).
     */
    public java.util.Optional<String> difference(DataTransform now) {
        JsonNode a = tree(this);
        JsonNode b = tree(now);
        for (String field : new String[] {"dataset", "features", "class_names"}) {
            if (!a.get(field).equals(b.get(field))) {
                return java.util.Optional.of(field + " " + b.get(field) + " where the run has " + a.get(field));
            }
        }
        JsonNode ta = a.get("transform");
        JsonNode tb = b.get("transform");
        for (var it = ta.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            JsonNode va = ta.get(field);
            JsonNode vb = tb.get(field);
            if (!va.equals(vb)) {
                if (va.isArray() && vb != null && vb.isArray() && va.size() == vb.size()) {
                    // The first element that differs, rather than two lists of perhaps hundreds of numbers.
                    for (int i = 0; i < va.size(); i++) {
                        if (!va.get(i).equals(vb.get(i))) {
                            return java.util.Optional.of("transform." + field + "[" + i + "] " + vb.get(i)
                                    + " where the run has " + va.get(i));
                        }
                    }
                }
                return java.util.Optional.of("transform." + field + " " + shown(vb) + " where the run has "
                        + shown(va));
            }
        }
        return ta.equals(tb) ? java.util.Optional.empty() : java.util.Optional.of("transform " + tb + " where the run "
                + "has " + ta);
    }

    private static JsonNode tree(DataTransform t) {
        try {
            return JSON.readTree(t.toJson());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The number of classes. */
    public int classes() {
        return classNames.size();
    }

    /** The file's bytes (UTF-8 JSON, two-space indented, ending in a newline). */
    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", VERSION);
        root.put("dataset", dataset);
        root.put("features", features);
        ArrayNode names = root.putArray("class_names");
        classNames.forEach(names::add);
        ObjectNode t = root.putObject("transform");
        if (normalization.perChannel()) {
            t.put("type", PER_CHANNEL);
            t.put("scale", normalization.scale());
            t.put("channel_size", normalization.channelSize());
            ArrayNode mean = t.putArray("mean");
            ArrayNode std = t.putArray("std");
            for (int c = 0; c < normalization.channels(); c++) {
                mean.add(normalization.mean(c));
                std.add(normalization.std(c));
            }
        } else if (columns == null) {
            t.put("type", "affine");
            t.put("scale", normalization.scale());
            t.put("mean", normalization.mean());
            t.put("std", normalization.std());
        } else {
            t.put("type", "columns");
            ArrayNode cols = t.putArray("columns");
            columns.names().forEach(cols::add);
            if (columns.standardised()) {
                ArrayNode mean = t.putArray("mean");
                ArrayNode std = t.putArray("std");
                for (int j = 0; j < features; j++) {
                    mean.add(columns.mean()[j]);
                    std.add(columns.std()[j]);
                }
            } else {
                t.putNull("mean");
                t.putNull("std");
            }
        }
        try {
            return (JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads {@code file}; anything malformed (not JSON, a missing field, a wrong type, inconsistent sizes) is a
     * one-line {@link BadInput} naming the file.
     */
    public static DataTransform read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInput(file + ": cannot be read (" + IoProblems.describe(e) + ")" + FIX);
        }
        return parse(file.toString(), text);
    }

    private static final String FIX = "; restore it, or delete it to recover the transform from the training data";

    /** Parses the text of {@code what} ({@link #read}). */
    static DataTransform parse(String what, String text) {
        if (text.isBlank()) {
            throw new BadInput(what + ": is empty; expected a JSON object" + FIX);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String why = e.getOriginalMessage() == null ? "" : ": " + e.getOriginalMessage().strip()
                    .split("\\R", 2)[0].replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)", "")
                    .replaceAll("\\s*\\[Source:[^\\]]*\\]", "");
            throw new BadInput(what + ": not valid JSON" + where + why + FIX);
        }
        Fields f = new Fields(what);
        f.object(root, "the file");
        JsonNode version = f.field(root, "version");
        if (!version.canConvertToExactIntegral() || !version.isNumber() || version.asInt() != VERSION) {
            throw f.bad("field \"version\" is " + shown(version) + ", but this anneal reads version " + VERSION);
        }
        String dataset = f.text(root, "dataset");
        int features = f.positive(root, "features");
        JsonNode names = f.field(root, "class_names");
        List<String> classNames = f.texts(names, "class_names");
        if (classNames.isEmpty()) {
            throw f.bad("field \"class_names\" is empty; a run has at least one class");
        }
        JsonNode t = f.field(root, "transform");
        f.object(t, "field \"transform\"");
        String type = f.text(t, "type", "transform.type");
        boolean csv = DataSpec.CSV.equals(dataset);
        if (type.equals("affine") && !csv) {
            double scale = f.number(t, "scale");
            double mean = f.number(t, "mean");
            double std = f.number(t, "std");
            if (!(std > 0) || !Double.isFinite(std) || !Double.isFinite(mean) || !Double.isFinite(scale)) {
                throw f.bad("field \"transform\" needs finite scale and mean and std > 0, got " + scale + ", " + mean
                        + ", " + std);
            }
            return new DataTransform(dataset, features, classNames, new Normalization(scale, mean, std), null);
        }
        if (type.equals(PER_CHANNEL) && !csv) {
            double scale = f.number(t, "scale");
            int size = f.positive(t, "channel_size", "transform.channel_size");
            if (features % size != 0) {
                throw f.bad("field \"transform.channel_size\" is " + size + ", which does not divide \"features\" "
                        + features);
            }
            int channels = features / size;
            double[] mean = f.numbers(t, "mean", channels);
            double[] std = f.numbers(t, "std", channels);
            if (mean == null || std == null) {
                throw f.bad("fields \"transform.mean\" and \"transform.std\" must be arrays of " + channels
                        + " numbers (features / channel_size)");
            }
            if (!Double.isFinite(scale)) {
                throw f.bad("field \"transform.scale\" is " + scale + "; expected a finite number");
            }
            for (int c = 0; c < channels; c++) {
                if (!(std[c] > 0) || !Double.isFinite(std[c]) || !Double.isFinite(mean[c])) {
                    throw f.bad("field \"transform\" needs a finite mean and a finite std > 0 for every channel, "
                            + "got " + mean[c] + " and " + std[c] + " for channel " + c);
                }
            }
            return new DataTransform(dataset, features, classNames, Normalization.perChannel(scale, size, mean, std),
                    null);
        }
        if (type.equals("columns") && csv) {
            List<String> cols = f.texts(f.field(t, "columns", "transform.columns"), "transform.columns");
            if (cols.size() != features) {
                throw f.bad("field \"transform.columns\" names " + cols.size() + " columns, but \"features\" is "
                        + features);
            }
            double[] mean = f.numbers(t, "mean", features);
            double[] std = f.numbers(t, "std", features);
            if ((mean == null) != (std == null)) {
                throw f.bad("fields \"transform.mean\" and \"transform.std\" must both be arrays or both null");
            }
            return new DataTransform(dataset, features, classNames, Normalization.NONE,
                    new CsvDatasets.ColumnStats(cols, mean, std));
        }
        throw f.bad("field \"transform.type\" is \"" + type + "\", but a " + dataset
                + " run's transform is " + (csv ? "\"columns\"" : "\"affine\" or \"" + PER_CHANNEL + "\""));
    }

    private static String shown(JsonNode value) {
        String s = value == null ? "nothing" : value.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** Typed field access that fails with one line naming the file. */
    private record Fields(String what) {
        BadInput bad(String problem) {
            return new BadInput(what + ": " + problem + FIX);
        }

        void object(JsonNode node, String name) {
            if (!node.isObject()) {
                throw bad(name + " is " + shown(node) + "; expected a JSON object");
            }
        }

        JsonNode field(JsonNode parent, String name) {
            return field(parent, name, name);
        }

        JsonNode field(JsonNode parent, String name, String path) {
            JsonNode v = parent.get(name);
            if (v == null) {
                throw bad("field \"" + path + "\" is missing");
            }
            return v;
        }

        String text(JsonNode parent, String name) {
            return text(parent, name, name);
        }

        String text(JsonNode parent, String name, String path) {
            JsonNode v = field(parent, name, path);
            if (!v.isTextual()) {
                throw bad("field \"" + path + "\" is " + shown(v) + "; expected a string");
            }
            return v.textValue();
        }

        int positive(JsonNode parent, String name) {
            return positive(parent, name, name);
        }

        int positive(JsonNode parent, String name, String path) {
            JsonNode v = field(parent, name, path);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1) {
                throw bad("field \"" + path + "\" is " + shown(v) + "; expected a whole number >= 1");
            }
            return v.intValue();
        }

        List<String> texts(JsonNode v, String path) {
            if (!v.isArray()) {
                throw bad("field \"" + path + "\" is " + shown(v) + "; expected an array of strings");
            }
            List<String> out = new ArrayList<>(v.size());
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isTextual()) {
                    throw bad("field \"" + path + "\"[" + i + "] is " + shown(v.get(i)) + "; expected a string");
                }
                out.add(v.get(i).textValue());
            }
            return out;
        }

        double number(JsonNode parent, String name) {
            JsonNode v = field(parent, name, "transform." + name);
            double x = value(v);
            if (Double.isNaN(x) && !v.isTextual()) {
                throw bad("field \"transform." + name + "\" is " + shown(v) + "; expected a number");
            }
            return x;
        }

        /** An array of {@code n} numbers, or null for a JSON null. */
        double[] numbers(JsonNode parent, String name, int n) {
            String path = "transform." + name;
            JsonNode v = field(parent, name, path);
            if (v.isNull()) {
                return null;
            }
            if (!v.isArray() || v.size() != n) {
                throw bad("field \"" + path + "\" is " + shown(v) + "; expected an array of " + n + " numbers (or "
                        + "null)");
            }
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                JsonNode e = v.get(i);
                out[i] = value(e);
                if (Double.isNaN(out[i]) && !e.isTextual()) {
                    throw bad("field \"" + path + "\"[" + i + "] is " + shown(e) + "; expected a number");
                }
            }
            return out;
        }

        /**
         * A JSON number, or the strings Jackson writes for non-finite doubles ("NaN", "Infinity", "-Infinity");
         * NaN for anything else (the callers tell the two NaNs apart by the node's type).
         */
        private double value(JsonNode v) {
            if (v.isNumber()) {
                return v.doubleValue();
            }
            if (v.isTextual()) {
                switch (v.textValue()) {
                    case "NaN":
                        return Double.NaN;
                    case "Infinity":
                        return Double.POSITIVE_INFINITY;
                    case "-Infinity":
                        return Double.NEGATIVE_INFINITY;
                    default:
                        throw bad("a number in field \"transform\" is " + shown(v) + "; expected a number");
                }
            }
            return Double.NaN;
        }
    }
}
