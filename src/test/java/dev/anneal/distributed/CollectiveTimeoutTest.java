package dev.anneal.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CollectiveTimeoutTest {
    @Test
    void theMessageIsOneLineNamingOperationRankHostAndPeer() {
        CollectiveTimeout e = new CollectiveTimeout("gradient sum", Duration.ofSeconds(300), 1, "h", "rank 0");
        assertEquals("collective 'gradient sum' timed out after 300 s on rank 1 (host h) waiting for rank 0",
                e.getMessage());
        assertEquals("gradient sum", e.what());
        assertEquals(1, e.rank());
        assertEquals("rank 0", e.waitingFor());
    }

    @Test
    void fractionalTimeoutsKeepTheirDigitsAndNoTrailingZeros() {
        assertEquals("0.25 s", CollectiveTimeout.seconds(Duration.ofMillis(250)));
        assertEquals("1.5 s", CollectiveTimeout.seconds(Duration.ofMillis(1500)));
        assertEquals("10 s", CollectiveTimeout.seconds(Duration.ofSeconds(10)));
    }
}
