package dev.teeledger.indexer;

/**
 * A transient failure of a {@link BlockSource} or {@link BlockSink}: node or broker unreachable
 * or slow, block results not stored yet, a Kafka transaction aborted. {@link ChainIndexer}
 * backs off and retries the same height; nothing is skipped.
 */
public final class RetryableException extends Exception {
    private static final long serialVersionUID = 1L;

    public RetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
