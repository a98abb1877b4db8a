package dev.teeledger.abci.attestation;

import dev.teeledger.abci.gov.GovKeeper;
import dev.teeledger.abci.state.KvReader;
import dev.teeledger.protocol.attestation.Sortition;
import dev.teeledger.protocol.gov.Param;

/**
 * The governance parameters a round uses, read once per step. Values are within the ranges
 * {@link Param} enforces; {@link #maxVotes()} is never below the quorum, whatever governance
 * set, so that a round can always reach a decision.
 */
public record AttestationParams(
        long period,
        long window,
        int committeeSize,
        int quorumVotes,
        int maxVotes,
        int maxRoundsPerBlock,
        int maxRetries,
        long absenceTolerance,
        long income,
        long raCost,
        long verifierBonus,
        long dissentPenalty,
        long absencePenalty,
        long failPenalty,
        long activationGrant,
        long minBalance) {

    public static AttestationParams read(KvReader reader) {
        GovKeeper gov = new GovKeeper(reader);
        int committee = (int) gov.param(Param.ATTESTATION_COMMITTEE_SIZE);
        int quorum = Sortition.quorumVotes(committee, gov.param(Param.ATTESTATION_QUORUM_BPS));
        return new AttestationParams(
                gov.param(Param.ATTESTATION_PERIOD),
                gov.param(Param.ATTESTATION_WINDOW),
                committee,
                quorum,
                (int) Math.max(quorum, gov.param(Param.ATTESTATION_MAX_VOTES)),
                (int) gov.param(Param.ATTESTATION_MAX_ROUNDS_PER_BLOCK),
                (int) gov.param(Param.ATTESTATION_MAX_RETRIES),
                gov.param(Param.ATTESTATION_ABSENCE_TOLERANCE),
                gov.param(Param.ATTESTATION_INCOME),
                gov.param(Param.ATTESTATION_RA_COST),
                gov.param(Param.ATTESTATION_VERIFIER_BONUS),
                gov.param(Param.ATTESTATION_DISSENT_PENALTY),
                gov.param(Param.ATTESTATION_ABSENCE_PENALTY),
                gov.param(Param.ATTESTATION_FAIL_PENALTY),
                gov.param(Param.CREDIT_ACTIVATION_GRANT),
                gov.param(Param.CREDIT_MIN_BALANCE));
    }
}
