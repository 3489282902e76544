package dev.anneal.train;

import dev.anneal.data.Batches;
import dev.anneal.data.Dataset;
import dev.anneal.data.Span;

/**
 * One replica's share of one data step, gathered on the host: the rows of its shard of every micro-batch
 * (micro-batch {@code m} at rows {@code [m * batch, (m + 1) * batch)}), their labels, and each micro-batch's row
 * count. A replica keeps two, so that the next step's can be gathered while the current one's is on the device.
 */
final class HostBatch {
    final float[] x;
    final int[] labels;
    final int[] rows;
    private final int batch;
    private final int accumulation;

    HostBatch(int batch, int accumulation, int d) {
        this.batch = batch;
        this.accumulation = accumulation;
        this.x = new float[Math.multiplyExact(Math.multiplyExact(batch, accumulation), d)];
        this.labels = new int[batch * accumulation];
        this.rows = new int[accumulation];
    }

    /**
     * Gathers replica {@code r}'s shards of step {@code s}'s micro-batches (global micro-batches of
     * {@code batch * replicas} samples of {@code order}, shard {@code r} of each, {@link Batches#shard}).
     */
    void gather(Dataset train, int[] order, int s, int replicas, int r) {
        int n = train.n();
        int global = batch * replicas;
        int micro = Batches.microBatchesInStep(n, global, accumulation, s);
        int d = train.d();
        for (int m = 0; m < accumulation; m++) {
            rows[m] = 0;
            if (m < micro) {
                Span shard = Batches.shard(Batches.microBatch(n, global, accumulation, s, m), replicas, r);
                int offset = m * batch;
                rows[m] = Batches.gather(train, order, shard, x, labels, offset * d, offset);
            }
        }
    }
}
