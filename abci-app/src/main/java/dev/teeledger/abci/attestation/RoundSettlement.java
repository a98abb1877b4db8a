package dev.teeledger.abci.attestation;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.credit.CreditKeeper;
import dev.teeledger.abci.hsm.HsmKeeper;
import dev.teeledger.protocol.attestation.Sortition;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.state.v1.AkBinding;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.LastAttestation;
import dev.teeledger.protocol.state.v1.Liveness;
import dev.teeledger.protocol.state.v1.RoundStatus;
import dev.teeledger.protocol.state.v1.RoundTrigger;
import dev.teeledger.protocol.state.v1.RoundVote;
import dev.teeledger.protocol.state.v1.SelectionAccumulator;
import dev.teeledger.protocol.tx.v1.CreditReason;
import dev.teeledger.protocol.tx.v1.TpmClock;
import dev.teeledger.protocol.tx.v1.Verdict;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;

/**
 * What closing a round does, in this order (docs/attestation.md, "Aggregation" and
 * "Economics"):
 * <ol>
 *   <li>tally the votes by weight and decide PASS, FAIL or INCONCLUSIVE ({@link Sortition#outcome});</li>
 *   <li>PASS: PENDING or SUSPENDED becomes ACTIVE; the first pass records the AK↔EK binding
 *       and mints the activation grant; the income is minted;</li>
 *   <li>the testee pays the RA cost whatever the outcome (verifiers did the work) — after a
 *       pass's grant and income, so a new HSM pays from its first credit;</li>
 *   <li>FAIL: burn the fail penalty; PENDING or ACTIVE becomes SUSPENDED;</li>
 *   <li>on PASS or FAIL, mint the bonus to every verifier that voted with the outcome and burn
 *       the dissent penalty from every one that voted against it;</li>
 *   <li>settle the testee's own liveness as a verifier (absence penalties);</li>
 *   <li>queue the next round: a retry with a fresh seed after INCONCLUSIVE while retries
 *       remain, otherwise the HSM's next periodic slot.</li>
 * </ol>
 * Runs inside the end-of-block hook, so it may not fail: a mint that would overflow the
 * credit limit is skipped with an event instead.
 */
final class RoundSettlement {
    private static final HexFormat HEX = HexFormat.of();

    private final TxContext ctx;
    private final AttestationKeeper keeper;
    private final AttestationParams params;
    private final CreditKeeper credit;
    private final HsmKeeper hsms;

    RoundSettlement(TxContext ctx, AttestationKeeper keeper, AttestationParams params) {
        this.ctx = ctx;
        this.keeper = keeper;
        this.params = params;
        this.credit = new CreditKeeper(ctx);
        this.hsms = new HsmKeeper(ctx);
    }

    void close(AttestationRound round) {
        long id = round.getId();
        byte[] testee = round.getTestee().toByteArray();
        List<RoundVote> votes = keeper.votes(id);
        BigInteger pass = BigInteger.ZERO;
        BigInteger fail = BigInteger.ZERO;
        for (RoundVote v : votes) {
            BigInteger w = Sortition.unsigned(v.getWeight());
            if (v.getVerdict() == Verdict.VERDICT_PASS) {
                pass = pass.add(w);
            } else {
                fail = fail.add(w);
            }
        }
        Sortition.Outcome outcome = Sortition.outcome(pass, fail, votes.size(), round.getQuorumVotes());

        HsmRecord record = hsms.find(testee);
        if (outcome == Sortition.Outcome.PASS) {
            record = pass(record, round, votes);
            recordLastAttestation(round, votes);
            mint(testee, params.income(), CreditReason.CREDIT_REASON_ATTESTATION_INCOME);
            credit.burn(testee, params.raCost(), CreditReason.CREDIT_REASON_RA_COST);
        } else {
            credit.burn(testee, params.raCost(), CreditReason.CREDIT_REASON_RA_COST);
        }
        if (outcome == Sortition.Outcome.FAIL) {
            credit.burn(testee, params.failPenalty(), CreditReason.CREDIT_REASON_ATTESTATION_FAILED);
            record = fail(record, round);
        }
        if (outcome != Sortition.Outcome.INCONCLUSIVE) {
            Verdict winning = outcome == Sortition.Outcome.PASS ? Verdict.VERDICT_PASS : Verdict.VERDICT_FAIL;
            for (RoundVote v : votes) {
                byte[] verifier = v.getVerifierId().toByteArray();
                if (v.getVerdict() == winning) {
                    mint(verifier, params.verifierBonus(), CreditReason.CREDIT_REASON_VERIFIER_BONUS);
                } else {
                    credit.burn(verifier, params.dissentPenalty(), CreditReason.CREDIT_REASON_DISSENT_PENALTY);
                }
            }
        }
        settleLiveness(testee, round.getTesteeState() == HsmState.HSM_STATE_ACTIVE_VALUE);

        keeper.putRound(round.toBuilder()
                .setStatus(switch (outcome) {
                    case PASS -> RoundStatus.ROUND_STATUS_PASS;
                    case FAIL -> RoundStatus.ROUND_STATUS_FAIL;
                    case INCONCLUSIVE -> RoundStatus.ROUND_STATUS_INCONCLUSIVE;
                })
                .setVotes(votes.size())
                .setPassWeight(ByteString.copyFrom(Sortition.unsigned(pass)))
                .setFailWeight(ByteString.copyFrom(Sortition.unsigned(fail)))
                .setClosedHeight(ctx.height())
                .build());
        keeper.clearOpen(testee);
        ctx.emit("attestation.round_closed",
                "round", Long.toString(id),
                "testee", HEX.formatHex(testee),
                "outcome", outcome.name(),
                "votes", Integer.toString(votes.size()),
                "pass_weight", pass.toString(),
                "fail_weight", fail.toString(),
                "attempt", Integer.toString(round.getAttempt()));

        boolean attestable = record != null && RoundScheduler.attestable(ctx.store(), record);
        if (outcome == Sortition.Outcome.INCONCLUSIVE && round.getAttempt() < params.maxRetries() && attestable) {
            RoundScheduler.scheduleNow(ctx, testee, RoundTrigger.ROUND_TRIGGER_RETRY, round.getAttempt() + 1);
        } else if (attestable) {
            RoundScheduler.schedulePeriodic(ctx, keeper, testee, ctx.height(), params.period());
        }
    }

    private HsmRecord pass(HsmRecord record, AttestationRound round, List<RoundVote> votes) {
        HsmState from = record.getState();
        if (from != HsmState.HSM_STATE_PENDING && from != HsmState.HSM_STATE_SUSPENDED) {
            return record;
        }
        byte[] id = record.getHsmId().toByteArray();
        if (from == HsmState.HSM_STATE_PENDING && keeper.binding(id).isEmpty()) {
            keeper.putBinding(id, AkBinding.newBuilder()
                    .setRoundId(round.getId())
                    .setHeight(ctx.height())
                    .setEvidenceDigest(majorityEvidence(votes))
                    .build());
            mint(id, params.activationGrant(), CreditReason.CREDIT_REASON_ACTIVATION_GRANT);
        }
        return activate(ctx, keeper, hsms, record, "attestation round " + round.getId() + " passed");
    }

    private HsmRecord fail(HsmRecord record, AttestationRound round) {
        HsmState from = record.getState();
        if (from != HsmState.HSM_STATE_PENDING && from != HsmState.HSM_STATE_ACTIVE) {
            return record;
        }
        return hsms.setState(record, HsmState.HSM_STATE_SUSPENDED, ctx.height(), "attestation round " + round.getId() + " failed");
    }

    /** Moves an HSM to ACTIVE (the keeper emits {@code hsm.state_changed}) and starts its liveness accounting afresh. */
    static HsmRecord activate(TxContext ctx, AttestationKeeper keeper, HsmKeeper hsms, HsmRecord record, String cause) {
        HsmRecord updated = hsms.setState(record, HsmState.HSM_STATE_ACTIVE, ctx.height(), cause);
        checkpoint(ctx, keeper, record.getHsmId().toByteArray(), 0);
        return updated;
    }

    /**
     * Keeps the baseline the next round checks against: the lowest TPM clock any PASS vote
     * reported (a liar reporting a high clock cannot make honest later quotes look like a
     * rollback) and the firmware list of the heaviest PASS evidence.
     */
    private void recordLastAttestation(AttestationRound round, List<RoundVote> votes) {
        ByteString digest = majorityEvidence(votes);
        TpmClock lowest = null;
        List<ByteString> firmware = List.of();
        for (RoundVote v : votes) {
            if (v.getVerdict() != Verdict.VERDICT_PASS) {
                continue;
            }
            if (lowest == null || compare(v.getTpmClock(), lowest) < 0) {
                lowest = v.getTpmClock();
            }
            if (v.getEvidenceDigest().equals(digest) && firmware.isEmpty()) {
                firmware = v.getMeasuredFirmwareList();
            }
        }
        if (!firmware.isEmpty()) {
            try {
                hsms.recordMeasuredFirmware(round.getTestee().toByteArray(),
                        firmware.stream().map(ByteString::toByteArray).toList(), ctx.height());
            } catch (Rejection revokedMeanwhile) {
                // The testee was revoked while its round was open: there is nothing to track.
            }
        }
        keeper.putLast(round.getTestee().toByteArray(), LastAttestation.newBuilder()
                .setRoundId(round.getId())
                .setHeight(ctx.height())
                .setTpmClock(lowest == null ? TpmClock.getDefaultInstance() : lowest)
                .addAllMeasuredFirmware(firmware)
                .setEvidenceDigest(digest)
                .build());
    }

    private static int compare(TpmClock a, TpmClock b) {
        int c = Integer.compareUnsigned(a.getResetCount(), b.getResetCount());
        if (c == 0) {
            c = Integer.compareUnsigned(a.getRestartCount(), b.getRestartCount());
        }
        return c != 0 ? c : Long.compareUnsigned(a.getClock(), b.getClock());
    }

    /** The evidence digest carried by the most weight among votes agreeing on PASS. */
    private static ByteString majorityEvidence(List<RoundVote> votes) {
        ByteString best = ByteString.EMPTY;
        BigInteger bestWeight = BigInteger.valueOf(-1);
        java.util.TreeMap<String, BigInteger> byDigest = new java.util.TreeMap<>();
        for (RoundVote v : votes) {
            if (v.getVerdict() == Verdict.VERDICT_PASS) {
                byDigest.merge(HEX.formatHex(v.getEvidenceDigest().toByteArray()), Sortition.unsigned(v.getWeight()), BigInteger::add);
            }
        }
        for (var e : byDigest.entrySet()) {
            if (e.getValue().compareTo(bestWeight) > 0) {
                bestWeight = e.getValue();
                best = ByteString.copyFrom(HEX.parseHex(e.getKey()));
            }
        }
        return best;
    }

    /**
     * Absence accounting at the close of the HSM's own round. Private sortition means the
     * chain never learns who was selected and stayed silent, so each verifier is charged for
     * the votes it owed in expectation ({@link Sortition#owedVotes}) minus the votes it cast,
     * beyond a tolerance; see docs/attestation.md, "Absence".
     */
    private void settleLiveness(byte[] hsmId, boolean wasActive) {
        Liveness live = keeper.liveness(hsmId).orElse(null);
        long charged = 0;
        if (wasActive && live != null) {
            SelectionAccumulator acc = keeper.accumulator();
            BigInteger delta = Sortition.unsigned(acc.getPerShare()).subtract(Sortition.unsigned(live.getPerShareCheckpoint()));
            long owed = Sortition.owedVotes(credit.shares(hsmId), delta, acc.getRounds() - live.getRoundsCheckpoint());
            long missing = owed - live.getVotes() - params.absenceTolerance();
            if (missing > 0) {
                charged = missing;
                long amount = multiplySaturated(missing, params.absencePenalty());
                credit.burn(hsmId, amount, CreditReason.CREDIT_REASON_ABSENCE_PENALTY);
                ctx.emit("attestation.absence_charged",
                        "hsm_id", HEX.formatHex(hsmId),
                        "owed", Long.toString(owed),
                        "cast", Long.toString(live.getVotes()),
                        "missing", Long.toString(missing),
                        "amount", Long.toString(amount));
            }
        }
        HsmRecord now = hsms.find(hsmId);
        if (now != null && now.getState() == HsmState.HSM_STATE_ACTIVE) {
            checkpoint(ctx, keeper, hsmId, (live == null ? 0 : live.getAbsencesCharged()) + charged);
        }
    }

    static void checkpoint(TxContext ctx, AttestationKeeper keeper, byte[] hsmId, long absencesCharged) {
        SelectionAccumulator acc = keeper.accumulator();
        keeper.putLiveness(hsmId, Liveness.newBuilder()
                .setPerShareCheckpoint(acc.getPerShare())
                .setRoundsCheckpoint(acc.getRounds())
                .setVotes(0)
                .setSinceHeight(ctx.height())
                .setAbsencesCharged(absencesCharged)
                .build());
    }

    private void mint(byte[] hsmId, long amount, CreditReason reason) {
        try {
            credit.mint(hsmId, amount, reason);
        } catch (Rejection overflow) {
            ctx.emit("attestation.mint_skipped", "hsm_id", HEX.formatHex(hsmId), "amount", Long.toString(amount),
                    "reason", reason.name(), "cause", overflow.getMessage());
        }
    }

    private static long multiplySaturated(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }
}
