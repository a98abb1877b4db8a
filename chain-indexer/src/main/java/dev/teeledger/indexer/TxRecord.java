package dev.teeledger.indexer;

import java.time.Instant;
import java.util.Objects;

/**
 * The outcome of one transaction in a block, published to the {@code txs} topic keyed by
 * {@link #txHash()}, so that services can move a submission's tracking resource from pending
 * to committed (code 0) or rejected (any other code) without polling the node.
 *
 * @param chainId chain id
 * @param height block height
 * @param txIndex index of the transaction in the block
 * @param txHash upper-case hex SHA-256 of the transaction bytes (CometBFT's tx hash)
 * @param blockTime header time of the block
 * @param code ABCI result code, 0 = success
 * @param codespace result code namespace (empty for the app's own codes)
 * @param log the node's log string (not covered by consensus; informational only)
 * @param eventCount number of events the transaction emitted (published only when code is 0)
 */
public record TxRecord(
        String chainId, long height, int txIndex, String txHash, Instant blockTime, int code, String codespace,
        String log, int eventCount) {

    public TxRecord {
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(txHash, "txHash");
        Objects.requireNonNull(blockTime, "blockTime");
        codespace = codespace == null ? "" : codespace;
        log = log == null ? "" : log;
    }

    /** Whether the transaction succeeded. */
    public boolean ok() {
        return code == 0;
    }
}
