package dev.anneal.distributed;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * A collective operation did not finish within its timeout, most likely because another rank died, hangs, or is
 * cut off by the network (MPI itself would wait forever). The message is one line, for example
 * {@code collective 'gradient sum' timed out after 300 s on rank 1 (host h) waiting for rank 0}. The operation's
 * buffers may still be in use by MPI: the only safe continuation is {@link MpiWorld#abort(int)}.
 */
public final class CollectiveTimeout extends CollectiveFailure {
    private final String what;
    private final int rank;
    private final String waitingFor;

    CollectiveTimeout(String what, Duration timeout, int rank, String host, String waitingFor) {
        super("collective '" + what + "' timed out after " + seconds(timeout) + " on rank " + rank + " (host " + host
                + ") waiting for " + waitingFor);
        this.what = what;
        this.rank = rank;
        this.waitingFor = waitingFor;
    }

    /** The operation's name, as the caller gave it ("gradient sum"). */
    public String what() {
        return what;
    }

    /** The rank that timed out (this process). */
    public int rank() {
        return rank;
    }

    /** Whom it was waiting for: "rank 0", or "the other 2 ranks" when a collective cannot tell. */
    public String waitingFor() {
        return waitingFor;
    }

    /** "300 s", "0.25 s": the duration in seconds without trailing zeros. */
    static String seconds(Duration d) {
        BigDecimal s = BigDecimal.valueOf(d.toNanos()).movePointLeft(9).stripTrailingZeros();
        return (s.scale() < 0 ? s.setScale(0) : s).toPlainString() + " s";
    }
}
