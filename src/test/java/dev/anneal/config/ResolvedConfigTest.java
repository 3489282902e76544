package dev.anneal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResolvedConfigTest {

    @Test
    void resolvedConfigListsDefaultsAndReadsBackToTheSameConfig() {
        AnnealConfig c = LoadedConfig.parse("x.yaml", """
                optimizer: {type: adam}
                schedule:
                  type: step
                  step_size: 7
                  warmup: {steps: 5}
                """, List.of()).config();
        String yaml = ResolvedConfig.toYaml(c);
        assertTrue(yaml.contains("lr: 0.001"), yaml);
        assertTrue(yaml.contains("gamma: 0.1"), yaml);
        assertTrue(yaml.contains("start_factor: 0.0"), yaml);
        assertTrue(yaml.contains("unit: step"), yaml);
        assertTrue(yaml.contains("lr_scaling: none"), yaml);
        assertTrue(yaml.contains("devices: 1"), yaml);
        assertFalse(yaml.contains("reference_batch"), yaml);
        AnnealConfig again = LoadedConfig.parse("resolved.yaml", yaml, List.of()).config();
        assertEquals(c, again);
    }

    private static final String PARALLEL = """
            optimizer: {type: sgd, lr: 0.1, momentum: 0.9, lr_scaling: linear, reference_batch: 256}
            schedule:
              type: multi_step
              milestones: [300, 600]
              scale_with_devices: true
              warmup: {steps: 40, start_factor: 0.25}
            data: {dataset: synthetic, batch_size: 64}
            train: {accumulation_steps: 2}
            device: cpu
            devices: 4
            """;

    @Test
    void aParallelRunRecordsDevicesAndTheEffectiveValuesAndReadsBackToTheSameConfig() {
        AnnealConfig c = LoadedConfig.parse("x.yaml", PARALLEL, List.of()).config();
        JsonNode tree = ResolvedConfig.toTree(c);
        assertEquals(4, tree.get("devices").asInt());
        assertEquals("linear", tree.at("/optimizer/lr_scaling").asText());
        assertEquals(256, tree.at("/optimizer/reference_batch").asLong());
        JsonNode effective = tree.get("effective");
        assertEquals(512, effective.get("global_batch").asLong());
        assertEquals(2.0, effective.get("lr_scaling_factor").asDouble());
        assertEquals(0.2, effective.get("lr").asDouble());
        assertEquals("[75,150]", effective.at("/schedule/milestones").toString());
        assertEquals(10, effective.at("/schedule/warmup/steps").asLong());
        assertEquals("[300,600]", tree.at("/schedule/milestones").toString(), "the inputs stay as written");
        String yaml = ResolvedConfig.toYaml(c);
        AnnealConfig again = LoadedConfig.parse("resolved.yaml", yaml, List.of()).config();
        assertEquals(c, again);
        assertEquals(yaml, ResolvedConfig.toYaml(again));
    }

    @Test
    void oneDeviceWritesNoEffectiveSchedule() {
        AnnealConfig c = LoadedConfig.parse("x.yaml", "optimizer: {type: adam}\n", List.of()).config();
        JsonNode effective = ResolvedConfig.toTree(c).get("effective");
        assertEquals(128, effective.get("global_batch").asLong());
        assertEquals(1.0, effective.get("lr_scaling_factor").asDouble());
        assertEquals(0.001, effective.get("lr").asDouble());
        assertFalse(effective.has("schedule"));
    }

    @Test
    void anEffectiveSectionThatDisagreesWithTheConfigIsRejectedAtItsKey() {
        AnnealConfig c = LoadedConfig.parse("x.yaml", PARALLEL, List.of()).config();
        String yaml = ResolvedConfig.toYaml(c);
        String edited = yaml.replace("devices: 4", "devices: 2");
        ConfigError e = assertThrows(ConfigError.class, () -> LoadedConfig.parse("r.yaml", edited, List.of()));
        int line = lineOf(edited, "  global_batch:");
        assertEquals("r.yaml:" + line + ": effective.global_batch is 512 but the rest of the config gives 256; "
                + "effective only records values derived from the other keys: delete it, or change the keys it "
                + "derives from", e.getMessage());
        String badSchedule = yaml.replace("  - 75", "  - 76");
        ConfigError s = assertThrows(ConfigError.class, () -> LoadedConfig.parse("r.yaml", badSchedule, List.of()));
        assertTrue(s.getMessage().contains("effective.schedule.milestones[0] is 76 but the rest of the config "
                + "gives 75"), s.getMessage());
        String typo = yaml.replace("  lr_scaling_factor:", "  lr_scale_factor:");
        ConfigError t = assertThrows(ConfigError.class, () -> LoadedConfig.parse("r.yaml", typo, List.of()));
        assertTrue(t.getMessage().endsWith("effective.lr_scale_factor is not a key of effective; did you mean "
                + "lr_scaling_factor?"), t.getMessage());
    }

    @Test
    void overridesRecomputeTheEffectiveValuesInsteadOfComparingThem() {
        AnnealConfig c = LoadedConfig.parse("x.yaml", PARALLEL, List.of()).config();
        String yaml = ResolvedConfig.toYaml(c);
        AnnealConfig two = LoadedConfig.parse("r.yaml", yaml, List.of("devices=2")).config();
        assertEquals(2, two.devices());
        assertEquals(256, two.globalBatch());
        assertEquals(0.1, two.effectiveLr());
        assertEquals(c.withDevices(2), two);
        ConfigError e = assertThrows(ConfigError.class, () -> LoadedConfig.parse("r.yaml", yaml,
                List.of("effective.lr=0.5")));
        assertEquals("--set effective.lr=0.5: effective.lr cannot be set: effective only records values derived from "
                + "the other keys; set optimizer.lr, optimizer.lr_scaling, data.batch_size, devices or the schedule "
                + "instead", e.getMessage());
    }

    @Test
    void aConfigWithoutTheEffectiveSectionReadsTheSame() {
        AnnealConfig c = LoadedConfig.parse("x.yaml", PARALLEL, List.of()).config();
        String yaml = ResolvedConfig.toYaml(c);
        String stripped = yaml.substring(0, yaml.indexOf("effective:"));
        assertEquals(c, LoadedConfig.parse("r.yaml", stripped, List.of()).config());
    }

    private static int lineOf(String text, String prefix) {
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith(prefix)) {
                return i + 1;
            }
        }
        throw new AssertionError(prefix + " not in\n" + text);
    }
}
