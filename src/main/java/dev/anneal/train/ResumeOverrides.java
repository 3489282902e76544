package dev.anneal.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.config.AnnealConfig;
import dev.anneal.config.ResolvedConfig;
import dev.anneal.spec.BadInput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which {@code --set} overrides {@code anneal train --resume} accepts. A resumed run continues the run that wrote
 * the checkpoint, so it may change only what does not alter the updates already applied or the meaning of the
 * saved state (as in PyTorch and Keras, where one resumes with the same model, optimizer and data and may train
 * for more epochs): how long it trains ({@code train.epochs}, not below the checkpoint), how it checkpoints and
 * checks itself, how it evaluates, where the data lies and which device of the same count runs it. Every other key
 * (the model, the optimizer and its hyperparameters, the schedule, the batch, devices, seed, accumulation,
 * clipping, the dataset) would either not fit the checkpoint or make the run's {@code config.yaml} describe
 * updates that were not made that way: start a new run to change those.
 */
public final class ResumeOverrides {
    /** Keys (and the sections under them) a resumed run may change. */
    public static final List<String> MAY_CHANGE = List.of("train.epochs", "train.checkpoint_every",
            "train.keep_checkpoints", "train.max_skipped_steps", "train.check_replicas_every", "train.cuda_graph",
            "train.collective_timeout",
            "data.eval_batch_size", "data.path", "data.memory_map", "device");
    private static final String DERIVED = "effective";

    private ResumeOverrides() {
    }

    /**
     * Throws a {@link BadInput} naming the first {@code --set} that changes a key outside {@link #MAY_CHANGE}.
     *
     * @param run the run directory
     * @param saved the run's config as its {@code config.yaml} holds it
     * @param resumed the same after the overrides
     * @param assignments the {@code --set} values, {@code key=value}
     */
    public static void check(Path run, AnnealConfig saved, AnnealConfig resumed, List<String> assignments) {
        List<String> changed = new ArrayList<>();
        diff("", ResolvedConfig.toTree(saved), ResolvedConfig.toTree(resumed), changed);
        for (String key : changed) {
            if (!mayChange(key)) {
                JsonNode now = at(ResolvedConfig.toTree(resumed), key);
                throw refusal(run, saved, origin(key, assignments), key, ", this would make it " + shown(now));
            }
        }
    }

    /**
     * For overrides that do not even make a valid config with the run's ({@code --set optimizer.type=sgd} on an
     * Adam run leaves Adam's betas behind): throws the {@link #check} refusal for the first {@code --set} of a key
     * outside {@link #MAY_CHANGE}, and returns when there is none (the config's own error then stands).
     */
    public static void checkKeys(Path run, AnnealConfig saved, List<String> assignments) {
        for (String a : assignments) {
            int eq = a.indexOf('=');
            String key = (eq < 0 ? a : a.substring(0, eq)).strip();
            if (!mayChange(key)) {
                throw refusal(run, saved, "--set " + a, key, "");
            }
        }
    }

    private static boolean mayChange(String key) {
        return MAY_CHANGE.stream().anyMatch(k -> within(key, k));
    }

    private static BadInput refusal(Path run, AnnealConfig saved, String origin, String key, String now) {
        JsonNode was = at(ResolvedConfig.toTree(saved), key);
        return new BadInput(origin + ": cannot change " + key + " on --resume (the run " + run + " has "
                + shown(was) + now + "); a resumed run continues its checkpoint and may change only "
                + String.join(", ", MAY_CHANGE) + "; start a new run (--config " + run.resolve("config.yaml")
                + " --run-dir NEW) to change " + key);
    }

    /** The leaf keys whose values differ, in the saved config's order (a list that changes length is one leaf). */
    private static void diff(String path, JsonNode a, JsonNode b, List<String> out) {
        if (a != null && b != null && a.isObject() && b.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                if (!(path.isEmpty() && n.equals(DERIVED))) {
                    diff(path.isEmpty() ? n : path + "." + n, a.get(n), b.get(n), out);
                }
            }
        } else if (a != null && b != null && a.isArray() && b.isArray() && a.size() == b.size()
                && containsObjects(a)) {
            for (int i = 0; i < a.size(); i++) {
                diff(path + "[" + i + "]", a.get(i), b.get(i), out);
            }
        } else if (a == null || !a.equals(b)) {
            out.add(path);
        }
    }

    private static boolean containsObjects(JsonNode array) {
        for (JsonNode e : array) {
            if (e.isObject()) {
                return true;
            }
        }
        return false;
    }

    private static boolean within(String key, String allowed) {
        return key.equals(allowed) || key.startsWith(allowed + ".") || key.startsWith(allowed + "[");
    }

    private static JsonNode at(JsonNode root, String key) {
        JsonNode n = root;
        for (String part : key.split("\\.")) {
            for (String step : part.split("(?=\\[)")) {
                if (n == null) {
                    return null;
                }
                n = step.matches("\\[\\d{1,9}]") ? n.get(Integer.parseInt(step.substring(1, step.length() - 1)))
                        : n.get(step);
            }
        }
        return n;
    }

    private static String shown(JsonNode n) {
        if (n == null || n.isNull()) {
            return "no value";
        }
        return n.isTextual() ? n.asText() : n.toString();
    }

    /** The {@code --set} that set {@code key} or a section above or below it (the last such); else all of them. */
    private static String origin(String key, List<String> assignments) {
        String found = null;
        for (String a : assignments) {
            int eq = a.indexOf('=');
            String k = (eq < 0 ? a : a.substring(0, eq)).strip();
            if (within(key, k) || within(k, key) || (key.equals("devices") && k.equals("device"))) {
                found = a;
            }
        }
        if (found != null) {
            return "--set " + found;
        }
        StringBuilder all = new StringBuilder();
        for (Iterator<String> it = assignments.iterator(); it.hasNext(); ) {
            all.append("--set ").append(it.next()).append(it.hasNext() ? " " : "");
        }
        return all.length() == 0 ? "--resume" : all.toString();
    }
}
