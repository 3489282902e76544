package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void helpListsTheCommands() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("schedule"), r.out());
        assertTrue(r.out().contains("config"), r.out());
    }

    @Test
    void versionNamesTheProject() {
        CliRun r = CliRun.of("--version");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("anneal "), r.out());
    }

    @Test
    void misspeltCommandSuggestsTheNearestAndExitsTwo() {
        CliRun r = CliRun.of("schedul");
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("anneal: 'schedul' is not a command of anneal; did you mean schedule?\n"
                + "Usage: anneal"), r.err());
    }

    @Test
    void misspeltOptionSuggestsTheNearest() {
        CliRun r = CliRun.of("schedule", "--config", "x.yaml", "--step", "5");
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("anneal: unknown option '--step' for anneal schedule; did you mean --steps?\n"),
                r.err());
    }

    @Test
    void missingCommandPrintsUsageAndExitsTwo() {
        CliRun r = CliRun.of();
        assertEquals(2, r.status());
        assertTrue(r.err().contains("Usage: anneal"), r.err());
    }
}
