package dev.anneal.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.optim.OptimizerTypes;
import dev.anneal.schedule.ScheduleTypes;
import dev.anneal.schedule.Warmup;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's config reference names every type and every key that the records accept. */
class ReadmeReferenceTest {

    @Test
    void readmeDocumentsEveryTypeAndKey() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        List<String> missing = new ArrayList<>();
        check(readme, ScheduleTypes.all(), missing);
        check(readme, OptimizerTypes.all(), missing);
        for (RecordComponent c : Warmup.class.getRecordComponents()) {
            String key = SnakeCaseNames.INSTANCE.translate(c.getName());
            if (!readme.contains("`" + key + "`")) {
                missing.add("warmup." + key);
            }
        }
        for (String key : ConfigBinder.OPTIMIZER_KEYS) {
            if (readme.lines().noneMatch(l -> l.startsWith("| `optimizer." + key + "`"))) {
                missing.add("optimizer." + key);
            }
        }
        for (String section : ConfigBinder.SECTIONS) {
            if (readme.lines().noneMatch(l -> (l.startsWith("| `" + section + "`") || l.startsWith("###"))
                    && l.contains("`" + section + "`"))) {
                missing.add(section);
            }
        }
        sectionKeys(readme, "model", dev.anneal.model.ModelSpec.class, missing);
        sectionKeys(readme, "data", dev.anneal.data.DataSpec.class, missing);
        sectionKeys(readme, "train", dev.anneal.train.TrainSpec.class, missing);
        assertTrue(missing.isEmpty(), "README.md does not document: " + missing);
    }

    /** Each key appears in the README's section table as {@code `section.key`} (or in a grouped row). */
    private static void sectionKeys(String readme, String section, Class<?> record, List<String> missing) {
        for (RecordComponent c : record.getRecordComponents()) {
            String key = SnakeCaseNames.INSTANCE.translate(c.getName());
            String row = readme.lines().filter(l -> l.startsWith("| `" + section + ".")).filter(
                    l -> l.contains("`" + section + "." + key + "`") || l.contains(" `" + key + "`")).findFirst()
                    .orElse(null);
            if (row == null) {
                missing.add(section + "." + key);
            }
        }
    }

    private static void check(String readme, Map<String, ? extends Class<?>> types, List<String> missing) {
        for (Map.Entry<String, ? extends Class<?>> e : types.entrySet()) {
            String row = readme.lines().filter(l -> l.startsWith("| `" + e.getKey() + "` |")).findFirst().orElse(null);
            if (row == null) {
                missing.add(e.getKey());
                continue;
            }
            for (RecordComponent c : e.getValue().getRecordComponents()) {
                String key = SnakeCaseNames.INSTANCE.translate(c.getName());
                if (!row.contains("`" + key + "`")) {
                    missing.add(e.getKey() + "." + key);
                }
            }
        }
    }
}
