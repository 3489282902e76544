package dev.anneal.backend;

/**
 * Device values being copied to the host behind the work queued before them ({@link Backend#readLater}), so the
 * host can queue more work first and read them later: a training step's statistics read while the next step runs.
 */
public interface PendingRead {
    /**
     * The values, once the copy is done: waits for it (on a GPU by polling the copy's event, which does not
     * synchronise the stream, so the work queued after the copy keeps running). The array is the caller's to
     * keep; call once.
     */
    float[] get();
}
