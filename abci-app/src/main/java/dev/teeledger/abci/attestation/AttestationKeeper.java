package dev.teeledger.abci.attestation;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.teeledger.abci.state.KvReader;
import dev.teeledger.abci.state.KvStore;
import dev.teeledger.protocol.state.v1.AkBinding;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.Beacon;
import dev.teeledger.protocol.state.v1.DueRound;
import dev.teeledger.protocol.state.v1.LastAttestation;
import dev.teeledger.protocol.state.v1.Liveness;
import dev.teeledger.protocol.state.v1.OpenRound;
import dev.teeledger.protocol.state.v1.RoundVote;
import dev.teeledger.protocol.state.v1.SelectionAccumulator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Typed access to the attestation module's state; the only class that touches
 * {@link AttestationKeys}. Built per transaction or end-block hook over that step's store
 * (read-only over a bare {@link KvReader}). Lists come back in key order, which is numeric
 * for heights and round ids and byte order for HSM ids: deterministic on every node. A stored
 * value that does not decode is a broken invariant and halts the node.
 */
public final class AttestationKeeper {
    private final KvReader reader;

    public AttestationKeeper(KvReader reader) {
        this.reader = reader;
    }

    private KvStore writer() {
        if (reader instanceof KvStore store) {
            return store;
        }
        throw new IllegalStateException("read-only attestation keeper");
    }

    // --- rounds ---

    /** Takes the next round id (ids start at 1 and never repeat). */
    public long takeRoundId() {
        byte[] raw = reader.get(AttestationKeys.SEQUENCE);
        long next = raw == null ? 1 : ByteBuffer.wrap(raw).getLong();
        writer().put(AttestationKeys.SEQUENCE, ByteBuffer.allocate(8).putLong(next + 1).array());
        return next;
    }

    public Optional<AttestationRound> round(long id) {
        return Optional.ofNullable(read(AttestationKeys.round(id), AttestationRound.parser(), "round"));
    }

    public void putRound(AttestationRound round) {
        writer().put(AttestationKeys.round(round.getId()), round.toByteArray());
    }

    // --- votes ---

    public Optional<RoundVote> vote(long roundId, byte[] verifierId) {
        return Optional.ofNullable(read(AttestationKeys.vote(roundId, verifierId), RoundVote.parser(), "vote"));
    }

    public void putVote(RoundVote vote) {
        writer().put(AttestationKeys.vote(vote.getRoundId(), vote.getVerifierId().toByteArray()), vote.toByteArray());
    }

    /** Every vote of the round, ordered by verifier id. */
    public List<RoundVote> votes(long roundId) {
        List<RoundVote> out = new ArrayList<>();
        reader.scan(AttestationKeys.votePrefix(roundId), (k, v) -> out.add(decode(v, RoundVote.parser(), "vote")));
        return out;
    }

    // --- one open round per HSM ---

    public Optional<Long> openRound(byte[] hsmId) {
        OpenRound open = read(AttestationKeys.open(hsmId), OpenRound.parser(), "open round");
        return open == null ? Optional.empty() : Optional.of(open.getRoundId());
    }

    public void setOpen(byte[] hsmId, long roundId) {
        writer().put(AttestationKeys.open(hsmId), OpenRound.newBuilder().setRoundId(roundId).build().toByteArray());
    }

    public void clearOpen(byte[] hsmId) {
        writer().delete(AttestationKeys.open(hsmId));
    }

    // --- due queue: HSMs whose next round is due at a height ---

    public void enqueueDue(long height, DueRound due) {
        writer().put(AttestationKeys.due(height, due.getHsmId().toByteArray()), due.toByteArray());
    }

    /** Entries due at exactly {@code height}, ordered by HSM id. */
    public List<DueRound> dueAt(long height) {
        List<DueRound> out = new ArrayList<>();
        reader.scan(AttestationKeys.dueAt(height), (k, v) -> out.add(decode(v, DueRound.parser(), "due round")));
        return out;
    }

    public void removeDue(long height, byte[] hsmId) {
        writer().delete(AttestationKeys.due(height, hsmId));
    }

    /** Lowest height whose due entries may not all be processed yet; 0 before the first block. */
    public long dueCursor() {
        byte[] raw = reader.get(AttestationKeys.DUE_CURSOR);
        return raw == null ? 0 : ByteBuffer.wrap(raw).getLong();
    }

    public void setDueCursor(long height) {
        writer().put(AttestationKeys.DUE_CURSOR, ByteBuffer.allocate(8).putLong(height).array());
    }

    // --- close queue: rounds to close at the end of a height ---

    public void scheduleClose(long height, long roundId) {
        writer().put(AttestationKeys.close(height, roundId), new byte[] {1});
    }

    /** Round ids scheduled to close at {@code height}, ascending. */
    public List<Long> closesAt(long height) {
        List<Long> out = new ArrayList<>();
        int prefixLength = AttestationKeys.closeAt(height).length;
        reader.scan(AttestationKeys.closeAt(height),
                (k, v) -> out.add(Long.parseLong(new String(k, prefixLength, k.length - prefixLength, StandardCharsets.US_ASCII))));
        return out;
    }

    public void removeClose(long height, long roundId) {
        writer().delete(AttestationKeys.close(height, roundId));
    }

    // --- beacon and accounting ---

    /** The beacon; 32 zero bytes before the first vote. */
    public byte[] beacon() {
        Beacon b = read(AttestationKeys.BEACON, Beacon.parser(), "beacon");
        return b == null ? new byte[32] : b.getValue().toByteArray();
    }

    public void setBeacon(Beacon beacon) {
        writer().put(AttestationKeys.BEACON, beacon.toByteArray());
    }

    public SelectionAccumulator accumulator() {
        SelectionAccumulator a = read(AttestationKeys.ACCUMULATOR, SelectionAccumulator.parser(), "accumulator");
        return a == null ? SelectionAccumulator.getDefaultInstance() : a;
    }

    public void setAccumulator(SelectionAccumulator accumulator) {
        writer().put(AttestationKeys.ACCUMULATOR, accumulator.toByteArray());
    }

    public Optional<Liveness> liveness(byte[] hsmId) {
        return Optional.ofNullable(read(AttestationKeys.liveness(hsmId), Liveness.parser(), "liveness"));
    }

    public void putLiveness(byte[] hsmId, Liveness liveness) {
        writer().put(AttestationKeys.liveness(hsmId), liveness.toByteArray());
    }

    public Optional<AkBinding> binding(byte[] hsmId) {
        return Optional.ofNullable(read(AttestationKeys.binding(hsmId), AkBinding.parser(), "AK binding"));
    }

    public void putBinding(byte[] hsmId, AkBinding binding) {
        writer().put(AttestationKeys.binding(hsmId), binding.toByteArray());
    }

    public Optional<LastAttestation> last(byte[] hsmId) {
        return Optional.ofNullable(read(AttestationKeys.last(hsmId), LastAttestation.parser(), "last attestation"));
    }

    public void putLast(byte[] hsmId, LastAttestation last) {
        writer().put(AttestationKeys.last(hsmId), last.toByteArray());
    }

    private <T extends MessageLite> T read(byte[] key, Parser<T> parser, String what) {
        byte[] raw = reader.get(key);
        return raw == null ? null : decode(raw, parser, what);
    }

    private static <T extends MessageLite> T decode(byte[] raw, Parser<T> parser, String what) {
        try {
            return parser.parseFrom(raw);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt attestation " + what, e);
        }
    }
}
