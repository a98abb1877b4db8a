package dev.teeledger.indexer;

/**
 * A failure the indexer cannot retry away: bad configuration, a checkpoint from another chain,
 * a node that pruned the heights still to publish, or a second indexer with the same id that
 * fenced this one. {@link ChainIndexer#run()} stops on it; transient failures (node or broker
 * unreachable, block results not yet stored) are retried inside and never surface as this.
 */
public final class IndexerException extends Exception {
    private static final long serialVersionUID = 1L;

    public IndexerException(String message) {
        super(message);
    }

    public IndexerException(String message, Throwable cause) {
        super(message, cause);
    }
}
