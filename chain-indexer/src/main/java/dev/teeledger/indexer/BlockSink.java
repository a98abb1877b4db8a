package dev.teeledger.indexer;

import java.util.Optional;

/**
 * Where the indexer publishes, together with its checkpoint. {@link KafkaBlockSink} is the real
 * one; tests substitute an in-memory sink. The contract that makes restarts gap-free:
 * {@link #publish} makes a height's records and the checkpoint visible together or not at all,
 * and {@link #checkpoint} returns the last height so published.
 */
public interface BlockSink extends AutoCloseable {
    /** The last published position, empty if this indexer id never published. */
    Optional<Checkpoint> checkpoint() throws RetryableException, IndexerException;

    /**
     * Publishes one height and moves the checkpoint to it, atomically.
     *
     * @throws RetryableException if nothing was made visible and the same height may be retried
     * @throws IndexerException if publishing can never succeed (e.g. fenced by a newer instance)
     */
    void publish(IndexedBlock block) throws RetryableException, IndexerException;

    @Override
    void close();
}
