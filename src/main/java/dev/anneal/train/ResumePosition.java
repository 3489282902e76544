package dev.anneal.train;

import dev.anneal.config.AnnealConfig;
import dev.anneal.spec.BadInput;
import java.nio.file.Path;

/**
 * Whether a checkpoint's place in the run ({@code trainer.json}: epoch, data step, counters, plateau state) is one
 * that this config's run can have reached: within {@code train.epochs}, a data step inside an epoch of this
 * config's length, {@code updates + skippedTotal} equal to the data steps consumed (each step either updates or is
 * skipped), and a plateau state exactly when the schedule is {@code plateau}. A config whose batch, devices,
 * accumulation or dataset differ from the run that wrote the checkpoint fails here, at the file, and so does one
 * over another number of replicas (devices x processes), where the checkpoint records it.
 */
final class ResumePosition {
    private ResumePosition() {
    }

    static void check(SavedCheckpoint checkpoint, AnnealConfig config, long stepsPerEpoch, boolean plateauSchedule,
                      long replicas, int processes) {
        TrainerState s = checkpoint.state();
        Path file = checkpoint.dir().resolve(TrainerStateFile.NAME);
        if (s.replicas() != 0 && s.replicas() != replicas) {
            throw new BadInput(file + ": the run trained " + s.replicas() + " replicas, this one has " + replicas
                    + " (devices " + config.devices() + (processes > 1 ? " x " + processes + " processes" : "")
                    + "); resume with the layout that wrote it (devices, and mpirun -np)");
        }
        String differs = "; data.batch_size, devices, train.accumulation_steps or the dataset differ from the run "
                + "that wrote it, or the file was edited";
        if (s.stepInEpoch() >= stepsPerEpoch) {
            throw new BadInput(file + ": field \"stepInEpoch\" is " + s.stepInEpoch() + ", but an epoch of this "
                    + "config has " + stepsPerEpoch + " data steps" + differs);
        }
        long epochs = config.train().epochs();
        if (s.epoch() > epochs || (s.epoch() == epochs && s.stepInEpoch() > 0)) {
            long needed = s.epoch() + (s.stepInEpoch() > 0 ? 1 : 0);
            String at = s.stepInEpoch() == 0 ? "after epoch " + s.epoch() : "in epoch " + needed + " (data step "
                    + s.stepInEpoch() + ")";
            throw new BadInput(checkpoint.dir() + ": the checkpoint is " + at + ", past the end of train.epochs = "
                    + epochs + "; resume with --set train.epochs=" + needed + " or more");
        }
        long consumed = s.epoch() * stepsPerEpoch + s.stepInEpoch();
        if (s.updates() > consumed || s.skippedTotal() != consumed - s.updates()) {
            throw new BadInput(file + ": fields \"updates\" (" + s.updates() + ") + \"skippedTotal\" ("
                    + s.skippedTotal() + ") should be the data steps consumed, " + consumed + " (epoch " + s.epoch()
                    + " x " + stepsPerEpoch + " per epoch + stepInEpoch " + s.stepInEpoch() + ")" + differs);
        }
        if (plateauSchedule != (s.plateau() != null)) {
            throw new BadInput(file + ": field \"plateau\" is " + (plateauSchedule ? "null, but the schedule is "
                    + "plateau" : "set, but the schedule is not plateau") + "; the checkpoint belongs to another "
                    + "schedule");
        }
    }
}
