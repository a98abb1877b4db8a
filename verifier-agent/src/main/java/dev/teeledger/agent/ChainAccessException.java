package dev.teeledger.agent;

/**
 * A chain read or submission the agent could not complete: the node did not answer, answered an
 * error, or returned a value that does not parse as the documented state message. Thrown by
 * {@link ChainView}; {@link #retryable()} is true for transport failures only.
 */
public final class ChainAccessException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    public ChainAccessException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
