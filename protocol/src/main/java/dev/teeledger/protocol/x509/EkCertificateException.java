package dev.teeledger.protocol.x509;

import java.util.Objects;

/**
 * Refusal of an Endorsement Key certificate by {@link EkCertificateVerifier}, with a stable
 * {@link Reason} per check so the registry can return a precise result code. Checked, carries no
 * stack trace (an expected event), and its message is for humans only.
 */
public final class EkCertificateException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a certificate was refused. Names are stable; callers may switch on them. */
    public enum Reason {
        /** Not a DER X.509 certificate (after stripping a TCG NV prefix), or oversized. */
        MALFORMED,
        /** No configured trust anchor (manufacturer root) issued the chain. */
        UNKNOWN_ISSUER,
        /** A supplied certificate names its issuer's key, but the signature does not verify. */
        BAD_SIGNATURE,
        /** The validation time is before some certificate's notBefore. */
        NOT_YET_VALID,
        /** The validation time is after some certificate's notAfter. */
        EXPIRED,
        /** The path breaks RFC 5280 rules: CA flag, path length, key usage of a CA, unknown critical extension. */
        INVALID_PATH,
        /** The certificate lacks the TCG EK extended key usage 2.23.133.8.1. */
        MISSING_EK_EKU,
        /** No subjectAltName directoryName with TPM manufacturer, model and version (2.23.133.2.1/2/3). */
        MISSING_TPM_SAN,
        /** Key usage lacks keyEncipherment (RSA EK) or keyAgreement (ECC EK). */
        BAD_KEY_USAGE,
        /** The certified key is not the EK public area read from the TPM. */
        KEY_MISMATCH
    }

    private final Reason reason;

    EkCertificateException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The stable reason for the refusal. */
    public Reason reason() {
        return reason;
    }
}
