package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    private NpyArray parse(byte[] file) {
        return Npy.parse(ByteBuffer.wrap(file), "a.npy");
    }

    private String refused(byte[] file) {
        String m = assertThrows(BadInput.class, () -> parse(file)).getMessage();
        assertTrue(m.startsWith("a.npy"), m);
        assertEquals(1, m.lines().count(), m);
        return m;
    }

    @Test
    void readsLittleEndianFloat32FromAMappedFile() throws IOException {
        Path f = Files.write(dir.resolve("x.npy"), NpyFiles.npy("<f4", "(2, 3)",
                NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, -6.5f)));
        NpyArray a = Npy.read(f);
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertEquals("float32", a.dtype().numpyName());
        assertEquals(3, a.rowSize());
        assertEquals(-6.5, a.at(5));
        assertEquals(2.0, a.at(1));
    }

    @Test
    void readsBigEndianFloat64AndInt16AndVersions2And3() {
        NpyArray d = Npy.parse(ByteBuffer.wrap(NpyFiles.npy(2, "{'descr': '>f8', 'fortran_order': False, "
                + "'shape': (2,), }", NpyFiles.doubles(ByteOrder.BIG_ENDIAN, 0.1, -3))), "b.npy");
        assertEquals(0.1, d.at(0));
        assertEquals(-3.0, d.at(1));
        NpyArray s = Npy.parse(ByteBuffer.wrap(NpyFiles.npy(3, "{\"shape\": (3,), \"fortran_order\": False, "
                + "\"descr\": \"<i2\"}", NpyFiles.shorts(ByteOrder.LITTLE_ENDIAN, (short) -2, (short) 7,
                (short) 300))), "c.npy");
        assertEquals(-2, s.integerAt(0));
        assertEquals(300, s.integerAt(2));
        NpyArray u = parse(NpyFiles.npy("|u1", "(2,)", new byte[] {(byte) 255, 3}));
        assertEquals(255, u.integerAt(0));
        assertTrue(u.dtype().unsignedByte());
    }

    @Test
    void refusesABadMagicNamingTheFix() {
        assertTrue(refused("not numpy at all".getBytes()).contains("not a .npy file"));
        assertTrue(refused(new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0}).contains("data.dataset: npz"));
    }

    @Test
    void refusesTruncatedDataAndTrailingBytes() {
        byte[] whole = NpyFiles.npy("<f4", "(2, 3)", NpyFiles.floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6));
        String m = refused(Arrays.copyOf(whole, whole.length - 1));
        assertTrue(m.contains("holds 23 bytes of data, the header promises 24") && m.contains("truncated"), m);
        assertTrue(refused(Arrays.copyOf(whole, whole.length + 2)).contains("2 bytes after"));
        assertTrue(refused(Arrays.copyOf(whole, 40)).contains("truncated inside its .npy header"));
    }

    @Test
    void refusesAHeaderThatIsNotADictOrLacksKeys() {
        assertTrue(refused(NpyFiles.npy(1, "['descr', '<f4']", new byte[0])).contains("not a Python dict"));
        assertTrue(refused(NpyFiles.npy(1, "{'descr': '<f4', 'shape': (1,)}", new byte[4]))
                .contains("expected exactly descr, fortran_order and shape"));
        assertTrue(refused(NpyFiles.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,", new byte[4]))
                .contains("not a valid Python literal"));
        assertTrue(refused(NpyFiles.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
                new byte[4])).contains("integer >= 0"));
    }

    @Test
    void refusesUnknownObjectStructuredAndFortranArrays() {
        assertTrue(refused(NpyFiles.npy("<c8", "(1,)", new byte[8])).contains("dtype '<c8' is not read"));
        assertTrue(refused(NpyFiles.npy("|O", "(1,)", new byte[8])).contains("object array"));
        assertTrue(refused(NpyFiles.npy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}",
                new byte[4])).contains("structured array"));
        assertTrue(refused(NpyFiles.npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1)}",
                new byte[4])).contains("Fortran order; save it in C order"));
        assertTrue(refused(NpyFiles.npy(4, "{}", new byte[0])).contains("version 4.0"));
    }

    @Test
    void aMissingFileIsOneLine() {
        String m = assertThrows(BadInput.class, () -> Npy.read(dir.resolve("none.npy"))).getMessage();
        assertEquals(dir.resolve("none.npy") + ": no such file", m);
    }
}
