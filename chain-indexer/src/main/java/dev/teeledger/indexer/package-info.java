/**
 * The chain indexer (docs/indexer.md, ADR 0012): follows a CometBFT node ({@link
 * dev.teeledger.indexer.NewBlockSubscription} for latency, {@code /status} polling and
 * checkpoint-driven backfill for completeness), maps each height's transactions and ABCI events
 * to records ({@link dev.teeledger.indexer.BlockMapper}, {@link dev.teeledger.indexer.RecordCodec})
 * and publishes them, with the checkpoint, in one Kafka transaction per height ({@link
 * dev.teeledger.indexer.KafkaBlockSink}). Services consume the records with {@code
 * read_committed} and de-duplicate by {@link dev.teeledger.indexer.EventId}.
 */
package dev.teeledger.indexer;
