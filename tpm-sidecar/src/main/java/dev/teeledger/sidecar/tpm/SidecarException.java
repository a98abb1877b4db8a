package dev.teeledger.sidecar.tpm;

/**
 * Why a sidecar call failed, as the gRPC and REST layers report it. Every failure of a TPM
 * operation surfaces as exactly one {@link Reason}; the message is written for the operator and
 * the caller (what was wrong, which TPM response code), never a stack trace.
 */
public final class SidecarException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Failure classes; each maps to one gRPC status and one HTTP status. */
    public enum Reason {
        /** The request is malformed: nonce length, PCR index, digest size, blob encoding. */
        INVALID_ARGUMENT,
        /** The TPM cannot be reached (connection refused, closed, I/O error); retry later. */
        TPM_UNAVAILABLE,
        /** The TPM did not answer within the call timeout; the connection was dropped. */
        TIMEOUT,
        /** The TPM executed the command and refused it; the message carries its response code. */
        TPM_ERROR,
        /**
         * The sidecar cannot serve this call in its current state: identity not provisioned,
         * sealed VRF key from another TPM, measured PCR without a matching log.
         */
        FAILED_PRECONDITION
    }

    private final Reason reason;
    private final int tpmResponseCode;

    public SidecarException(Reason reason, String message) {
        this(reason, message, 0, null);
    }

    public SidecarException(Reason reason, String message, Throwable cause) {
        this(reason, message, 0, cause);
    }

    /**
     * @param tpmResponseCode the TPM_RC the TPM returned (TPM 2.0 Part 2 §6.6), or 0 if none
     */
    public SidecarException(Reason reason, String message, int tpmResponseCode, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.tpmResponseCode = tpmResponseCode;
    }

    public Reason reason() {
        return reason;
    }

    /** The TPM response code for {@link Reason#TPM_ERROR}, else 0. */
    public int tpmResponseCode() {
        return tpmResponseCode;
    }

    static SidecarException invalid(String message) {
        return new SidecarException(Reason.INVALID_ARGUMENT, message);
    }
}
