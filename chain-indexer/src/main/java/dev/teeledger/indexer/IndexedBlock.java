package dev.teeledger.indexer;

import java.util.List;
import java.util.Objects;

/**
 * Everything the indexer publishes for one height, in publication order: the transaction
 * outcomes, the events (tx events in tx order, then block events) and the closing
 * {@link BlockRecord}. Produced by {@link BlockMapper}, consumed by a {@link BlockSink}, which
 * writes it atomically together with the checkpoint.
 *
 * @param block the height's marker record
 * @param txs one record per transaction, in block order
 * @param events the published events, in {@link EventId} order
 */
public record IndexedBlock(BlockRecord block, List<TxRecord> txs, List<ChainEvent> events) {

    public IndexedBlock {
        Objects.requireNonNull(block, "block");
        txs = List.copyOf(txs);
        events = List.copyOf(events);
    }

    /** The block height. */
    public long height() {
        return block.height();
    }
}
