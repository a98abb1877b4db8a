package dev.teeledger.agent;

import java.util.Objects;

/**
 * A failed call to a tpm-sidecar, thrown by every {@link SidecarClient} method. {@link #kind()}
 * says whether the sidecar refused the request (its problem {@code reason}), the transport
 * failed, or the answer was not what the REST mirror sends; {@link #retryable()} says whether
 * the same call may succeed later, which drives the agent's bounded retries.
 */
public final class SidecarException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong. The first five are the sidecar's own reasons ({@code docs/tpm-sidecar.md}). */
    public enum Kind {
        /** 400: the request was malformed (a bug on our side or a hostile sidecar). */
        INVALID_ARGUMENT(false),
        /** 422: the TPM executed the command and refused it (e.g. a credential for another AK). */
        TPM_ERROR(false),
        /** 422: the sidecar's identity cannot be provisioned or its log does not replay. */
        FAILED_PRECONDITION(false),
        /** 503: the sidecar cannot reach its TPM right now. */
        TPM_UNAVAILABLE(true),
        /** 504 or no answer within the request timeout. */
        TIMEOUT(true),
        /** The TCP connection could not be opened or broke. */
        CONNECTION_FAILED(true),
        /** Another HTTP status without a known problem reason. */
        HTTP_STATUS(true),
        /** The answer was not valid JSON or lacked a field, or a field had the wrong size. */
        MALFORMED_RESPONSE(false),
        /** The calling thread was interrupted; the interrupt flag is restored. */
        INTERRUPTED(false);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }
    }

    private final Kind kind;
    private final int httpStatus;

    public SidecarException(Kind kind, String message, int httpStatus, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.httpStatus = httpStatus;
    }

    public SidecarException(Kind kind, String message) {
        this(kind, message, 0, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status of the answer, 0 when none arrived. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Whether repeating the same call later may succeed. */
    public boolean retryable() {
        return kind.retryable;
    }
}
