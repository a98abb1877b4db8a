package dev.teeledger.protocol.tpm;

import java.util.Objects;

/**
 * The one failure type of the TPM structure parsers ({@link TpmtPublic}, {@link TpmsAttest},
 * {@link TpmtSignature}): every malformed, truncated, oversized or unsupported input surfaces as
 * this checked exception with a stable {@link Reason}, never as a stray runtime exception.
 * Block execution maps the reason to a result code; the message is for humans only.
 *
 * <p>Rejections are expected (a peer may submit garbage), so no stack trace is captured.
 */
public final class TpmFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why bytes were refused. Names are stable; callers may switch on them. */
    public enum Reason {
        /** The input ends before a field that the structure requires. */
        TRUNCATED,
        /** Bytes remain after the structure (or a TPM2B size disagrees with its content). */
        TRAILING_BYTES,
        /** A size field exceeds the bound that TPM 2.0 Part 2 gives its buffer. */
        SIZE_OUT_OF_RANGE,
        /** A well-formed algorithm, curve or attestation type that this verifier does not accept. */
        UNSUPPORTED_ALGORITHM,
        /** A field holds a value the specification does not allow (e.g. TPMI_YES_NO of 2). */
        INVALID_VALUE
    }

    private final Reason reason;

    TpmFormatException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The stable reason for the refusal. */
    public Reason reason() {
        return reason;
    }
}
