package dev.anneal.distributed;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderedSumBuffersTest {
    private static ByteBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String refusal(List<ByteBuffer> buffers, int locals, int floats) {
        return assertThrows(IllegalArgumentException.class,
                () -> OrderedSum.checkBuffers(buffers, locals, floats)).getMessage();
    }

    @Test
    void directLittleEndianBuffersLargeEnoughAreAccepted() {
        assertDoesNotThrow(() -> OrderedSum.checkBuffers(List.of(direct(10), direct(12)), 2, 10));
    }

    @Test
    void aBigEndianBufferIsRefusedBecauseItsFloatsWouldBeReadBackwards() {
        ByteBuffer big = ByteBuffer.allocateDirect(40);
        assertEquals("local buffer 0 must be a writable direct little-endian ByteBuffer, got direct=true "
                + "order=BIG_ENDIAN readOnly=false", refusal(List.of(big), 1, 10));
    }

    @Test
    void aHeapBufferIsRefusedBecauseMpiCannotAddressIt() {
        ByteBuffer heap = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("local buffer 0 must be a writable direct little-endian ByteBuffer, got direct=false "
                + "order=LITTLE_ENDIAN readOnly=false", refusal(List.of(heap), 1, 10));
    }

    @Test
    void aShortBufferTheWrongCountAndTheSameBufferTwiceAreRefused() {
        assertEquals("local buffer 1 holds 36 bytes, fewer than 10 floats",
                refusal(List.of(direct(10), direct(9)), 2, 10));
        assertEquals("expected 2 local buffers, got 1", refusal(List.of(direct(10)), 2, 10));
        ByteBuffer b = direct(10);
        assertEquals("local buffers 0 and 1 are the same buffer", refusal(List.of(b, b), 2, 10));
    }
}
