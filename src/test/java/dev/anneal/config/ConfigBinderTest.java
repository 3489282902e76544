package dev.anneal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anneal.optim.AdamW;
import dev.anneal.optim.Sgd;
import dev.anneal.schedule.torch.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigBinderTest {

    private static AnnealConfig bind(String yaml) {
        return LoadedConfig.parse("x.yaml", yaml, List.of()).config();
    }

    private static String error(String yaml) {
        return assertThrows(ConfigError.class, () -> bind(yaml)).getMessage();
    }

    @Test
    void bindsSectionsAndFillsDefaults() {
        AnnealConfig c = bind("""
                optimizer:
                  type: adamw
                  lr: 3e-4
                schedule:
                  type: step
                  step_size: 30
                """);
        AdamW opt = assertInstanceOf(AdamW.class, c.optimizer());
        assertEquals(3e-4, opt.lr());
        assertEquals(0.01, opt.weightDecay());
        assertEquals(List.of(0.9, 0.999), opt.betas());
        Step step = assertInstanceOf(Step.class, c.schedule().spec());
        assertEquals(30L, step.stepSize());
        assertEquals(0.1, step.gamma());
        assertEquals("step", c.schedule().unit());
        assertEquals(false, c.schedule().scaleWithDevices());
        assertNull(c.schedule().warmup());
    }

    @Test
    void invalidValueNamesKeyPathAndLine() {
        String msg = error("""
                optimizer: {type: sgd, lr: 0.1}
                schedule:
                  type: step
                  gamma: 0.5
                  step_size: 0
                """);
        assertEquals("x.yaml:5: schedule.step_size must be > 0, got 0", msg);
    }

    @Test
    void unknownKeySuggestsNearestValidKey() {
        String msg = error("""
                optimizer: {type: sgd, lr: 0.1}
                schedule:
                  type: step
                  step_sise: 10
                """);
        assertEquals("x.yaml:4: schedule.step_sise is not a key of step; did you mean step_size?", msg);
    }

    @Test
    void unknownTypeSuggestsNearestType() {
        String msg = error("""
                optimizer: {type: adamm, lr: 0.1}
                schedule: {type: step, step_size: 3}
                """);
        assertEquals("x.yaml:1: optimizer.type 'adamm' is not a known type; did you mean adam?", msg);
    }

    @Test
    void unknownSectionSuggestsNearestSection() {
        String msg = error("""
                optimizer: {type: sgd, lr: 0.1}
                shedule: {type: step, step_size: 3}
                """);
        assertEquals("x.yaml:2: shedule is not a config section; did you mean schedule?", msg);
    }

    @Test
    void aSweepSectionPointsToAnnealSweep() {
        String msg = error("""
                optimizer: {type: sgd, lr: 0.1}
                sweep: {method: grid, parameters: {optimizer.lr: {values: [0.1, 0.01]}}}
                """);
        assertEquals("x.yaml:2: sweep describes a sweep, which anneal sweep --config FILE runs; to train one "
                + "configuration, remove the section (anneal sweep writes each trial's config without it)", msg);
    }

    @Test
    void missingRequiredKeyPointsAtItsSection() {
        String msg = error("""
                optimizer:
                  type: sgd
                  momentum: 0.9
                schedule: {type: step, step_size: 3}
                """);
        assertEquals("x.yaml:1: optimizer.lr is required", msg);
    }

    @Test
    void missingTypeListsTheTypes() {
        String msg = error("""
                optimizer: {lr: 0.1}
                schedule: {type: step, step_size: 3}
                """);
        assertEquals("x.yaml:1: optimizer.type is required; one of: sgd, adam, adamw, rmsprop", msg);
    }

    @Test
    void wrongScalarKindIsReportedWithTheValue() {
        assertEquals("x.yaml:4: schedule.step_size must be a whole number, got '2.5'", error("""
                optimizer: {type: sgd, lr: 0.1}
                schedule:
                  type: step
                  step_size: 2.5
                """));
        assertEquals("x.yaml:4: schedule.step_size must be a whole number, got 'ten'", error("""
                optimizer: {type: sgd, lr: 0.1}
                schedule:
                  type: step
                  step_size: ten
                """));
    }

    @Test
    void crossKeyRuleNamesTheKey() {
        String msg = error("""
                optimizer: {type: sgd, lr: 0.1, nesterov: true}
                schedule: {type: step, step_size: 3}
                """);
        assertEquals("x.yaml:1: optimizer.nesterov needs momentum > 0 and dampening = 0, got momentum 0.0 "
                + "and dampening 0.0", msg);
    }

    @Test
    void warmupErrorsCarryTheWarmupPath() {
        String msg = error("""
                optimizer: {type: sgd, lr: 0.1}
                schedule:
                  type: step
                  step_size: 3
                  warmup:
                    type: linear
                    steps: -4
                """);
        assertEquals("x.yaml:7: schedule.warmup.steps must be > 0, got -4", msg);
    }

    @Test
    void unknownWarmupKeyIsRejected() {
        String msg = error("""
                optimizer: {type: sgd, lr: 0.1}
                schedule:
                  type: step
                  step_size: 3
                  warmup: {type: linear, steps: 4, start_factr: 0.1}
                """);
        assertEquals("x.yaml:5: schedule.warmup.start_factr is not a key of schedule.warmup; did you mean "
                + "start_factor?", msg);
    }

    @Test
    void malformedYamlNamesTheLine() {
        String msg = error("""
                optimizer: {type: sgd, lr: 0.1}
                schedule:
                  type: step
                   step_size: 3
                """);
        assertEquals(true, msg.startsWith("x.yaml:4: not valid YAML"), msg);
    }

    @Test
    void duplicateKeyIsRejected() {
        String msg = error("""
                optimizer: {type: sgd, lr: 0.1}
                schedule:
                  type: step
                  step_size: 3
                  step_size: 4
                """);
        assertEquals("x.yaml:5: schedule.step_size is written twice (first on line 4); keep one of them", msg);
    }

    @Test
    void emptyAndNonMappingDocumentsAreRejected() {
        assertEquals("x.yaml: the file is empty; a config needs at least an optimizer section (see configs/)",
                error("  \n"));
        assertEquals("x.yaml:1: the top level must be a mapping of sections (optimizer:, schedule:), got a list; "
                + "write 'optimizer:' at the start of a line, its keys indented below it", error("- 1\n- 2\n"));
    }

    @Test
    void missingSectionIsRequired() {
        assertEquals("x.yaml: optimizer is required", error("schedule: {type: step, step_size: 3}\n"));
    }

    @Test
    void bindsPyTorchOptimizerDefaults() {
        Sgd sgd = assertInstanceOf(Sgd.class, bind("""
                optimizer: {type: sgd, lr: 0.1}
                schedule: {type: step, step_size: 3}
                """).optimizer());
        assertEquals(new Sgd(0.1, 0.0, 0.0, 0.0, false), sgd);
    }
}
