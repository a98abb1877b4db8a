package dev.teeledger.indexer;

import java.util.Objects;

/**
 * The indexer's durable position: the last height whose records are committed to Kafka. It is
 * written in the same Kafka transaction as that height's records, so it can never run ahead of
 * or behind what consumers see. Stored in the compacted checkpoint topic keyed by indexer id.
 *
 * @param chainId chain the height belongs to (a restart against another chain is refused)
 * @param height last published height
 * @param blockHash upper-case hex hash of that block
 */
public record Checkpoint(String chainId, long height, String blockHash) {
    public Checkpoint {
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(blockHash, "blockHash");
        if (height < 1) {
            throw new IllegalArgumentException("checkpoint height must be >= 1: " + height);
        }
    }
}
