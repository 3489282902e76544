package dev.anneal.distributed;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The waiting side of a non-blocking MPI operation: the caller tests its requests, and after a round in which
 * nothing completed calls {@link #idle()}, which yields the CPU for the first {@value #YIELD_NANOS} ns of
 * idleness (ranks are often more than the cores, and a yield lets the rank we wait for run), then parks
 * {@value #PARK_NANOS} ns at a time. {@link #expired()} is true once {@code timeout} has passed since the
 * operation started.
 */
final class Poll {
    static final long YIELD_NANOS = 2_000_000;
    static final long PARK_NANOS = 200_000;

    private final long deadline;
    private long idleSince = -1;

    Poll(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a collective's timeout must be > 0, got " + timeout);
        }
        this.deadline = System.nanoTime() + timeout.toNanos();
    }

    /** Something completed: the next idle round yields again. */
    void progressed() {
        idleSince = -1;
    }

    /** Nothing completed in this round: yield or park. */
    void idle() {
        long now = System.nanoTime();
        if (idleSince < 0) {
            idleSince = now;
        }
        if (now - idleSince < YIELD_NANOS) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(PARK_NANOS);
        }
    }

    boolean expired() {
        return System.nanoTime() - deadline > 0;
    }
}
