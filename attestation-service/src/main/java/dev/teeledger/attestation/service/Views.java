package dev.teeledger.attestation.service;

import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of the attestation read API (snake_case on the wire, nulls left out).
 * {@code source} says where an answer came from: {@code read-model} (PostgreSQL, as of the
 * indexed height) or {@code chain} (light-client verified at {@code verified_height}). Weights
 * are decimal strings: they are unsigned big integers on the chain.
 */
public final class Views {
    private Views() {}

    /**
     * An attestation round. {@code state} is OPEN or CLOSED, {@code outcome} PASS, FAIL or
     * INCONCLUSIVE once closed; {@code kind} is the trigger (JOIN, PERIODIC, GOVERNANCE, RETRY).
     */
    public record Round(long id, String testee, String kind, int attempt, String state, String outcome,
            Long openedHeight, Long deadlineHeight, Long closedHeight, Integer committeeSize, Integer quorumVotes,
            Integer maxVotes, int votes, String passWeight, String failWeight, String seed, String source,
            Long verifiedHeight) {}

    /** One vote of a round; {@code verdict} PASS or FAIL, {@code reason} as the chain's VerdictReason without prefix. */
    public record Vote(long roundId, String verifier, String verdict, String reason, String weight,
            String evidenceDigest, Long height, String source, Long verifiedHeight) {}

    /**
     * The baseline the chain keeps from an HSM's last passed round. The read model knows the
     * round, its closing height and the heaviest PASS evidence digest; the chain adds the TPM
     * clock and the measured firmware.
     */
    public record LastAttestation(String hsmId, long roundId, long height, String evidenceDigest,
            List<String> measuredFirmware, Map<String, Long> tpmClock, String source, Long verifiedHeight) {}

    /**
     * What a verifier did: votes cast, how many agreed or dissented with a decided outcome
     * (each agreeing vote earned the verifier bonus, each dissent paid the dissent penalty),
     * votes on inconclusive or still open rounds, and the absence charges at its own rounds.
     */
    public record VerifierStats(String verifier, long votesCast, long agreeing, long dissenting, long inconclusive,
            long pending, Long lastVoteHeight, long absenceCharges, long absenceMissingVotes, long absencePenaltyTotal) {}

    /** A page of a list; {@code total} counts all matches, {@code indexed_height} is the read model's height. */
    public record Page<T>(List<T> items, int page, int size, long total, long indexedHeight) {}

    /** A whole (short) list. */
    public record Listing<T>(List<T> items, long indexedHeight) {}

    /** One {@code credit.normalized} event. */
    public record Normalization(long height, long oldTotal, long newTotal, String factor) {}
}
