package dev.teeledger.indexer;

/**
 * Where the indexer reads the chain from. {@link RpcBlockSource} is the real one (CometBFT
 * RPC); tests substitute their own to drive gaps and failures.
 */
public interface BlockSource {
    /** The chain id the node serves. */
    String chainId() throws RetryableException;

    /** The newest height the node has a block for (its results may lag a moment behind). */
    long latestHeight() throws RetryableException;

    /**
     * The records of one height.
     *
     * @throws RetryableException if the node cannot answer now (including: results not stored yet)
     * @throws IndexerException if the node's answers are inconsistent
     */
    IndexedBlock fetch(long height) throws RetryableException, IndexerException;
}
