package dev.anneal.distributed;

/**
 * A collective between the processes of a run that did not complete: it timed out ({@code train.collective_timeout})
 * or the transport reported an error. The message is one line naming the collective, this rank and its host, and
 * the peer it waited for when known; the job is then aborted so that no rank waits forever.
 */
public class CollectiveFailure extends RuntimeException {
    public CollectiveFailure(String message) {
        super(message);
    }

    public CollectiveFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
