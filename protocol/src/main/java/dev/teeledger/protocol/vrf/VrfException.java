package dev.teeledger.protocol.vrf;

import java.util.Objects;

/**
 * The one failure type of the {@code vrf} package: every rejected key, proof or input
 * surfaces as this checked exception with a stable {@link Reason}, never as a stray runtime
 * exception. Callers in block execution map the reason to a result code; nothing else about
 * the exception (message, stack) may influence state.
 *
 * <p>Rejections are expected events (a forged or corrupted vote), so the exception carries no
 * stack trace: creating one must stay cheap when a peer floods the chain with bad proofs.
 */
public final class VrfException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why an operation was refused. Names are stable; callers may switch on them. */
  public enum Reason {
    /** The proof is not exactly 81 bytes (RFC 9381 §5.4.4: Gamma 33 ‖ c 16 ‖ s 32). */
    MALFORMED_PROOF,
    /** The proof's Gamma is not a SEC1 compressed encoding of a point on P-256. */
    POINT_NOT_ON_CURVE,
    /** The proof's s is not below the group order q (RFC 9381 §5.4.4 step 7). */
    SCALAR_OUT_OF_RANGE,
    /**
     * The public key is not 33 bytes, not a compressed point on P-256, or the identity
     * (RFC 9381 §5.4.5, ECVRF_validate_key).
     */
    INVALID_PUBLIC_KEY,
    /** The secret key is not 32 bytes or not in [1, q-1]. */
    INVALID_SECRET_KEY,
    /**
     * None of the 256 try-and-increment candidates was a curve point (RFC 9381 §5.4.1.1);
     * happens with probability about 2^-256.
     */
    ENCODE_TO_CURVE_FAILED,
    /** The proof is well formed but the recomputed challenge differs (RFC 9381 §5.3 step 12). */
    VERIFICATION_FAILED
  }

  private final Reason reason;

  VrfException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** The stable reason for the refusal. */
  public Reason reason() {
    return reason;
  }
}
