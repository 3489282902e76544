package dev.anneal.data;

/**
 * Batch arithmetic and gathering for one epoch of {@code n} samples.
 *
 * <p>An optimizer step (a global step, what the schedule counts) consumes {@code A} micro-batches of
 * {@code B} samples each ({@code A} = gradient accumulation, {@code B} = {@code data.batch_size}); the last step
 * of an epoch may be short and is kept (no drop-last):
 * <pre>
 * steps per epoch     = ceil(n / (B * A))
 * step s              = positions [s*B*A, min(n, (s+1)*B*A))
 * micro-batch m of s  = positions [s*B*A + m*B, min(n, s*B*A + (m+1)*B)),  m in [0, A)
 * </pre>
 * Positions index the epoch's order ({@link EpochOrder}), so the A micro-batches of a step, concatenated in
 * order, are exactly the one batch of {@code A*B} samples the step would take without accumulation. In a short
 * last step trailing micro-batches may be empty ({@link #microBatchesInStep} counts the non-empty ones); weigh
 * each micro-batch's gradient by its length over the step's length ({@code gradScale = 1 / step.length()}).
 *
 * <p>Gathering copies rows into caller-owned buffers that are reused for every batch: no allocation per batch.
 * Rows of an in-memory {@link Dataset} are copied with {@link System#arraycopy}; rows of a memory-mapped one are
 * read from the file and normalised as they are copied ({@link Dataset#copyRows}), to the same values.
 */
public final class Batches {
    private Batches() {
    }

    /** {@code ceil(n / (batchSize * accumulation))}; 0 when {@code n = 0}. */
    public static int stepsPerEpoch(int n, int batchSize, int accumulation) {
        check(n, batchSize, accumulation);
        long perStep = (long) batchSize * accumulation;
        return (int) ((n + perStep - 1) / perStep);
    }

    /** The positions of optimizer step {@code step} (0-based within the epoch). */
    public static Span step(int n, int batchSize, int accumulation, int step) {
        checkStep(n, batchSize, accumulation, step);
        long perStep = (long) batchSize * accumulation;
        long start = step * perStep;
        return new Span((int) start, (int) Math.min(n, start + perStep));
    }

    /** The positions of micro-batch {@code micro} in {@code [0, accumulation)} of step {@code step}; may be empty. */
    public static Span microBatch(int n, int batchSize, int accumulation, int step, int micro) {
        checkStep(n, batchSize, accumulation, step);
        if (micro < 0 || micro >= accumulation) {
            throw new IllegalArgumentException("micro-batch " + micro + " is out of range 0.." + (accumulation - 1));
        }
        long start = step * (long) batchSize * accumulation + (long) micro * batchSize;
        long end = Math.min(n, start + batchSize);
        return start >= n ? new Span(n, n) : new Span((int) start, (int) end);
    }

    /** The non-empty micro-batches of step {@code step}: {@code ceil(step.length() / batchSize)}, at most A. */
    public static int microBatchesInStep(int n, int batchSize, int accumulation, int step) {
        int len = step(n, batchSize, accumulation, step).length();
        return (len + batchSize - 1) / batchSize;
    }

    /**
     * Replica {@code r}'s share of {@code span} (a global micro-batch) among {@code replicas}: contiguous shards in
     * replica order whose sizes differ by at most one, the first {@code span.length() % replicas} one longer. The
     * shards partition the span, so across replicas every sample of an epoch is used exactly once; a shard may be
     * empty when the span is shorter than the replica count.
     */
    public static Span shard(Span span, int replicas, int r) {
        if (replicas < 1 || r < 0 || r >= replicas) {
            throw new IllegalArgumentException("replica " + r + " of " + replicas);
        }
        int base = span.length() / replicas;
        int extra = span.length() % replicas;
        int start = span.start() + r * base + Math.min(r, extra);
        return new Span(start, start + base + (r < extra ? 1 : 0));
    }

    /** Evaluation batches of {@code evalBatchSize} over {@code n} samples in index order: {@code ceil(n / size)}. */
    public static int evalBatches(int n, int evalBatchSize) {
        return stepsPerEpoch(n, evalBatchSize, 1);
    }

    /** Evaluation batch {@code b}: sample indices {@code [b*size, min(n, (b+1)*size))}. */
    public static Span evalBatch(int n, int evalBatchSize, int b) {
        return step(n, evalBatchSize, 1, b);
    }

    /**
     * Copies the samples at positions {@code span} of {@code order} (rows {@code order[span.start()]},
     * {@code order[span.start()+1]}, ...) into {@code x} (row-major, from index 0) and their labels into
     * {@code y}; returns the number of rows written.
     */
    public static int gather(Dataset data, int[] order, Span span, float[] x, int[] y) {
        return gather(data, order, span, x, y, 0, 0);
    }

    /** {@link #gather(Dataset, int[], Span, float[], int[])} writing from {@code x[xOffset]} and {@code y[yOffset]}. */
    public static int gather(Dataset data, int[] order, Span span, float[] x, int[] y, int xOffset, int yOffset) {
        int rows = span.length();
        if (xOffset < 0 || yOffset < 0 || xOffset + (long) rows * data.d() > x.length || yOffset + rows > y.length) {
            throw new IllegalArgumentException("buffers hold " + x.length + " floats and " + y.length + " labels, the "
                    + "batch needs " + rows + " x " + data.d() + " and " + rows + " from " + xOffset + " and " + yOffset);
        }
        if (span.end() > order.length) {
            throw new IllegalArgumentException("span " + span + " goes past the order's " + order.length + " positions");
        }
        data.copyRows(order, span.start(), rows, x, xOffset);
        int[] labels = data.labels();
        for (int r = 0; r < rows; r++) {
            y[yOffset + r] = labels[order[span.start() + r]];
        }
        return rows;
    }

    /**
     * Copies samples {@code span.start() .. span.end()-1} in index order (evaluation) into {@code x} and
     * {@code y}: one contiguous copy.
     */
    public static int gatherRange(Dataset data, Span span, float[] x, int[] y) {
        int rows = span.length();
        checkBuffers(data, rows, x, y);
        if (span.end() > data.n()) {
            throw new IllegalArgumentException("span " + span + " goes past the " + data.n() + " samples");
        }
        data.copyRange(span.start(), rows, x, 0);
        System.arraycopy(data.labels(), span.start(), y, 0, rows);
        return rows;
    }

    private static void checkBuffers(Dataset data, int rows, float[] x, int[] y) {
        if ((long) rows * data.d() > x.length || rows > y.length) {
            throw new IllegalArgumentException("buffers hold " + x.length + " floats and " + y.length
                    + " labels, the batch needs " + rows + " x " + data.d() + " and " + rows);
        }
    }

    private static void check(int n, int batchSize, int accumulation) {
        if (n < 0 || batchSize <= 0 || accumulation <= 0) {
            throw new IllegalArgumentException("need n >= 0, batch size > 0 and accumulation > 0, got " + n + ", "
                    + batchSize + ", " + accumulation);
        }
    }

    private static void checkStep(int n, int batchSize, int accumulation, int step) {
        int steps = stepsPerEpoch(n, batchSize, accumulation);
        if (step < 0 || step >= steps) {
            throw new IllegalArgumentException("step " + step + " is out of range 0.." + (steps - 1) + " ("
                    + steps + " steps per epoch)");
        }
    }
}
