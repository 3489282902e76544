package dev.anneal.distributed;

/**
 * An MPI call returned an error (the communicator uses {@code MPI_ERRORS_RETURN}); the message is the call's name
 * and {@code MPI_Error_string}'s text, as the native shim throws it.
 */
public final class MpiException extends RuntimeException {
    public MpiException(String message) {
        super(message);
    }
}
