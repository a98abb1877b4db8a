package dev.teeledger.abci.app;

/**
 * Work a state module does at the end of every block, after the block's
 * transactions (normalization at interval boundaries, scheduling rounds). Runs
 * inside FinalizeBlock on the block's working set; its events become block
 * events. Must be deterministic. A thrown exception is a broken invariant and
 * halts the node.
 */
@FunctionalInterface
public interface BlockHook {
    void endBlock(TxContext ctx);
}
