package dev.anneal.tune.sweep;

import dev.anneal.spec.BadInput;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a {@link SweepRequest} and the config's {@code sweep:} section into a {@link SweepSpec}: the options
 * win over the section for the metric, goal, seed and early stopping; the swept keys come from one of them
 * only (options and a section that both name keys are refused, as are {@code --grid} with {@code --random}).
 */
final class SweepPlan {
    private SweepPlan() {
    }

    static SweepSpec of(SweepRequest r, BaseConfig base) {
        Optional<SweepSection.Values> section = base.section().map(n -> SweepSection.read(n, base));
        boolean grid = !r.grid().isEmpty();
        boolean random = r.random() != null || !r.space().isEmpty();
        if (grid && random) {
            throw new BadInput("--grid and --random/--space are two kinds of sweep; give one of them");
        }
        if (r.random() != null && r.space().isEmpty()) {
            throw new BadInput("--random " + r.random() + " needs the ranges to draw from: --space KEY=SPACE, e.g. "
                    + "--space optimizer.lr=loguniform(1e-4,1e-1)");
        }
        if (!r.space().isEmpty() && r.random() == null) {
            throw new BadInput("--space needs --random N, the number of trials to draw");
        }
        if ((grid || random) && section.isPresent() && !section.get().keys().isEmpty()) {
            throw new BadInput(r.config() + " has a sweep: section with parameters and the command line gives "
                    + (grid ? "--grid" : "--space") + " too; use one of them");
        }
        String method;
        List<SweptKey> keys;
        Integer count;
        if (grid) {
            method = SweepSpec.GRID;
            keys = parse("--grid", r.grid());
            count = null;
        } else if (random) {
            method = SweepSpec.RANDOM;
            keys = parse("--space", r.space());
            count = r.random();
        } else if (section.isPresent()) {
            method = section.get().method();
            keys = section.get().keys();
            count = section.get().count();
        } else {
            throw new BadInput("nothing to sweep: give --grid KEY=VALUES, --random N --space KEY=SPACE, or a sweep: "
                    + "section in " + r.config());
        }
        if (!method.equals(SweepSpec.GRID) && !method.equals(SweepSpec.RANDOM)) {
            throw new BadInput(base.where("sweep.method") + ": sweep.method must be grid or random, got " + method);
        }
        if (keys.isEmpty()) {
            throw new BadInput(base.where("sweep") + ": the sweep names no keys: add sweep.parameters");
        }
        Set<String> seen = new HashSet<>();
        for (SweptKey k : keys) {
            if (!seen.add(k.key())) {
                throw new BadInput(k.key() + " is swept twice; give each key once");
            }
        }
        if (method.equals(SweepSpec.RANDOM) && (count == null || count < 1)) {
            throw new BadInput("a random search needs a number of trials >= 1 (--random N or sweep.count), got "
                    + count);
        }
        Long seed = r.seed() != null ? r.seed() : section.map(SweepSection.Values::seed).orElse(null);
        String metric = r.metric() != null ? r.metric() : section.map(SweepSection.Values::metric).orElse(null);
        String goal = r.goal() != null ? r.goal() : section.map(SweepSection.Values::goal).orElse(null);
        return new SweepSpec(method, keys, count == null ? 0 : count, seed == null ? 0 : seed,
                SweepMetric.of(metric, goal, "--metric/--goal", base.validating()), asha(r, section), r.fixed());
    }

    private static Asha asha(SweepRequest r, Optional<SweepSection.Values> section) {
        if (r.earlyStop() == null) {
            if (r.minEpochs() != null || r.eta() != null) {
                Asha fromSection = section.map(SweepSection.Values::asha).orElse(null);
                if (fromSection == null) {
                    throw new BadInput("--min-epochs and --eta are ASHA's; add --early-stop asha");
                }
                return new Asha(r.minEpochs() != null ? r.minEpochs() : fromSection.minEpochs(),
                        r.eta() != null ? r.eta() : fromSection.eta());
            }
            return section.map(SweepSection.Values::asha).orElse(null);
        }
        if (!r.earlyStop().equals("asha")) {
            throw new BadInput("--early-stop must be asha, got " + r.earlyStop());
        }
        return new Asha(r.minEpochs() != null ? r.minEpochs() : 1, r.eta() != null ? r.eta() : 3);
    }

    private static List<SweptKey> parse(String option, List<String> assignments) {
        List<SweptKey> keys = new ArrayList<>();
        for (String a : assignments) {
            int eq = a.indexOf('=');
            String origin = option + " " + a;
            if (eq <= 0) {
                throw new BadInput(origin + ": expected KEY=VALUES, e.g. " + option + " optimizer.lr=[1e-4,3e-4,1e-3]");
            }
            keys.add(new SweptKey(a.substring(0, eq).strip(), SpaceParser.parse(a.substring(eq + 1), origin)));
        }
        return keys;
    }
}
