package dev.anneal.backend.cuda;

/**
 * How Anneal's SGEMM kernels compute one product C (M x N) = op(A) (M x K) op(B) (K x N): the output tile per
 * block ({@link GemmTile}) and the number of K slices. With {@code slices == 1} one kernel computes C. With
 * {@code slices = S > 1} (deterministic split-K, like CUTLASS's parallel split-K: partials, then a reduction
 * kernel) block slice {@code s} multiplies its K range (consecutive ranges of {@code floor(K / S)}, the first
 * {@code K mod S} one longer) into its own M x N partial of a workspace, and {@code sgemm_splitk_reduce} adds the
 * S partials of each element in the fixed order 0, 1, ..., S - 1 and applies alpha and beta: no atomics, so a
 * plan gives the same bits on every run.
 *
 * <p>The rule ({@link #choose}) is a pure function of (M, N, K, SMs), so the same shape always gets the same plan
 * (and the same bits) on the same kind of device. Its aim is to launch at least one block per multiprocessor
 * where the problem allows:
 * <ol>
 *   <li>the candidate tiles are those whose row tiles fit CUDA's grid (at most 65535);</li>
 *   <li>if some candidates launch at least SMs blocks (they fill the device), take the one that pads C least
 *       ({@code tiles * rows * cols}), ties to the earlier of 128x128, 64x64, 128x32, 32x32 (larger tiles reuse
 *       each loaded element more): no split;</li>
 *   <li>else take the candidate with the most blocks, ties to the least padding (32x32 wherever its row tiles
 *       fit), and split K into {@code S = min(ceil(SMs / tiles), floor(K / 64), floor(2^20 / (M N)))} slices
 *       when that is at least 2: every slice keeps at least {@link #MIN_SLICE_K} of K (a judgement, not a
 *       measurement: shorter slices add partial traffic and a second launch for little work), and the partials
 *       fit the backend's workspace of {@link #WORKSPACE_FLOATS} floats.</li>
 * </ol>
 * A split plan's workspace is {@code S M N < (SMs + tiles) * 1024 < 2 * 1024 * SMs} floats, since
 * {@code M N <= tiles * 1024} and {@code S <= ceil(SMs / tiles)}: the 2^20-float cap only binds beyond 512 SMs.
 * Products too small to fill the device even split (those of the default models' 10-class last layers) run as
 * one wave of a few blocks: their whole work is under a million multiply-adds.
 */
record GemmPlan(GemmTile tile, int slices) {
    /** The least average K per slice of a split. */
    static final int MIN_SLICE_K = 64;
    /** The backend's split-K workspace: 2^20 floats (4 MiB), allocated once, so a graph capture never allocates. */
    static final int WORKSPACE_FLOATS = 1 << 20;

    /** {@code tile} with K in {@code slices} slices (tests give every tile and split, slices beyond K included). */
    GemmPlan {
        if (slices < 1) {
            throw new IllegalArgumentException("a gemm needs at least one K slice, got " + slices);
        }
    }

    /** The plan for an M x N x K product on a device with {@code multiprocessors} SMs (the rule above). */
    static GemmPlan choose(int m, int n, int k, int multiprocessors) {
        Grid.sgemm(GemmTile.T128X128, m, n, 1); // throws when even tiles of 128 rows exceed CUDA's grid
        long sms = Math.max(1, multiprocessors);
        GemmTile filling = null;
        GemmTile most = GemmTile.T128X128;
        for (GemmTile t : GemmTile.values()) {
            if (t.rowTiles(m) > Grid.MAX_GRID_Y) {
                continue;
            }
            if (t.tiles(m, n) >= sms && (filling == null || t.paddedArea(m, n) < filling.paddedArea(m, n))) {
                filling = t;
            }
            if (t.tiles(m, n) > most.tiles(m, n)
                    || t.tiles(m, n) == most.tiles(m, n) && t.paddedArea(m, n) < most.paddedArea(m, n)) {
                most = t;
            }
        }
        if (filling != null) {
            return new GemmPlan(filling, 1);
        }
        long tiles = most.tiles(m, n);
        long s = Math.min((sms + tiles - 1) / tiles, k / MIN_SLICE_K);
        s = Math.min(s, WORKSPACE_FLOATS / Math.max(1, (long) m * n));
        return new GemmPlan(most, (int) Math.max(1, s));
    }

    /** Whether K is split (a workspace and a reduction). */
    boolean split() {
        return slices > 1;
    }

    /** Blocks of the tile kernel: {@code tiles * slices}. */
    long blocks(int m, int n) {
        return tile.tiles(m, n) * slices;
    }

    /** Workspace floats of a split plan ({@code slices * M * N}), 0 unsplit. */
    long workspaceFloats(int m, int n) {
        return split() ? (long) slices * m * n : 0;
    }

    /** {@code "32x32 tiles, K in 3 slices"} or {@code "64x64 tiles"}. */
    @Override
    public String toString() {
        return tile.shape() + " tiles" + (split() ? ", K in " + slices + " slices" : "");
    }
}
