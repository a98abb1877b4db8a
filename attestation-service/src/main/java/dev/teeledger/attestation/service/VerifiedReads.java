package dev.teeledger.attestation.service;

import com.google.protobuf.ByteString;
import dev.teeledger.attestation.service.Views.LastAttestation;
import dev.teeledger.attestation.service.Views.Round;
import dev.teeledger.attestation.service.Views.Vote;
import dev.teeledger.chain.light.VerifiedQueryClient.VerifiedValue;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.RoundStatus;
import dev.teeledger.protocol.state.v1.RoundVote;
import dev.teeledger.service.common.ChainClients;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ?verified=true} reads: the attestation record straight from the chain through the
 * light client (Merkle proof against a header signed by the pinned validators; paths and keys
 * as in the chain's AttestationQueries: {@code /attestation/round/<id>} → key
 * {@code attestation/round/<20-digit id>}, {@code /attestation/vote/<id>/<verifier>},
 * {@code /attestation/last/<hsm>}), mapped to the read model's view with {@code source=chain}.
 * Absent is empty (404); an answer that fails verification is 502, an unreachable node 503,
 * no configured light client 503.
 */
@ApplicationScoped
public class VerifiedReads {
    private static final HexFormat HEX = HexFormat.of();
    private final ChainClients chain;

    public VerifiedReads(ChainClients chain) {
        this.chain = chain;
    }

    public Optional<Round> round(long id) {
        return query("/attestation/round/" + id, "attestation/round/" + number(id)).map(v -> {
            AttestationRound r = parse(() -> AttestationRound.parseFrom(v.value()));
            return fromChain(r, "chain", v.height());
        });
    }

    public Optional<Vote> vote(long roundId, String verifier) {
        return query("/attestation/vote/" + roundId + "/" + verifier, "attestation/vote/" + number(roundId) + "/" + verifier)
                .map(v -> {
                    RoundVote r = parse(() -> RoundVote.parseFrom(v.value()));
                    return new Vote(r.getRoundId(), HEX.formatHex(r.getVerifierId().toByteArray()),
                            AttestationStore.strip(r.getVerdict().name(), "VERDICT_"),
                            AttestationStore.strip(r.getReason().name(), "VERDICT_REASON_"), unsigned(r.getWeight()),
                            HEX.formatHex(r.getEvidenceDigest().toByteArray()), r.getHeight(), "chain", v.height());
                });
    }

    public Optional<LastAttestation> lastAttestation(String hsmId) {
        return query("/attestation/last/" + hsmId, "attestation/last/" + hsmId).map(v -> {
            dev.teeledger.protocol.state.v1.LastAttestation l = parse(() -> dev.teeledger.protocol.state.v1.LastAttestation.parseFrom(v.value()));
            Map<String, Long> clock = new LinkedHashMap<>();
            clock.put("clock", l.getTpmClock().getClock());
            clock.put("reset_count", Integer.toUnsignedLong(l.getTpmClock().getResetCount()));
            clock.put("restart_count", Integer.toUnsignedLong(l.getTpmClock().getRestartCount()));
            return new LastAttestation(hsmId, l.getRoundId(), l.getHeight(), HEX.formatHex(l.getEvidenceDigest().toByteArray()),
                    l.getMeasuredFirmwareList().stream().map(b -> HEX.formatHex(b.toByteArray())).toList(), clock,
                    "chain", v.height());
        });
    }

    /** The view of a chain round record (also used by the dashboard for unverified reads). */
    static Round fromChain(AttestationRound r, String source, Long verifiedHeight) {
        boolean open = r.getStatus() == RoundStatus.ROUND_STATUS_OPEN;
        return new Round(r.getId(), HEX.formatHex(r.getTestee().toByteArray()),
                AttestationStore.strip(r.getTrigger().name(), "ROUND_TRIGGER_"), r.getAttempt(), open ? "OPEN" : "CLOSED",
                open ? null : AttestationStore.strip(r.getStatus().name(), "ROUND_STATUS_"), r.getOpenedHeight(),
                r.getDeadlineHeight(), open ? null : r.getClosedHeight(), r.getCommitteeSize(), r.getQuorumVotes(),
                r.getMaxVotes(), r.getVotes(), unsigned(r.getPassWeight()), unsigned(r.getFailWeight()),
                HEX.formatHex(r.getSeed().toByteArray()), source, verifiedHeight);
    }

    private static String unsigned(ByteString b) {
        return new BigInteger(1, b.toByteArray()).toString();
    }

    private static String number(long n) {
        return String.format("%020d", n);
    }

    private Optional<VerifiedValue> query(String path, String key) {
        return chain.proven(path, key);
    }

    private static <T> T parse(ChainClients.RecordParser<T> p) {
        return ChainClients.parseProven(p);
    }
}
