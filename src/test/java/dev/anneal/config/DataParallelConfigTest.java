package dev.anneal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.optim.LrScaling;
import dev.anneal.optim.OptimizerTypes;
import dev.anneal.spec.SpecException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code devices}, device lists, the global batch and {@code optimizer.lr_scaling} as the config binds them. */
class DataParallelConfigTest {

    private static AnnealConfig config(String yaml) {
        return LoadedConfig.parse("t.yaml", yaml, List.of()).config();
    }

    private static String rejected(String yaml) {
        return assertThrows(ConfigError.class, () -> config(yaml)).getMessage();
    }

    @Test
    void devicesDefaultsToOneOrToTheLengthOfADeviceList() {
        assertEquals(1, config("optimizer: {type: adam}\n").devices());
        assertEquals(4, config("optimizer: {type: adam}\ndevice: cuda:0,1,2,3\n").devices());
        assertEquals(2, config("optimizer: {type: adam}\ndevice: cuda:3,1\n").devices());
        assertEquals(1, config("optimizer: {type: adam}\ndevice: cuda:3\n").devices());
        AnnealConfig cpu = config("optimizer: {type: adam}\ndevice: cpu\ndevices: 4\n");
        assertEquals(4, cpu.devices());
        assertEquals("cpu", cpu.device());
        assertEquals(3, config("optimizer: {type: adam}\ndevice: cuda:0,1,2\ndevices: 3\n").devices());
    }

    @Test
    void globalBatchIsBatchSizeTimesDevicesTimesAccumulationSteps() {
        AnnealConfig c = config("""
                optimizer: {type: sgd, lr: 0.1}
                data: {batch_size: 32}
                train: {accumulation_steps: 2}
                devices: 4
                """);
        assertEquals(256, c.globalBatch());
        assertEquals(1.0, c.lrScalingFactor());
        assertEquals(0.1, c.effectiveLr());
        assertEquals(LrScaling.NONE, c.lrScaling());
    }

    @Test
    void aJobOfSeveralProcessesCountsEveryReplicaOfEveryProcess() {
        AnnealConfig c = config("""
                optimizer: {type: sgd, lr: 0.1, lr_scaling: linear, reference_batch: 64}
                schedule: {type: step, step_size: 12, scale_with_devices: true}
                data: {batch_size: 32}
                device: cuda:2,3
                """);
        assertEquals(c, c.acrossProcesses(1));
        AnnealConfig job = c.acrossProcesses(3);
        assertEquals(6, job.devices());
        assertEquals(192, job.globalBatch());
        assertEquals(0.3, job.effectiveLr(), 1e-15);
        assertEquals(2, c.devices(), "each process keeps its own devices");
        assertEquals(c.schedule().forDevices(6), job.effectiveSchedule(), "step_size 12 over 6 replicas");
        assertTrue(!c.schedule().forDevices(6).equals(c.effectiveSchedule()), "and not over this process's 2");
        SpecException e = assertThrows(SpecException.class, () -> c.acrossProcesses(7));
        assertTrue(e.getMessage().contains("step_size"), e.getMessage());
    }

    @Test
    void linearScalingMultipliesTheRateByGlobalBatchOverReferenceBatch() {
        AnnealConfig c = config("""
                optimizer: {type: sgd, lr: 0.1, lr_scaling: linear, reference_batch: 256}
                data: {batch_size: 64}
                train: {accumulation_steps: 2}
                devices: 8
                """);
        assertEquals(1024, c.globalBatch());
        assertEquals(4.0, c.lrScalingFactor());
        assertEquals(0.4, c.effectiveLr());
        assertEquals(0.1, c.optimizer().lr(), "optimizer.lr stays the configured rate");
        AnnealConfig half = config("""
                optimizer: {type: adamw, lr: 0.001, lr_scaling: linear, reference_batch: 256}
                data: {batch_size: 128}
                """);
        assertEquals(0.5, half.lrScalingFactor());
        assertEquals(0.0005, half.effectiveLr());
    }

    @Test
    void lrScalingIsAcceptedByEveryOptimizerType() {
        for (String type : OptimizerTypes.all().keySet()) {
            AnnealConfig c = config("optimizer: {type: " + type + ", lr: 0.01, lr_scaling: linear, "
                    + "reference_batch: 64}\ndata: {batch_size: 64}\ndevices: 2\n");
            assertEquals(2.0, c.lrScalingFactor(), type);
            assertEquals(0.02, c.effectiveLr(), 1e-18, type);
        }
    }

    @Test
    void badDevicesNameTheKeyAndTheFix() {
        assertEquals("t.yaml:2: devices must be >= 1 (replicas, one per device), got 0",
                rejected("optimizer: {type: adam}\ndevices: 0\n"));
        assertEquals("t.yaml:2: devices must be a whole number, got '2.5'",
                rejected("optimizer: {type: adam}\ndevices: 2.5\n"));
        assertEquals("t.yaml:2: devices must be a whole number, got '2'",
                rejected("optimizer: {type: adam}\ndevices: '2'\n"));
        assertEquals("t.yaml:3: devices is 4 but device: cuda:0,1 lists 2 GPUs; set devices: 2, list 4 GPUs, or "
                + "drop devices (it defaults to the list's length)",
                rejected("optimizer: {type: adam}\ndevice: cuda:0,1\ndevices: 4\n"));
        assertEquals("t.yaml:3: devices is 3 but device: cuda:1 names one GPU; use device: cuda (cuda:0 to cuda:2) "
                + "or list them, e.g. device: cuda:1,2,3",
                rejected("optimizer: {type: adam}\ndevice: cuda:1\ndevices: 3\n"));
    }

    @Test
    void badDeviceListsGetTheNearestValidForm() {
        assertEquals("t.yaml:2: device names cuda:1 twice in 'cuda:0,1,1'; list each GPU once, e.g. cuda:0,1",
                rejected("optimizer: {type: adam}\ndevice: cuda:0,1,1\n"));
        assertEquals("t.yaml:2: device must be auto | cpu | cuda | cuda:N | cuda:N,M,... (N a device number >= 0), "
                + "got 'cuda:0, 1'; did you mean cuda:0,1?", rejected("optimizer: {type: adam}\ndevice: 'cuda:0, 1'\n"));
        assertEquals("did you mean cuda:0,1?", hint(rejected("optimizer: {type: adam}\ndevice: cuda:0,cuda:1\n")));
        assertEquals("did you mean cuda:2,3?", hint(rejected("optimizer: {type: adam}\ndevice: 'gpu2, gpu3'\n")));
        assertEquals("did you mean cuda (the first GPU) or cuda:N?",
                hint(rejected("optimizer: {type: adam}\ndevice: 'cuda:0,'\n")));
        assertEquals("t.yaml:2: device must be one name, got a list; write several GPUs as cuda:0,1 (distinct "
                + "numbers after cuda:)", rejected("optimizer: {type: adam}\ndevice: [cuda:0, cuda:1]\n"));
    }

    private static String hint(String message) {
        return message.substring(message.lastIndexOf("; ") + 2);
    }

    @Test
    void lrScalingKeysAreCheckedWithFileLineAndNearestKey() {
        assertEquals("t.yaml:1: optimizer.reference_batch is required with lr_scaling: linear: the global batch "
                + "size optimizer.lr was tuned for (Goyal et al. use 256)", rejected("""
                optimizer:
                  type: sgd
                  lr: 0.1
                  lr_scaling: linear
                """));
        assertEquals("t.yaml:4: optimizer.reference_batch applies only with lr_scaling: linear; remove it or set "
                + "lr_scaling: linear", rejected("""
                optimizer:
                  type: sgd
                  lr: 0.1
                  reference_batch: 256
                """));
        assertEquals("t.yaml:4: optimizer.reference_batch must be > 0, got 0", rejected("""
                optimizer:
                  type: sgd
                  lr: 0.1
                  reference_batch: 0
                  lr_scaling: linear
                """));
        assertEquals("t.yaml:4: optimizer.lr_scaling must be one of none | linear, got 'lineer'; did you mean "
                + "linear?", rejected("""
                optimizer:
                  type: sgd
                  lr: 0.1
                  lr_scaling: lineer
                """));
        assertEquals("t.yaml:4: optimizer.lr_scalling is not a key of adamw; did you mean lr_scaling?", rejected("""
                optimizer:
                  type: adamw
                  lr: 0.1
                  lr_scalling: linear
                """));
        assertEquals("t.yaml:2: optimizer.reference_batch must be a whole number, got '256.5'",
                rejected("optimizer: {type: adam,\n  lr_scaling: linear, reference_batch: 256.5}\n"));
    }

    @Test
    void linearScalingIsRejectedWhereTheScheduleSetsAbsoluteRates() {
        String message = rejected("""
                optimizer: {type: sgd, lr: 0.1, lr_scaling: linear, reference_batch: 128}
                schedule: {type: piecewise_constant, boundaries: [10], values: [0.1, 0.01]}
                """);
        assertEquals("t.yaml:1: optimizer.lr_scaling linear scales optimizer.lr, but schedule.values of "
                + "piecewise_constant are absolute rates that it would leave unchanged; scale them yourself and use "
                + "lr_scaling: none", message);
        String nested = rejected("""
                optimizer: {type: sgd, lr: 0.1, lr_scaling: linear, reference_batch: 128}
                schedule:
                  type: sequential
                  milestones: [5]
                  schedules: [{type: step, step_size: 2}, {type: one_cycle, max_lr: 1.0, total_steps: 10}]
                """);
        assertTrue(nested.startsWith("t.yaml:1: optimizer.lr_scaling linear scales optimizer.lr, but "
                + "schedule.schedules[1].max_lr of one_cycle is absolute rates"), nested);
        assertEquals(1.0, config("""
                optimizer: {type: sgd, lr: 0.1, lr_scaling: linear, reference_batch: 128}
                schedule: {type: cosine, t_max: 10, eta_min: 0.001}
                """).lrScalingFactor(), "floors such as eta_min are allowed");
    }

    @Test
    void aDurationThatVanishesOnTheConfiguredDevicesIsReportedAtItsLine() {
        assertEquals("t.yaml:4: schedule.step_size = 3 becomes 0 when divided among 4 devices (scale_with_devices); "
                + "use a larger value or turn scaling off", rejected("""
                optimizer: {type: sgd, lr: 0.1}
                schedule:
                  type: step
                  step_size: 3
                  scale_with_devices: true
                devices: 4
                """));
    }

    @Test
    void effectiveScheduleDividesDurationsOnlyWithScaleWithDevices() {
        AnnealConfig on = config("""
                optimizer: {type: sgd, lr: 0.1}
                schedule: {type: multi_step, milestones: [30, 60], scale_with_devices: true}
                devices: 4
                """);
        assertEquals(List.of(7L, 15L), ((dev.anneal.schedule.torch.MultiStep) on.effectiveSchedule().spec())
                .milestones());
        AnnealConfig off = config("""
                optimizer: {type: sgd, lr: 0.1}
                schedule: {type: multi_step, milestones: [30, 60]}
                devices: 4
                """);
        assertEquals(off.schedule(), off.effectiveSchedule());
    }

    @Test
    void withDevicesChangesTheReplicaCountAndFitsADeviceListToIt() {
        AnnealConfig listed = config("optimizer: {type: adam}\ndevice: cuda:2,3\n");
        assertEquals("cuda", listed.withDevices(4).device());
        assertEquals(4, listed.withDevices(4).devices());
        assertEquals("cuda:2,3", listed.withDevices(2).device());
        AnnealConfig one = config("optimizer: {type: adam}\ndevice: cuda:1\n");
        assertEquals("cuda:1", one.withDevices(1).device());
        assertEquals("cuda", one.withDevices(2).device());
        AnnealConfig cpu = config("optimizer: {type: adam}\ndevice: cpu\n");
        assertEquals("cpu", cpu.withDevices(8).device());
        assertEquals(8 * 128, cpu.withDevices(8).globalBatch());
    }
}
