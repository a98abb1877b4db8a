package dev.teeledger.indexer;

import java.util.List;
import java.util.Objects;

/**
 * Names of the Kafka topics the indexer writes. Event topics are per domain, so that each
 * service subscribes to what it reads; {@link #txs()} carries transaction outcomes,
 * {@link #blocks()} one marker per height, {@link #checkpoints()} (compacted) the indexer's
 * durable position. All are created before the indexer (or any consumer) starts, see
 * {@link TopicSetup}.
 *
 * @param registry {@code hsm.*}, {@code manufacturer.*}, {@code firmware.*} events
 * @param credit {@code credit.*} events
 * @param attestation {@code attestation.*} events
 * @param governance {@code gov.*} events
 * @param other events of any other type (new modules' events until they get a topic)
 * @param txs {@link TxRecord}s
 * @param blocks {@link BlockRecord}s (one partition: total order by height)
 * @param checkpoints the last published height per indexer id (one partition, compacted)
 */
public record IndexerTopics(
        String registry, String credit, String attestation, String governance, String other, String txs, String blocks,
        String checkpoints) {

    /** Default prefix: topics are {@code teeledger.registry}, {@code teeledger.credit}, ... */
    public static final String DEFAULT_PREFIX = "teeledger.";

    public IndexerTopics {
        for (String t : new String[] {registry, credit, attestation, governance, other, txs, blocks, checkpoints}) {
            Objects.requireNonNull(t, "topic");
            if (!t.matches("[A-Za-z0-9._-]{1,249}")) {
                throw new IllegalArgumentException("not a legal Kafka topic name: '" + t + "'");
            }
        }
        if (List.of(registry, credit, attestation, governance, other, txs, blocks, checkpoints).stream().distinct().count() != 8) {
            throw new IllegalArgumentException("topic names must be distinct");
        }
    }

    /** The standard names under {@code prefix}. */
    public static IndexerTopics withPrefix(String prefix) {
        return new IndexerTopics(prefix + "registry", prefix + "credit", prefix + "attestation", prefix + "governance",
                prefix + "other", prefix + "txs", prefix + "blocks", prefix + "indexer-checkpoints");
    }

    /** The topics that carry {@link ChainEvent}s. */
    public List<String> eventTopics() {
        return List.of(registry, credit, attestation, governance, other);
    }
}
