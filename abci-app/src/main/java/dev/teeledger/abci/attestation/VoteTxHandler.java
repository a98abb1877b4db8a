package dev.teeledger.abci.attestation;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.app.TxHandler;
import dev.teeledger.abci.credit.CreditKeeper;
import dev.teeledger.abci.hsm.HsmKeeper;
import dev.teeledger.abci.hsm.HsmTrust;
import dev.teeledger.abci.manufacturer.ManufacturerKeeper;
import dev.teeledger.protocol.attestation.Sortition;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.Beacon;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.Liveness;
import dev.teeledger.protocol.state.v1.RoundStatus;
import dev.teeledger.protocol.state.v1.RoundVote;
import dev.teeledger.protocol.tx.Canonical;
import dev.teeledger.protocol.tx.SignedTx;
import dev.teeledger.protocol.tx.v1.AttestationVote;
import dev.teeledger.protocol.tx.v1.Verdict;
import dev.teeledger.protocol.tx.v1.VerdictReason;
import dev.teeledger.protocol.vrf.EcVrf;
import dev.teeledger.protocol.vrf.VrfException;
import java.math.BigInteger;
import java.util.HexFormat;

/**
 * The vote transaction of a VRF-selected verifier. Checks, in order, each failing with its
 * own code and no state change:
 * <ol>
 *   <li>payload: round id ≥ 1, 32-byte verifier id, PASS with reason OK or FAIL with a failure
 *       reason, 32-byte evidence digest, 81-byte VRF proof, at most 64 firmware hashes of 32
 *       bytes, nonce 0 (INVALID_VOTE, BAD_NONCE);</li>
 *   <li>the round exists and is open, and this height is within its window (UNKNOWN_ROUND,
 *       ROUND_CLOSED);</li>
 *   <li>the verifier is registered and the only signer is its node key
 *       (VOTER_NOT_REGISTERED, VOTE_SIGNER_NOT_NODE_KEY) — the signature itself was verified
 *       by the router over sign bytes bound to this chain id;</li>
 *   <li>the verifier is not the testee, is ACTIVE and trusted (VOTER_IS_TESTEE, VOTER_NOT_ACTIVE);</li>
 *   <li>it has not voted in this round (DUPLICATE_VOTE);</li>
 *   <li>the VRF proof verifies under its registered VRF key for this round's input
 *       (VRF_PROOF_INVALID), its credit at opening reaches {@code credit.min_balance}
 *       (VOTER_BELOW_MIN_BALANCE), and the output selects it (VOTER_NOT_SELECTED);</li>
 *   <li>the round holds fewer than its maximum votes (COMMITTEE_FULL).</li>
 * </ol>
 * An accepted vote is stored with its weight (the verifier's shares at the round's
 * opening), folds its VRF output into the beacon, counts toward the verifier's liveness,
 * and, when it fills the round, has the round closed at the end of this block.
 */
public final class VoteTxHandler implements TxHandler {
    static final int MAX_FIRMWARE_HASHES = 64;
    private static final HexFormat HEX = HexFormat.of();

    @Override
    public void deliver(TxContext ctx, SignedTx tx) throws Rejection {
        AttestationVote vote = Canonical.parse(AttestationVote.parser(), tx.payload(), ResultCode.MALFORMED_PAYLOAD);
        validate(vote);
        if (tx.nonce() != 0) {
            throw new Rejection(ResultCode.BAD_NONCE, "a vote carries nonce 0 (one vote per verifier and round), got " + tx.nonce());
        }
        AttestationKeeper keeper = new AttestationKeeper(ctx.store());
        AttestationRound round = keeper.round(vote.getRoundId())
                .orElseThrow(() -> new Rejection(ResultCode.UNKNOWN_ROUND, Long.toString(vote.getRoundId())));
        if (round.getStatus() != RoundStatus.ROUND_STATUS_OPEN || ctx.height() > round.getDeadlineHeight()) {
            throw new Rejection(ResultCode.ROUND_CLOSED, "round " + round.getId() + " is " + round.getStatus().name()
                    + ", deadline " + round.getDeadlineHeight() + ", height " + ctx.height());
        }
        byte[] verifierId = vote.getVerifierId().toByteArray();
        HsmRecord verifier = new HsmKeeper(ctx.store()).find(verifierId);
        if (verifier == null) {
            throw new Rejection(ResultCode.VOTER_NOT_REGISTERED, HEX.formatHex(verifierId));
        }
        if (tx.signers().size() != 1 || !tx.signers().get(0).equals(verifier.getNodeKey())) {
            throw new Rejection(ResultCode.VOTE_SIGNER_NOT_NODE_KEY, tx.signers().size() + " signer(s)");
        }
        if (round.getTestee().equals(vote.getVerifierId())) {
            throw new Rejection(ResultCode.VOTER_IS_TESTEE, HEX.formatHex(verifierId));
        }
        if (verifier.getState() != HsmState.HSM_STATE_ACTIVE
                || !HsmTrust.trusted(verifier, new ManufacturerKeeper(ctx.store()).find(verifier.getManufacturerId().toByteArray()))) {
            throw new Rejection(ResultCode.VOTER_NOT_ACTIVE, verifier.getState().name());
        }
        if (keeper.vote(round.getId(), verifierId).isPresent()) {
            throw new Rejection(ResultCode.DUPLICATE_VOTE, "round " + round.getId());
        }
        byte[] output;
        try {
            output = EcVrf.verify(verifier.getVrfPublicKey().toByteArray(), vote.getVrfProof().toByteArray(),
                    Sortition.alpha(ctx.chainId(), round.getId(), round.getSeed().toByteArray()));
        } catch (VrfException e) {
            throw new Rejection(ResultCode.VRF_PROOF_INVALID, e.getMessage());
        }
        CreditKeeper credit = new CreditKeeper(ctx.store());
        BigInteger weight = credit.sharesAt(verifierId, round.getOpenedHeight());
        long creditAtOpening = credit.index().balance(weight);
        long minBalance = AttestationParams.read(ctx.store()).minBalance();
        if (creditAtOpening < minBalance) {
            throw new Rejection(ResultCode.VOTER_BELOW_MIN_BALANCE, creditAtOpening + " < " + minBalance);
        }
        BigInteger totalShares = Sortition.unsigned(round.getTotalShares());
        if (!Sortition.selected(output, weight, totalShares, round.getCommitteeSize())) {
            throw new Rejection(ResultCode.VOTER_NOT_SELECTED, "weight " + weight + " of " + totalShares);
        }
        if (round.getVotes() >= round.getMaxVotes()) {
            throw new Rejection(ResultCode.COMMITTEE_FULL, round.getVotes() + " votes");
        }

        keeper.putVote(RoundVote.newBuilder()
                .setRoundId(round.getId())
                .setVerifierId(vote.getVerifierId())
                .setVerdict(vote.getVerdict())
                .setReason(vote.getReason())
                .setEvidenceDigest(vote.getEvidenceDigest())
                .setVrfOutput(ByteString.copyFrom(output))
                .setWeight(ByteString.copyFrom(Sortition.unsigned(weight)))
                .setHeight(ctx.height())
                .addAllMeasuredFirmware(vote.getMeasuredFirmwareList())
                .setTpmClock(vote.getTpmClock())
                .build());
        boolean pass = vote.getVerdict() == Verdict.VERDICT_PASS;
        AttestationRound updated = round.toBuilder()
                .setVotes(round.getVotes() + 1)
                .setPassWeight(ByteString.copyFrom(Sortition.unsigned(Sortition.unsigned(round.getPassWeight()).add(pass ? weight : BigInteger.ZERO))))
                .setFailWeight(ByteString.copyFrom(Sortition.unsigned(Sortition.unsigned(round.getFailWeight()).add(pass ? BigInteger.ZERO : weight))))
                .build();
        keeper.putRound(updated);
        keeper.setBeacon(Beacon.newBuilder().setValue(ByteString.copyFrom(Sortition.nextBeacon(keeper.beacon(), output)))
                .setUpdatedHeight(ctx.height()).build());
        keeper.liveness(verifierId).ifPresent(l -> keeper.putLiveness(verifierId, l.toBuilder().setVotes(l.getVotes() + 1).build()));
        if (updated.getVotes() == updated.getMaxVotes()) {
            keeper.scheduleClose(ctx.height(), round.getId());
        }
        ctx.emit("attestation.vote",
                "round", Long.toString(round.getId()),
                "verifier", HEX.formatHex(verifierId),
                "verdict", vote.getVerdict().name(),
                "reason", vote.getReason().name(),
                "weight", weight.toString(),
                "evidence_digest", HEX.formatHex(vote.getEvidenceDigest().toByteArray()));
    }

    static void validate(AttestationVote vote) throws Rejection {
        if (vote.getRoundId() < 1) {
            throw new Rejection(ResultCode.INVALID_VOTE, "round id must be at least 1");
        }
        if (vote.getVerifierId().size() != 32) {
            throw new Rejection(ResultCode.INVALID_VOTE, "verifier id must be 32 bytes");
        }
        boolean okReason = switch (vote.getVerdict()) {
            case VERDICT_PASS -> vote.getReason() == VerdictReason.VERDICT_REASON_OK;
            case VERDICT_FAIL -> vote.getReason() != VerdictReason.VERDICT_REASON_OK
                    && vote.getReason() != VerdictReason.VERDICT_REASON_UNSPECIFIED
                    && vote.getReason() != VerdictReason.UNRECOGNIZED;
            default -> false;
        };
        if (!okReason) {
            throw new Rejection(ResultCode.INVALID_VOTE, "verdict " + vote.getVerdict() + " with reason " + vote.getReason());
        }
        if (vote.getEvidenceDigest().size() != 32) {
            throw new Rejection(ResultCode.INVALID_VOTE, "evidence digest must be 32 bytes (SHA-256)");
        }
        if (vote.getVrfProof().size() != EcVrf.PROOF_LEN) {
            throw new Rejection(ResultCode.INVALID_VOTE, "VRF proof must be " + EcVrf.PROOF_LEN + " bytes");
        }
        if (vote.getMeasuredFirmwareCount() > MAX_FIRMWARE_HASHES
                || vote.getMeasuredFirmwareList().stream().anyMatch(h -> h.size() != 32)) {
            throw new Rejection(ResultCode.INVALID_VOTE, "at most " + MAX_FIRMWARE_HASHES + " firmware hashes of 32 bytes");
        }
    }
}
