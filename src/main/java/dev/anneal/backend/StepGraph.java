package dev.anneal.backend;

/**
 * A recorded sequence of backend ops (a CUDA graph instantiated from a stream capture) that one call replays: the
 * launch cost of a step's dozens of small kernels is paid once at capture instead of at every step.
 */
public interface StepGraph extends AutoCloseable {
    /** Queues the recorded ops again, in their order, after every op issued before. */
    void replay();

    @Override
    void close();
}
