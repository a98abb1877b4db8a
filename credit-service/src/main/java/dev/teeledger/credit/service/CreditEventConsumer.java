package dev.teeledger.credit.service;

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
 * Feeds the credit read models from the indexer's {@code teeledger.credit} topic (ADR 0012,
 * docs/indexer.md): every record goes through {@link CreditStore#apply}, idempotent by event
 * id. The channel reads with {@code isolation.level=read_committed} and commits an offset only
 * after its record is applied.
 *
 * <p>A record that does not decode, or an event missing an attribute, is logged, counted
 * ({@code teeledger_credit_events_total{result="malformed"}}) and skipped: retrying cannot fix
 * it. While the database is unreachable the record is retried in place ({@link SqlRetry}), so
 * consumption resumes by itself when PostgreSQL is back. A permanent database error (data,
 * constraint or schema) propagates: the channel stops (readiness DOWN) and the record is read
 * again after a restart, which the event-id check makes harmless.
 */
@ApplicationScoped
public class CreditEventConsumer {
    private static final Logger LOG = Logger.getLogger(CreditEventConsumer.class);

    private final CreditStore store;
    private final MeterRegistry metrics;

    public CreditEventConsumer(CreditStore store, MeterRegistry metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    @Incoming("credit")
    @Blocking(ordered = true)
    public void onCreditRecord(byte[] value) throws SQLException {
        String result;
        try {
            ChainEvent event = RecordCodec.decodeEvent(value);
            result = SqlRetry.untilDone(event.id().toString(), () -> store.apply(event)) ? "applied" : "duplicate";
        } catch (RecordFormatException | CreditStore.MalformedEventException e) {
            LOG.warnf("skipping malformed credit record: %s", e.getMessage());
            result = "malformed";
        }
        metrics.counter("teeledger.credit.events", "result", result).increment();
    }
}
