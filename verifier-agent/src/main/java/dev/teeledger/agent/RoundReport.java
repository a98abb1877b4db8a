package dev.teeledger.agent;

import dev.teeledger.protocol.tx.v1.Verdict;
import dev.teeledger.protocol.tx.v1.VerdictReason;

/**
 * What the agent did with one round, returned by {@link VerifierAgent#pollOnce()} (for logs,
 * tests and the wrapping service).
 *
 * @param roundId  the round
 * @param outcome  what happened
 * @param verdict  the verdict voted, {@code VERDICT_UNSPECIFIED} when no vote was built
 * @param reason   its reason
 * @param code     the chain's result code for a submitted vote (0 = accepted), -1 otherwise
 * @param detail   a human-readable explanation
 */
public record RoundReport(long roundId, Outcome outcome, Verdict verdict, VerdictReason reason, int code, String detail) {

    /** The fate of a round at this agent. */
    public enum Outcome {
        /** Closed before the agent saw it open, or already past its deadline. */
        NOT_OPEN,
        /** This HSM is the testee. */
        OWN_ROUND,
        /** This HSM is not registered, not ACTIVE, or below the minimum credit at opening. */
        NOT_ELIGIBLE,
        /** The lottery did not select this HSM. */
        NOT_SELECTED,
        /** Selected; the vote was committed with code 0. */
        VOTED,
        /** Selected; no vote was committed (see detail). */
        FAILED
    }

    static RoundReport of(long roundId, Outcome outcome, String detail) {
        return new RoundReport(roundId, outcome, Verdict.VERDICT_UNSPECIFIED, VerdictReason.VERDICT_REASON_UNSPECIFIED, -1, detail);
    }
}
