package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.spec.BadInput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code -Danneal.cuda.copy_stream}: on by default, off on request, anything else one line naming it. */
class StagingSwitchTest {
    @AfterEach
    void restore() {
        System.clearProperty(Staging.COPY_STREAM_PROPERTY);
    }

    @Test
    void theCopyStreamIsOnUnlessTurnedOff() {
        assertTrue(Staging.copyStreamOn());
        System.setProperty(Staging.COPY_STREAM_PROPERTY, "off");
        assertFalse(Staging.copyStreamOn());
        System.setProperty(Staging.COPY_STREAM_PROPERTY, "on");
        assertTrue(Staging.copyStreamOn());
        System.setProperty(Staging.COPY_STREAM_PROPERTY, "no");
        BadInput e = assertThrows(BadInput.class, Staging::copyStreamOn);
        assertEquals("-Danneal.cuda.copy_stream must be on or off, got 'no'", e.getMessage());
    }
}
