package dev.anneal.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.schedule.torch.PlateauController;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerStateFileTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsNonFiniteValuesAsJacksonWritesThem() throws IOException {
        TrainerState s = new TrainerState(7, 1, 3, true, 1, 2,
                new PlateauController.State(0.01, Double.POSITIVE_INFINITY, 0, 0, 0), Double.NaN, 75, 0.5,
                new EarlyStoppingState(0.25, 2), 0.875);
        Path f = dir.resolve("trainer.json");
        TrainerStateFile.write(f, s);
        assertEquals(s, TrainerStateFile.read(f));
    }

    @Test
    void theCountOfTrainingPassesRoundTripsAndReadsAsZeroFromAnOlderFile() throws IOException {
        TrainerState s = new TrainerState(7, 1, 3, false, 0, 0, null, 1.5, 75, 0.5, null, null, 42);
        Path f = dir.resolve("trainer.json");
        TrainerStateFile.write(f, s);
        assertEquals(s, TrainerStateFile.read(f));
        Files.writeString(f, Files.readString(f).replaceAll(",\\s*\"modelForwards\" : 42", ""));
        assertEquals(0, TrainerStateFile.read(f).modelForwards());
        Files.writeString(f, Files.readString(f).replace("\"bestKept\" : null", "\"bestKept\" : null, "
                + "\"modelForwards\" : -3"));
        BadInput e = assertThrows(BadInput.class, () -> TrainerStateFile.read(f));
        assertTrue(e.getMessage().endsWith("field \"modelForwards\" must be a non-negative integer, got -3"),
                e.getMessage());
    }

    @Test
    void plateauFieldsAreCheckedByTheirFullName() throws IOException {
        Path f = dir.resolve("trainer.json");
        TrainerStateFile.write(f, new TrainerState(0, 0, 0, false, 0, 0,
                new PlateauController.State(0.01, 1, 0, 0, 0), 0, 0, 0, null, null));
        Files.writeString(f, Files.readString(f).replace("\"cooldownLeft\" : 0", "\"cooldownLeft\" : -1"));
        BadInput e = assertThrows(BadInput.class, () -> TrainerStateFile.read(f));
        assertTrue(e.getMessage().equals(f + ": field \"plateau.cooldownLeft\" must be a non-negative integer, got -1"),
                e.getMessage());
    }

    @Test
    void aTrainerJsonWrittenBeforeEarlyStoppingAndKeepBestStillLoads() throws IOException {
        Path f = dir.resolve("trainer.json");
        Files.writeString(f, """
                {"updates": 8, "epoch": 2, "stepInEpoch": 0, "momentumStarted": false, "skippedInARow": 0,
                 "skippedTotal": 0, "plateau": null, "epochLossSum": 0.0, "epochSamples": 0, "epochSeconds": 0.0}
                """);
        TrainerState s = TrainerStateFile.read(f);
        assertEquals(8, s.updates());
        assertEquals(null, s.earlyStopping());
        assertEquals(null, s.bestKept());
    }

    @Test
    void earlyStoppingFieldsAreChecked() throws IOException {
        Path f = dir.resolve("trainer.json");
        TrainerStateFile.write(f, new TrainerState(0, 0, 0, false, 0, 0, null, 0, 0, 0,
                new EarlyStoppingState(null, 1), null));
        Files.writeString(f, Files.readString(f).replace("\"waitCount\" : 1", "\"waitCount\" : -1"));
        BadInput e = assertThrows(BadInput.class, () -> TrainerStateFile.read(f));
        assertEquals(f + ": field \"earlyStopping.waitCount\" must be a non-negative integer, got -1", e.getMessage());
    }
}
