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
                new PlateauController.State(0.01, Double.POSITIVE_INFINITY, 0, 0, 0), Double.NaN, 75, 0.5);
        Path f = dir.resolve("trainer.json");
        TrainerStateFile.write(f, s);
        assertEquals(s, TrainerStateFile.read(f));
    }

    @Test
    void plateauFieldsAreCheckedByTheirFullName() throws IOException {
        Path f = dir.resolve("trainer.json");
        TrainerStateFile.write(f, new TrainerState(0, 0, 0, false, 0, 0,
                new PlateauController.State(0.01, 1, 0, 0, 0), 0, 0, 0));
        Files.writeString(f, Files.readString(f).replace("\"cooldownLeft\" : 0", "\"cooldownLeft\" : -1"));
        BadInput e = assertThrows(BadInput.class, () -> TrainerStateFile.read(f));
        assertTrue(e.getMessage().equals(f + ": field \"plateau.cooldownLeft\" must be a non-negative integer, got -1"),
                e.getMessage());
    }
}
