package dev.teeledger.abci.state;

/**
 * Places inside {@link MerkleStore#commit} where a {@link FaultInjector} may make the commit
 * fail, to test that a crash at that point loses nothing committed and corrupts nothing.
 */
public enum FaultPoint {
    /** Before the new root is computed from the working set. */
    BEFORE_ROOT,
    /** After the root is computed, before the write batch is assembled. */
    BEFORE_BATCH,
    /** Tree nodes are in the write batch; flat table and metadata are not yet. */
    AFTER_NODES_STAGED,
    /** The complete batch is assembled but not written. */
    BEFORE_WRITE,
    /** The batch is durably written; pruning of old versions has not started. */
    AFTER_WRITE,
    /** The pruning batch is assembled but not written. */
    BEFORE_PRUNE_WRITE
}
