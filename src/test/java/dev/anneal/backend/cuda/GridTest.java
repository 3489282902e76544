package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GridTest {
    @Test
    void gridStrideUsesOneThreadPerElementUpToThirtyTwoBlocksPerMultiprocessor() {
        assertEquals(new Grid(1, 1, 256), Grid.gridStride(0, 132));
        assertEquals(new Grid(1, 1, 256), Grid.gridStride(1, 132));
        assertEquals(new Grid(1, 1, 256), Grid.gridStride(31, 132));
        assertEquals(new Grid(1, 1, 256), Grid.gridStride(256, 132));
        assertEquals(new Grid(2, 1, 256), Grid.gridStride(257, 132));
        assertEquals(new Grid(5, 1, 256), Grid.gridStride(1025, 132));
        assertEquals(new Grid(3907, 1, 256), Grid.gridStride(1_000_003, 132), "ceil(1000003 / 256) under 132 x 32");
        assertEquals(new Grid(132 * 32, 1, 256), Grid.gridStride(100_000_000, 132));
        assertEquals(new Grid(40 * 32, 1, 256), Grid.gridStride(1_000_003, 40));
        assertEquals(new Grid(32, 1, 256), Grid.gridStride(1L << 40, 0), "an unknown SM count still launches");
    }

    @Test
    void sgemmCoversEveryOutputWithItsTileAndPutsKSlicesAcross() {
        GemmTile big = GemmTile.T128X128;
        assertEquals(new Grid(1, 1, 256), Grid.sgemm(big, 1, 1, 1));
        assertEquals(new Grid(1, 1, 256), Grid.sgemm(big, 31, 31, 1));
        assertEquals(new Grid(1, 1, 256), Grid.sgemm(big, 128, 128, 1));
        assertEquals(new Grid(9, 1, 256), Grid.sgemm(big, 31, 1025, 1), "x counts columns of C");
        assertEquals(new Grid(1, 9, 256), Grid.sgemm(big, 1025, 31, 1), "y counts rows of C");
        assertEquals(new Grid(2, 2, 256), Grid.sgemm(big, 129, 130, 1));
        assertEquals(new Grid(7813, 2, 256), Grid.sgemm(big, 200, 1_000_003, 1));
        assertEquals(new Grid(1, 65535, 256), Grid.sgemm(big, 65535 * 128, 5, 1));
        assertEquals(new Grid(3, 3, 256), Grid.sgemm(GemmTile.T64X64, 129, 130, 1));
        assertEquals(new Grid(5, 2, 256), Grid.sgemm(GemmTile.T128X32, 129, 130, 1));
        assertEquals(new Grid(5, 5, 256), Grid.sgemm(GemmTile.T32X32, 129, 130, 1));
        assertEquals(new Grid(5 * 7, 5, 256), Grid.sgemm(GemmTile.T32X32, 129, 130, 7), "slice s: x in [5s, 5s+5)");
        IllegalArgumentException tooTall = assertThrows(IllegalArgumentException.class,
                () -> Grid.sgemm(big, 65535 * 128 + 1, 5, 1));
        assertEquals("gemm with 8388481 result rows needs 65536 row tiles of 128, more than CUDA's 65535",
                tooTall.getMessage());
        IllegalArgumentException tooWide = assertThrows(IllegalArgumentException.class,
                () -> Grid.sgemm(GemmTile.T32X32, 1, Integer.MAX_VALUE, 33));
        assertEquals("gemm with 2147483647 result columns in 33 K slices needs 2214592512 blocks across, CUDA takes"
                + " 1 to 2147483647", tooWide.getMessage());
    }

    @Test
    void rowColumnAndReductionGrids() {
        assertEquals(new Grid(1, 1, 256), Grid.softmaxRows(1));
        assertEquals(new Grid(4, 1, 256), Grid.softmaxRows(31), "8 rows (warps) per block");
        assertEquals(new Grid(129, 1, 256), Grid.softmaxRows(1025));
        assertEquals(new Grid(125_001, 1, 256), Grid.softmaxRows(1_000_003));
        assertEquals(new Grid(1, 1, 256), Grid.columns(1));
        assertEquals(new Grid(5, 1, 256), Grid.columns(1025));
        assertEquals(new Grid(1024, 1, 256), Grid.reducePartials(), "fixed, whatever the device");
        assertEquals("grid (1024, 1) x 256 threads", Grid.reducePartials().toString());
    }

    @Test
    void squaredNormUsesTheSameGridOnEveryDevice() {
        PlannedBackend small = new PlannedBackend(2);
        PlannedBackend large = new PlannedBackend(132);
        for (PlannedBackend b : new PlannedBackend[] {small, large}) {
            b.squaredNorm(b.allocate(1_000_003), 0, 1_000_003, b.allocate(1), 0);
        }
        assertEquals(small.launches.get(0).grid(), large.launches.get(0).grid());
        assertEquals(1024, small.launches.get(1).args().values().get(1), "final sums all 1024 partials");
    }
}
