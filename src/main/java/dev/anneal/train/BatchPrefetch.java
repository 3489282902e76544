package dev.anneal.train;

import dev.anneal.data.Dataset;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Gathers the next data step's batches on a background thread while the current step runs (PyTorch's
 * {@code DataLoader} prefetching, one step ahead), so the step does not wait for the host to copy, convert and
 * normalise rows: memory-mapped features ({@code data.memory_map}) are converted as they are gathered, and a GPU
 * step is short. The gathered rows are the same whichever thread copies them, so the results are the same bits.
 *
 * <p>One gather is in flight at a time, for one step of one epoch's order; {@link #take} waits for it and says
 * whether it was the step asked for (a stop or the end of an epoch may leave one that is not, which is then
 * discarded and gathered again).
 */
final class BatchPrefetch implements AutoCloseable {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "anneal-prefetch");
        t.setDaemon(true);
        return t;
    });
    private Future<?> pending;
    private Dataset data;
    private int[] order;
    private int step;

    /** Starts {@code gather}, which fills the spare host batches with step {@code s} of {@code order}. */
    void start(Dataset train, int[] epochOrder, int s, Runnable gather) {
        if (pending != null) {
            throw new IllegalStateException("a prefetch is already in flight");
        }
        pending = thread.submit(gather);
        data = train;
        order = epochOrder;
        step = s;
    }

    /**
     * Waits for the gather in flight, if any; true when it gathered step {@code s} of {@code epochOrder} on
     * {@code train}, so the spare host batches hold it. A failure of the gather is thrown here.
     */
    boolean take(Dataset train, int[] epochOrder, int s) {
        if (pending == null) {
            return false;
        }
        Future<?> f = pending;
        pending = null;
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the next batch", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
        return data == train && order == epochOrder && step == s;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
