package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.spec.BadInput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stored {@code .npz} entries ({@code numpy.savez}) are memory-mapped in place, found through the zip's own
 * directory, zip64 included; compressed ones ({@code numpy.savez_compressed}) cannot be, and say so in one line.
 * Also the choice of {@code data.memory_map} itself ({@link MemoryMapChoice}).
 */
class NpzMappingTest {
    @TempDir
    Path dir;

    private static Map<String, byte[]> arrays(int n) {
        float[] x = new float[n * 3];
        byte[] y = new byte[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = i * 0.5f - 7;
        }
        for (int i = 0; i < n; i++) {
            y[i] = (byte) (i % 2);
        }
        Map<String, byte[]> a = new LinkedHashMap<>();
        a.put("x_train", NpyFiles.npy("<f4", "(" + n + ", 3)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, x)));
        a.put("y_train", NpyFiles.npy("|u1", "(" + n + ",)", y));
        a.put("x_test", NpyFiles.npy("<f4", "(" + n + ", 3)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, x)));
        a.put("y_test", NpyFiles.npy("|u1", "(" + n + ",)", y));
        return a;
    }

    private static void sameValues(NpyRows expected, NpyRows actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        assertEquals(expected.dtype(), actual.dtype());
        for (long r = 0; r < expected.rows(); r++) {
            for (int k = 0; k < expected.rowSize(); k++) {
                assertEquals(expected.at(r, k), actual.at(r, k), "row " + r);
            }
        }
    }

    @Test
    void storedEntriesAreMappedInPlaceInRowChunks() {
        Path npz = NpyFiles.npz(dir.resolve("s.npz"), arrays(20), false);
        try (Npz archive = Npz.open(npz)) {
            assertTrue(archive.stored("x_train"));
            NpyRows mapped = archive.map("x_train", 13);
            assertTrue(mapped.mapped());
            assertEquals(20, mapped.chunkCount());
            sameValues(NpyRows.of(archive.read("x_train")), mapped);
            sameValues(NpyRows.of(archive.read("y_test")), archive.map("y_test"));
            assertEquals(npz + "[x_train]", mapped.source());
            BadInput missing = assertThrows(BadInput.class, () -> archive.map("x_val"));
            assertTrue(missing.getMessage().contains("has no array x_val"), missing.getMessage());
        }
    }

    @Test
    void compressedEntriesAreReadNotMappedAndMappingThemIsRefusedInOneLine() {
        Path npz = NpyFiles.npz(dir.resolve("c.npz"), arrays(20), true);
        try (Npz archive = Npz.open(npz)) {
            assertFalse(archive.stored("x_train"));
            Npy.Layout header = archive.layout("x_train");
            assertArrayEquals(new long[] {20, 3}, header.shape());
            assertEquals("float32", header.dtype().numpyName());
            assertThrows(IllegalStateException.class, () -> archive.map("x_train"));
        }
        BadInput e = assertThrows(BadInput.class, () -> Datasets.load(MappedDatasetTest.spec("npz", npz, "true",
                null), 0));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith(npz + "[x_train] is compressed"), e.getMessage());
        assertTrue(e.getMessage().contains("numpy.savez") && e.getMessage().contains("data.memory_map"),
                e.getMessage());
        assertFalse(Datasets.load(MappedDatasetTest.spec("npz", npz, "auto", null), 0).train().mapped());
    }

    /** A zip64 archive as Python's zipfile writes large entries: sizes and offsets only in the zip64 fields. */
    private static byte[] zip64(Map<String, byte[]> entries, String comment) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        int count = 0;
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] name = (e.getKey() + ".npy").getBytes(StandardCharsets.UTF_8);
            byte[] data = e.getValue();
            CRC32 crc = new CRC32();
            crc.update(data);
            long offset = out.size();
            ByteBuffer local = le(30 + name.length + 20);
            local.putInt(0x04034b50).putShort((short) 45).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0x21).putInt((int) crc.getValue()).putInt(-1).putInt(-1)
                    .putShort((short) name.length).putShort((short) 20).put(name)
                    .putShort((short) 1).putShort((short) 16).putLong(data.length).putLong(data.length);
            out.writeBytes(local.array());
            out.writeBytes(data);
            ByteBuffer c = le(46 + name.length + 28);
            c.putInt(0x02014b50).putShort((short) 45).putShort((short) 45).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0x21).putInt((int) crc.getValue()).putInt(-1).putInt(-1)
                    .putShort((short) name.length).putShort((short) 28).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putInt(0).putInt(-1).put(name)
                    .putShort((short) 1).putShort((short) 24).putLong(data.length).putLong(data.length)
                    .putLong(offset);
            central.writeBytes(c.array());
            count++;
        }
        long cdOffset = out.size();
        out.writeBytes(central.toByteArray());
        long zip64At = out.size();
        ByteBuffer z = le(56 + 20);
        z.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                .putLong(count).putLong(count).putLong(central.size()).putLong(cdOffset);
        z.putInt(0x07064b50).putInt(0).putLong(zip64At).putInt(1);
        out.writeBytes(z.array());
        byte[] text = comment.getBytes(StandardCharsets.UTF_8);
        ByteBuffer end = le(22 + text.length);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) -1).putShort((short) -1)
                .putInt(-1).putInt(-1).putShort((short) text.length).put(text);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void zip64ArchivesWithACommentAreMappedToo() throws IOException {
        Map<String, byte[]> a = arrays(9);
        Path npz = Files.write(dir.resolve("z64.npz"), zip64(a, "PK\u0005\u0006 written by hand, longer than "
                + "the twenty-two bytes of the record"));
        try (Npz archive = Npz.open(npz)) {
            for (String name : a.keySet()) {
                assertTrue(archive.stored(name), name);
                sameValues(NpyRows.of(archive.read(name)), archive.map(name, 1));
            }
        }
        Datasets mapped = Datasets.load(MappedDatasetTest.spec("npz", npz, "true", null), 0);
        Datasets heap = Datasets.load(MappedDatasetTest.spec("npz", npz, "false", null), 0);
        assertTrue(mapped.train().mapped());
        assertArrayEquals(heap.train().features(), mapped.train().head(9).features());
    }

    private static Npy.Layout header(String descr, long... shape) {
        NpyDtype t = NpyDtype.parse(descr);
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return new Npy.Layout("x_train.npy", t, shape, 128, n * t.size());
    }

    @Test
    void autoMapsWhatTakesMoreThanAQuarterOfTheHeapAsFloat32() {
        Npy.Layout train = header("|u1", 80_000, 784);
        Npy.Layout test = header("|u1", 10_000, 784);
        long float32 = 90_000L * 784 * 4;
        assertTrue(MemoryMapChoice.decide("auto", 4 * float32 - 4, train, test));
        assertFalse(MemoryMapChoice.decide("auto", 4 * float32, train, test));
        assertFalse(MemoryMapChoice.decide("auto", 4 * float32, train, null));
        assertTrue(MemoryMapChoice.decide("true", Long.MAX_VALUE, train, test));
        assertFalse(MemoryMapChoice.decide("false", 1L << 40, train, test));
        Npy.Layout huge = header("|u1", 3_000_000_000L, 1);
        assertTrue(MemoryMapChoice.decide("auto", Long.MAX_VALUE, huge));
    }

    @Test
    void falseRefusesWhatDoesNotFitInOneLineNamingTheKey() {
        Npy.Layout train = header("<f4", 80_000, 784);
        BadInput e = assertThrows(BadInput.class, () -> MemoryMapChoice.decide("false", 64L << 20, train, null));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("data.memory_map: false, but reading x_train.npy (shape (80000, 784) "
                + "of float32) into memory takes about 502 MB"), e.getMessage());
        assertTrue(e.getMessage().contains("set data.memory_map: auto"), e.getMessage());
        BadInput big = assertThrows(BadInput.class, () -> MemoryMapChoice.decide("false", Long.MAX_VALUE,
                header("|u1", 3_000_000_000L, 1)));
        assertTrue(big.getMessage().contains("more than one Java array holds"), big.getMessage());
        BadInput c = MemoryMapChoice.compressed("auto", train, 64L << 20);
        assertTrue(c.getMessage().contains("numpy.savez (uncompressed)"), c.getMessage());
        assertTrue(c.getMessage().contains("data.dataset: npy"), c.getMessage());
    }
}
