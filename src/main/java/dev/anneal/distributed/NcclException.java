package dev.anneal.distributed;


/** An NCCL call failed: {@code ncclSend: unhandled cuda error (ncclResult 1): <detail>}, one line. */
public final class NcclException extends CollectiveFailure {
    public NcclException(String message) {
        super(message);
    }
}
