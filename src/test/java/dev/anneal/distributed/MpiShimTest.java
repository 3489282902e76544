package dev.anneal.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MpiShimTest {
    @TempDir
    Path dir;

    private Path library(String parent) throws IOException {
        Path file = dir.resolve(parent).resolve(MpiShim.LIBRARY);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "not an ELF file");
        return file;
    }

    @Test
    void theJarDirectoryComesBeforeAnnealHome() throws IOException {
        Path nextToJar = library("target/native");
        library("home/target/native");
        MpiShim.Location where = MpiShim.locate(Map.of(), Optional.of(dir.resolve("target")),
                dir.resolve("home").toString());
        assertEquals(Optional.of(nextToJar), where.library());
    }

    @Test
    void annealHomeIsTheLastPlace() throws IOException {
        Path inHome = library("home/target/native");
        MpiShim.Location where = MpiShim.locate(Map.of(), Optional.of(dir.resolve("elsewhere")),
                dir.resolve("home").toString());
        assertEquals(Optional.of(inHome), where.library());
    }

    @Test
    void theVariableWinsOverEveryOtherPlace() throws IOException {
        library("target/native");
        Path chosen = library("custom");
        MpiShim.Location where = MpiShim.locate(Map.of(MpiShim.PATH_VARIABLE, chosen.toString()),
                Optional.of(dir.resolve("target")), null);
        assertEquals(Optional.of(chosen), where.library());
    }

    @Test
    void aWrongVariableIsReportedNotReplacedByAnotherCopy() throws IOException {
        library("target/native");
        String missing = dir.resolve("nope.so").toString();
        MpiShim.Location where = MpiShim.locate(Map.of(MpiShim.PATH_VARIABLE, missing),
                Optional.of(dir.resolve("target")), null);
        assertEquals(Optional.empty(), where.library());
        assertEquals("ANNEAL_MPI_SHIM=" + missing + " is not a file (point it at libanneal_mpi.so, or unset it)",
                where.reason());
    }

    @Test
    void anAbsentLibraryNamesThePlacesAndTheFix() {
        MpiShim.Location where = MpiShim.locate(Map.of(), Optional.of(dir.resolve("target")),
                dir.resolve("home").toString());
        assertEquals(Optional.empty(), where.library());
        assertEquals("the MPI shim libanneal_mpi.so is not built (looked at " + dir.resolve("target/native/"
                + MpiShim.LIBRARY) + ", " + dir.resolve("home/target/native/" + MpiShim.LIBRARY) + "); install "
                + "libopenmpi-dev and rebuild with scripts/build.sh", where.reason());
    }

    @Test
    void aFileThatDoesNotLoadIsReportedWithTheLinkersReason() throws IOException {
        Path broken = library("broken");
        MpiShim.Status status = MpiShim.loadFrom(broken);
        assertFalse(status.loaded());
        assertTrue(status.reason().startsWith("cannot load the MPI shim " + broken + ": "), status.reason());
        assertTrue(status.reason().endsWith("; install libopenmpi-dev and rebuild with scripts/build.sh"),
                status.reason());
    }
}
