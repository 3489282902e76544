package dev.anneal.backend.cuda;

/**
 * Launch geometry: a grid of {@code x} by {@code y} blocks of {@code threads} threads (one-dimensional blocks),
 * and the choices each kernel family makes:
 * <ul>
 *   <li>grid-stride kernels (elementwise, layers, optimizers): 256 threads, {@code ceil(n / 256)} blocks capped at
 *       32 per multiprocessor, at least one;</li>
 *   <li>SGEMM: 256 threads per tile of C ({@link GemmTile}), grid {@code (ceil(N / cols) * slices,
 *       ceil(M / rows))} for a plan of {@code slices} K slices ({@link GemmPlan}); the split-K reduction is a
 *       grid-stride loop;</li>
 *   <li>column sums: one thread per column;</li>
 *   <li>softmax cross-entropy rows: one warp per row, 8 rows per block;</li>
 *   <li>squared-norm partials: a FIXED 1024 blocks of 256 whatever the device, so the summation order and the
 *       result's bits never change; single-block finishers ({@code <<<1, 256>>>}).</li>
 *   <li>one-thread kernels (the dropout draw counter): {@code <<<1, 1>>>}.</li>
 * </ul>
 */
record Grid(int x, int y, int threads) {
    static final int THREADS = 256;
    static final int BLOCKS_PER_MULTIPROCESSOR = 32;
    static final int WARP = 32;
    static final int SOFTMAX_ROWS_PER_BLOCK = THREADS / WARP;
    /** The squared-norm partial grid: a constant, for deterministic sums (reduce.cu). */
    static final int REDUCE_BLOCKS = 1024;
    /** CUDA's limit on {@code gridDim.y}. */
    static final int MAX_GRID_Y = 65535;

    Grid {
        if (x < 1 || y < 1 || y > MAX_GRID_Y || threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("bad launch geometry: grid (" + x + ", " + y + ") x " + threads
                    + " threads");
        }
    }

    /** A grid-stride loop over {@code n} elements on a device with {@code multiprocessors} SMs. */
    static Grid gridStride(long n, int multiprocessors) {
        long cap = (long) Math.max(1, multiprocessors) * BLOCKS_PER_MULTIPROCESSOR;
        long blocks = Math.min(ceilDiv(n, THREADS), cap);
        return new Grid((int) Math.max(1, blocks), 1, THREADS);
    }

    /**
     * SGEMM of an M x N result in {@code tile}s and {@code slices} K slices: one block of 256 threads per tile
     * and slice, {@code x = slice * colTiles + colTile} (so the slice count never meets the y limit),
     * {@code y = rowTile}.
     */
    static Grid sgemm(GemmTile tile, int m, int n, int slices) {
        long rowTiles = tile.rowTiles(m);
        if (rowTiles > MAX_GRID_Y) {
            throw new IllegalArgumentException("gemm with " + m + " result rows needs " + rowTiles
                    + " row tiles of " + tile.rows() + ", more than CUDA's " + MAX_GRID_Y);
        }
        long x = tile.colTiles(n) * slices;
        if (slices < 1 || x > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("gemm with " + n + " result columns in " + slices
                    + " K slices needs " + x + " blocks across, CUDA takes 1 to " + Integer.MAX_VALUE);
        }
        return new Grid((int) x, (int) rowTiles, THREADS);
    }

    /** One thread per column. */
    static Grid columns(int cols) {
        return new Grid((int) Math.max(1, ceilDiv(cols, THREADS)), 1, THREADS);
    }

    /** One warp per row, 8 rows per block of 256. */
    static Grid softmaxRows(int rows) {
        return new Grid((int) Math.max(1, ceilDiv(rows, SOFTMAX_ROWS_PER_BLOCK)), 1, THREADS);
    }

    /** The fixed squared-norm partial grid. */
    static Grid reducePartials() {
        return new Grid(REDUCE_BLOCKS, 1, THREADS);
    }

    /** One block. */
    static Grid single(int threads) {
        return new Grid(1, 1, threads);
    }

    @Override
    public String toString() {
        return "grid (" + x + ", " + y + ") x " + threads + " threads";
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
