package dev.teeledger.protocol.gov;

import java.util.Map;
import java.util.TreeMap;

/**
 * Every protocol parameter the chain knows: name, default, allowed range and
 * meaning. Parameters are consensus state: genesis may override defaults and
 * governance may change them later, always within these ranges. Values are
 * 64-bit integers; units are in the name or the description.
 *
 * <p>State modules add their parameters here, so that a client can validate a
 * parameter change before it signs one.
 */
public enum Param {
    TX_MAX_BYTES("tx.max_bytes", 65_536, 1_024, 1_048_576,
            "Largest transaction the chain accepts, in bytes."),
    TX_MAX_SIGNERS("tx.max_signers", 16, 1, 64,
            "Most signers one transaction may carry."),
    GOV_MAX_KEYS("gov.max_keys", 32, 1, 64,
            "Most keys the governance key set may hold."),
    CREDIT_CAP("credit.cap", 1_000_000_000L, 1_000L, 100_000_000_000_000_000L,
            "Target total credit, in credit units; normalization brings the total back to it."),
    CREDIT_NORMALIZATION_TRIGGER_BPS("credit.normalization_trigger_bps", 11_000, 10_000, 30_000,
            "Normalize when the total exceeds cap times this, in basis points (11000 = 110%)."),
    CREDIT_NORMALIZATION_INTERVAL("credit.normalization_interval", 100, 1, 1_000_000,
            "Blocks between normalization checks (at heights divisible by it)."),
    CREDIT_ACTIVATION_GRANT("credit.activation_grant", 1_000_000, 0, 1_000_000_000_000_000L,
            "Credit units minted to an HSM when the registry activates it."),
    CREDIT_MIN_BALANCE("credit.min_balance", 100_000, 0, 1_000_000_000_000_000L,
            "Least balance, in credit units, an HSM needs to take part in attestation."),
    ATTESTATION_INCOME("attestation.income", 10_000, 0, 1_000_000_000_000_000L,
            "Credit units minted to an HSM for a passed remote attestation."),
    ATTESTATION_RA_COST("attestation.ra_cost", 1_000, 0, 1_000_000_000_000_000L,
            "Credit units burned from an HSM that requests a remote attestation."),
    ATTESTATION_VERIFIER_BONUS("attestation.verifier_bonus", 2_000, 0, 1_000_000_000_000_000L,
            "Credit units minted to each verifier that voted with the majority."),
    ATTESTATION_DISSENT_PENALTY("attestation.dissent_penalty", 20_000, 0, 1_000_000_000_000_000L,
            "Credit units burned from a verifier that voted against the majority."),
    ATTESTATION_ABSENCE_PENALTY("attestation.absence_penalty", 5_000, 0, 1_000_000_000_000_000L,
            "Credit units burned from a verifier for each vote it owed and did not cast (see docs/attestation.md)."),
    ATTESTATION_FAIL_PENALTY("attestation.fail_penalty", 50_000, 0, 1_000_000_000_000_000L,
            "Credit units burned from an HSM whose attestation round ends FAIL."),
    ATTESTATION_PERIOD("attestation.period", 100, 10, 1_000_000,
            "Blocks between two scheduled attestation rounds of an ACTIVE or SUSPENDED HSM."),
    ATTESTATION_WINDOW("attestation.window", 10, 2, 500,
            "Blocks a round stays open for votes after the block that opens it."),
    ATTESTATION_COMMITTEE_SIZE("attestation.committee_size", 7, 1, 1_000,
            "Expected number of verifiers the credit-weighted sortition selects per round."),
    ATTESTATION_MAX_VOTES("attestation.max_votes", 21, 1, 3_000,
            "Most votes a round accepts; the round closes early when it holds this many."),
    ATTESTATION_QUORUM_BPS("attestation.quorum_bps", 5_000, 1, 10_000,
            "Votes needed for a decision, in basis points of the expected committee size (rounded up)."),
    ATTESTATION_MAX_ROUNDS_PER_BLOCK("attestation.max_rounds_per_block", 8, 1, 1_000,
            "Most attestation rounds opened in one block; the rest wait for the next block."),
    ATTESTATION_MAX_RETRIES("attestation.max_retries", 2, 0, 10,
            "Times an INCONCLUSIVE round is reopened with a fresh seed before the HSM waits for its next period."),
    ATTESTATION_ABSENCE_TOLERANCE("attestation.absence_tolerance", 2, 0, 1_000,
            "Owed votes a verifier may miss per settlement before absence penalties apply.");

    private static final Map<String, Param> BY_NAME = new TreeMap<>();

    static {
        for (Param p : values()) {
            BY_NAME.put(p.id, p);
        }
    }

    private final String id;
    private final long defaultValue;
    private final long min;
    private final long max;
    private final String description;

    Param(String id, long defaultValue, long min, long max, String description) {
        this.id = id;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.description = description;
    }

    /** The dotted name used in genesis, transactions and query paths. */
    public String id() {
        return id;
    }

    public long defaultValue() {
        return defaultValue;
    }

    public long min() {
        return min;
    }

    public long max() {
        return max;
    }

    public String description() {
        return description;
    }

    public boolean accepts(long value) {
        return value >= min && value <= max;
    }

    /** The parameter with this name, or {@code null}. */
    public static Param byId(String id) {
        return BY_NAME.get(id);
    }

    /**
     * Parses a canonical decimal: optional leading '-', no leading zeros, no '+'.
     * Returns {@code null} for anything else, including overflow.
     */
    public static Long parseCanonical(String text) {
        if (text == null || text.isEmpty() || text.length() > 20) {
            return null;
        }
        int start = text.charAt(0) == '-' ? 1 : 0;
        if (start == text.length()) {
            return null;
        }
        for (int i = start; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return null;
            }
        }
        if (text.charAt(start) == '0' && (text.length() - start > 1 || start == 1)) {
            return null;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
