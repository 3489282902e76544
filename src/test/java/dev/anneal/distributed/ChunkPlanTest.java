package dev.anneal.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ChunkPlanTest {
    @Test
    void chunksCoverTheVectorOnceWithAShortLastChunk() {
        ChunkPlan plan = new ChunkPlan(10_007, 1000);
        assertEquals(11, plan.chunks());
        int covered = 0;
        for (int c = 0; c < plan.chunks(); c++) {
            assertEquals(covered, plan.first(c));
            covered += plan.length(c);
        }
        assertEquals(10_007, covered);
        assertEquals(7, plan.length(10));
    }

    @Test
    void anExactMultipleHasOnlyFullChunks() {
        ChunkPlan plan = new ChunkPlan(4096, 1024);
        assertEquals(4, plan.chunks());
        assertEquals(1024, plan.length(3));
    }

    @Test
    void aVectorShorterThanAChunkIsOneChunkAndAnEmptyOneNone() {
        assertEquals(1, new ChunkPlan(3, 1 << 20).chunks());
        assertEquals(3, new ChunkPlan(3, 1 << 20).length(0));
        assertEquals(0, new ChunkPlan(0, 1000).chunks());
    }

    @Test
    void theChunkCountDoesNotOverflowNearTheLargestVector() {
        ChunkPlan plan = new ChunkPlan(Integer.MAX_VALUE, 1 << 20);
        assertEquals(2048, plan.chunks());
        assertEquals((1 << 20) - 1, plan.length(2047));
    }

    @Test
    void endRanksMoveTheVectorOnceEachWayAndMiddleRanksTwice() {
        assertEquals(4_000, ChunkPlan.bytesEachWay(0, 3, 1000));
        assertEquals(8_000, ChunkPlan.bytesEachWay(1, 3, 1000));
        assertEquals(4_000, ChunkPlan.bytesEachWay(2, 3, 1000));
        assertEquals(0, ChunkPlan.bytesEachWay(0, 1, 1000));
    }

    @Test
    void nonsensicalSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ChunkPlan(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> new ChunkPlan(10, 0));
    }
}
