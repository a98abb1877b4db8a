package dev.teeledger.registry.service;

import dev.teeledger.indexer.BlockRecord;
import dev.teeledger.indexer.ChainEvent;
import dev.teeledger.indexer.RecordCodec;
import dev.teeledger.indexer.RecordFormatException;
import dev.teeledger.service.common.SqlRetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Feeds the read models from the indexer's topics (ADR 0012, docs/indexer.md): every record of
 * {@code teeledger.registry} goes through {@link ReadModelStore#apply} (idempotent by event id),
 * every record of {@code teeledger.blocks} advances the indexed height. Both channels read with
 * {@code isolation.level=read_committed} and commit offsets only after the record is applied.
 *
 * <p>A record that does not decode, or an event missing an attribute its type promises, is
 * logged, counted ({@code teeledger_registry_events_total{result="malformed"}}) and skipped: it
 * cannot become valid by retrying, and stopping would freeze the read model. While the database
 * is unreachable the record is retried in place ({@link SqlRetry}): consumption pauses and
 * resumes by itself when PostgreSQL is back. A permanent database error (data, constraint or
 * schema) propagates: the channel stops (readiness goes DOWN) and the uncommitted record is read
 * again after a restart, which the event-id check makes harmless.
 */
@ApplicationScoped
public class RegistryEventConsumer {
    private static final Logger LOG = Logger.getLogger(RegistryEventConsumer.class);

    private final ReadModelStore store;
    private final MeterRegistry metrics;

    public RegistryEventConsumer(ReadModelStore store, MeterRegistry metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    @Incoming("registry")
    @Blocking(ordered = true)
    public void onRegistryRecord(byte[] value) throws SQLException {
        String result;
        try {
            ChainEvent event = RecordCodec.decodeEvent(value);
            result = SqlRetry.untilDone(event.id().toString(), () -> store.apply(event)) ? "applied" : "duplicate";
        } catch (RecordFormatException | ReadModelStore.MalformedEventException e) {
            LOG.warnf("skipping malformed registry record: %s", e.getMessage());
            result = "malformed";
        }
        metrics.counter("teeledger.registry.events", "result", result).increment();
    }

    @Incoming("blocks")
    @Blocking(ordered = true)
    public void onBlockRecord(byte[] value) throws SQLException {
        try {
            BlockRecord block = RecordCodec.decodeBlock(value);
            SqlRetry.untilDone("block " + block.height(), () -> {
                store.recordBlock(block);
                return null;
            });
        } catch (RecordFormatException e) {
            LOG.warnf("skipping malformed block record: %s", e.getMessage());
        }
    }
}
