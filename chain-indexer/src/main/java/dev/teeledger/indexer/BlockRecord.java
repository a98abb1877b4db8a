package dev.teeledger.indexer;

import java.time.Instant;
import java.util.Objects;

/**
 * Marker that a height is completely published: the last record the indexer writes for a
 * block, to the single-partition {@code blocks} topic keyed by chain id. Consumers use it to
 * know a height is whole (all its tx and event records precede it in the same Kafka
 * transaction) and to measure indexer lag in blocks.
 *
 * @param chainId chain id
 * @param height block height
 * @param blockHash upper-case hex block hash
 * @param blockTime header time
 * @param txCount transactions in the block
 * @param failedTxCount of which had a non-zero code
 * @param eventCount events published for this height (tx events of successful txs + block events)
 */
public record BlockRecord(
        String chainId, long height, String blockHash, Instant blockTime, int txCount, int failedTxCount, int eventCount) {

    public BlockRecord {
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(blockHash, "blockHash");
        Objects.requireNonNull(blockTime, "blockTime");
    }
}
