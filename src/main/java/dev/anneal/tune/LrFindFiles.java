package dev.anneal.tune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anneal.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The files of {@code anneal lr-find}: {@code lr_find.csv} (one row per update: {@code step,lr,loss,smoothed_loss},
 * then {@code test_loss,test_accuracy} when the test evaluated, empty where it did not ({@code val_loss,val_accuracy}
 * when the evaluation ran on the validation set, the names of the training metrics); with several repeats a
 * leading {@code repeat} column), and the JSON summary ({@code suggested_lr}, {@code suggestions},
 * {@code clr_base_lr}, {@code clr_max_lr}, {@code one_cycle_max_lr}, {@code points}, {@code stopped_early}, and
 * with several repeats each value's {@code spread}). Numbers are written with full double precision; a value
 * without a suggestion is {@code null}. Every file is written atomically.
 */
public final class LrFindFiles {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private LrFindFiles() {
    }

    public static String csv(LrFindResult result) {
        boolean repeats = result.curves().size() > 1;
        boolean eval = result.spec().evalEvery() > 0;
        StringBuilder sb = new StringBuilder();
        sb.append(repeats ? "repeat," : "").append("step,lr,loss,smoothed_loss")
                .append(eval ? "," + result.evaluated() + "_loss," + result.evaluated() + "_accuracy" : "")
                .append('\n');
        for (int r = 0; r < result.curves().size(); r++) {
            for (CurvePoint p : result.curves().get(r).points()) {
                if (repeats) {
                    sb.append(r).append(',');
                }
                sb.append(p.step()).append(',').append(p.lr()).append(',').append(p.loss()).append(',')
                        .append(p.smoothedLoss());
                if (eval) {
                    sb.append(',').append(p.evaluated() ? String.valueOf(p.testLoss()) : "")
                            .append(',').append(p.evaluated() ? String.valueOf(p.testAccuracy()) : "");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    public static ObjectNode json(LrFindResult result) {
        ObjectNode root = JSON.createObjectNode();
        number(root, "suggested_lr", result.suggestedLr());
        root.put("suggestion", result.suggest());
        ObjectNode s = root.putObject("suggestions");
        for (String name : Suggestions.NAMES) {
            number(s, name, result.value(name));
        }
        number(root, "clr_base_lr", result.value("clr_base_lr"));
        number(root, "clr_max_lr", result.value("clr_max_lr"));
        root.put("clr_rule", result.perRepeat().get(0).clr().rule());
        number(root, "one_cycle_max_lr", result.value("one_cycle_max_lr"));
        root.put("points", result.points());
        root.put("stopped_early", result.stoppedEarly());
        Curve first = result.curves().get(0);
        if (first.stoppedEarly()) {
            root.put("stop_reason", first.stopReason());
        }
        RangeTestSpec spec = result.spec();
        root.put("start", spec.start());
        root.put("end", spec.end());
        root.put("steps", spec.steps());
        root.put("mode", spec.ramp().label());
        root.put("skip_start", spec.skipStart());
        root.put("skip_end", spec.skipEnd());
        root.put("repeats", spec.repeats());
        if (result.curves().size() > 1) {
            ObjectNode spread = root.putObject("spread");
            for (Map.Entry<String, Spread> e : result.spreads().entrySet()) {
                ObjectNode o = spread.putObject(e.getKey());
                number(o, "min", e.getValue().min());
                number(o, "median", e.getValue().median());
                number(o, "max", e.getValue().max());
            }
        }
        return root;
    }

    public static void writeCsv(Path file, LrFindResult result) throws IOException {
        AtomicFiles.write(file, csv(result).getBytes(StandardCharsets.UTF_8));
    }

    /** The JSON summary, indented, with a final newline. */
    public static byte[] jsonBytes(LrFindResult result) throws IOException {
        return (JSON.writeValueAsString(json(result)) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void number(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }
}
