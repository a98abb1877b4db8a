package dev.teeledger.protocol.merkle;

import java.util.Objects;

/**
 * Raised when a Merkle proof is malformed or cannot prove the claim it is used for. Thrown by
 * {@link SmtProof#decode(byte[])} for bad encodings and by {@link SmtProof#computeRoot} /
 * {@link SmtProof#verify} when the proof does not fit the key, value or root. Callers that
 * answer clients (queries, light-client verification) map {@link #reason()} to their own
 * error codes; the message is meant for humans and logs.
 */
public final class ProofException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a proof was rejected. Stable: callers may switch on it. */
    public enum Reason {
        /** The encoding ended before all announced fields were read. */
        TRUNCATED,
        /** The encoding is longer than its fields, or longer than any valid proof can be. */
        OVERSIZED,
        /** A field holds a value that no honest prover emits (unknown tag, depth, stray bits). */
        MALFORMED,
        /** The format byte names a version this code does not understand. */
        UNSUPPORTED_FORMAT,
        /** A presence proof was used to show absence, or the other way round. */
        WRONG_KIND,
        /** The proof's terminal leaf or path does not belong to the key being checked. */
        KEY_MISMATCH,
        /** The proof is well formed but implies a different root than the expected one. */
        ROOT_MISMATCH
    }

    private final Reason reason;

    public ProofException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The category of the failure. */
    public Reason reason() {
        return reason;
    }
}
