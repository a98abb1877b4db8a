package dev.teeledger.chain.light;

import java.util.Objects;

/**
 * Rejection of a header, commit, validator set or query proof by the light client. Thrown by
 * {@link HeaderVerifier}, {@link ProofVerifier}, {@link ProofOpVerifier} implementations and
 * {@link VerifiedQueryClient}. The {@link Reason} is stable and meant for callers to branch on
 * (e.g. map to an HTTP 502 "untrustworthy node" answer); the message is for humans.
 */
public final class LightClientException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why verification failed. */
  public enum Reason {
    /** The header names another chain than the one the verifier is configured for. */
    CHAIN_ID_MISMATCH,
    /** Header, commit or query heights do not line up. */
    HEIGHT_MISMATCH,
    /** A header or commit lacks a field or has a field of the wrong size. */
    MALFORMED_HEADER,
    /** The header's Merkle hash differs from the block id the commit signs. */
    HEADER_HASH_MISMATCH,
    /** The validator set does not hash to the header's {@code validators_hash}. */
    VALIDATORS_HASH_MISMATCH,
    /** The header's {@code validators_hash} is not the trusted header's {@code next_validators_hash}. */
    NEXT_VALIDATORS_MISMATCH,
    /** The commit's signature list does not match the validator set (count or addresses). */
    VALIDATOR_SET_MISMATCH,
    /** A validator key is not Ed25519 (the only kind this client verifies). */
    UNSUPPORTED_KEY_TYPE,
    /** A signature does not verify against its validator's key. */
    BAD_SIGNATURE,
    /** Valid signatures carry no more than 2/3 of the voting power. */
    INSUFFICIENT_VOTING_POWER,
    /** The header time lies beyond the allowed clock drift, or before its trusted predecessor. */
    BAD_HEADER_TIME,
    /** The header is older than the caller's freshness bound. */
    HEADER_TOO_OLD,
    /** The header for height H+1 did not appear within the bounded wait. */
    NEXT_HEADER_UNAVAILABLE,
    /** The app answered the query with a non-zero code. */
    QUERY_FAILED,
    /** A proof was required but none was returned. */
    PROOF_MISSING,
    /** A proof op has a type no verifier is registered for. */
    UNKNOWN_PROOF_OP,
    /** The key proven by the proof is not the key asked for. */
    KEY_MISMATCH,
    /** A proof op's data is malformed or inconsistent with its key and value. */
    PROOF_INVALID,
    /** The root computed from the proof chain differs from the verified app hash. */
    APP_HASH_MISMATCH
  }

  private final Reason reason;

  public LightClientException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public LightClientException(Reason reason, String message, Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
