package dev.teeledger.attestation.service;

import dev.teeledger.chain.rpc.AbciQueryResult;
import dev.teeledger.chain.rpc.ChainRpcException;
import dev.teeledger.indexer.ChainEvent;
import dev.teeledger.indexer.RecordCodec;
import dev.teeledger.indexer.RecordFormatException;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.service.common.ChainClients;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Feeds the read models from the indexer's topics (ADR 0012, docs/indexer.md): every record of
 * {@code teeledger.attestation} and of {@code teeledger.credit} goes through
 * {@link AttestationStore#apply} (idempotent by event id; of the credit events only
 * {@code credit.normalized} is kept), every record of {@code teeledger.blocks} advances the
 * indexed height. Channels read {@code read_committed} and commit offsets after the record is
 * applied.
 *
 * <p>A record that does not decode, or an event missing an attribute its type promises, is
 * logged, counted ({@code teeledger_attestation_events_total{result="malformed"}}) and skipped:
 * retrying cannot fix it and stopping would freeze the read model. A database failure
 * propagates: the channel stops (readiness DOWN) and the record is read again after a restart.
 *
 * <p>A newly opened round's committee parameters (size, quorum, vote cap) are not in its event;
 * they are read once from the chain's round record, best effort: the chain is not needed to
 * build the read model, and a round left without them shows them as absent.
 */
@ApplicationScoped
public class AttestationEventConsumer {
    private static final Logger LOG = Logger.getLogger(AttestationEventConsumer.class);

    private final AttestationStore store;
    private final ChainClients chain;
    private final MeterRegistry metrics;

    public AttestationEventConsumer(AttestationStore store, ChainClients chain, MeterRegistry metrics) {
        this.store = store;
        this.chain = chain;
        this.metrics = metrics;
    }

    @Incoming("attestation")
    @Blocking(ordered = true)
    public void onAttestationRecord(byte[] value) throws SQLException {
        consume(value, "attestation");
    }

    @Incoming("credit")
    @Blocking(ordered = true)
    public void onCreditRecord(byte[] value) throws SQLException {
        consume(value, "credit");
    }

    @Incoming("blocks")
    @Blocking(ordered = true)
    public void onBlockRecord(byte[] value) throws SQLException {
        try {
            store.recordBlock(RecordCodec.decodeBlock(value));
        } catch (RecordFormatException e) {
            LOG.warnf("skipping malformed block record: %s", e.getMessage());
            metrics.counter("teeledger.attestation.events", "result", "malformed", "topic", "blocks").increment();
        }
    }

    private void consume(byte[] value, String topic) throws SQLException {
        String result;
        try {
            ChainEvent e = RecordCodec.decodeEvent(value);
            boolean fresh = store.apply(e);
            result = fresh ? "applied" : "duplicate";
            if (fresh && e.type().equals("attestation.round_opened")) {
                fillCommittee(Long.parseLong(e.attribute("round").orElseThrow()));
            }
        } catch (RecordFormatException | AttestationStore.MalformedEventException e) {
            LOG.warnf("skipping malformed %s record: %s", topic, e.getMessage());
            result = "malformed";
        }
        metrics.counter("teeledger.attestation.events", "result", result, "topic", topic).increment();
    }

    private void fillCommittee(long roundId) {
        try {
            AbciQueryResult q = chain.rpc().abciQuery("/attestation/round/" + roundId, new byte[0], 0, false);
            if (q.code() == 0 && q.value() != null) {
                AttestationRound r = AttestationRound.parseFrom(q.value());
                store.fillCommittee(roundId, r.getCommitteeSize(), r.getQuorumVotes(), r.getMaxVotes());
            }
        } catch (ChainRpcException | com.google.protobuf.InvalidProtocolBufferException | RuntimeException e) {
            LOG.debugf("committee of round %d not filled: %s", roundId, e.getMessage());
        }
    }
}
