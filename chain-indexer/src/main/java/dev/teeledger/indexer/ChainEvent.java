package dev.teeledger.indexer;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One ABCI event of the app, as the indexer publishes it: where it happened ({@link #id()},
 * block time, transaction hash), what it is ({@link #type()}, ordered {@link #attributes()}
 * exactly as the app emitted them) and which entity it concerns ({@link #key()}, the Kafka
 * record key, e.g. {@code hsm:<id>} or {@code round:17}; see {@link EventRouting}). Types the
 * indexer does not know are published the same way, never dropped.
 *
 * <p>Built by {@link BlockMapper}; encoded and decoded by {@link RecordCodec} (schema version
 * {@link RecordCodec#SCHEMA_VERSION}). Consumers de-duplicate by {@link #id()}.
 *
 * @param id position on chain: height, tx index (or block), event index
 * @param chainId chain the event belongs to
 * @param blockTime header time of the block
 * @param txHash upper-case hex SHA-256 of the transaction, or {@code null} for a block event
 * @param type event type, e.g. {@code gov.param_changed}
 * @param key entity key (Kafka record key)
 * @param attributes attributes in emission order; keys may repeat
 */
public record ChainEvent(
        EventId id, String chainId, Instant blockTime, String txHash, String type, String key, List<Attribute> attributes) {

    public ChainEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(blockTime, "blockTime");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        if (id.blockEvent() != (txHash == null)) {
            throw new IllegalArgumentException("a tx event needs its tx hash, a block event has none: " + id);
        }
        attributes = List.copyOf(attributes);
    }

    /** The first value of attribute {@code name}, if present. */
    public Optional<String> attribute(String name) {
        for (Attribute a : attributes) {
            if (a.key().equals(name)) {
                return Optional.of(a.value());
            }
        }
        return Optional.empty();
    }

    /**
     * One event attribute.
     *
     * @param key attribute key
     * @param value attribute value (CometBFT v0.38 events carry strings)
     */
    public record Attribute(String key, String value) {
        public Attribute {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }
}
