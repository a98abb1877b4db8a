package dev.teeledger.sidecar.api;

import dev.teeledger.sidecar.tpm.SidecarException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Locale;

/**
 * The one mapping of {@link SidecarException.Reason} to gRPC status and HTTP status, so both APIs
 * report a failure the same way.
 */
final class ProblemStatus {

    private ProblemStatus() {}

    static int http(SidecarException.Reason reason) {
        return switch (reason) {
            case INVALID_ARGUMENT -> 400;
            case TPM_ERROR, FAILED_PRECONDITION -> 422;
            case TPM_UNAVAILABLE -> 503;
            case TIMEOUT -> 504;
        };
    }

    static StatusRuntimeException grpc(SidecarException e) {
        Status status = switch (e.reason()) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case TPM_ERROR, FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case TPM_UNAVAILABLE -> Status.UNAVAILABLE;
            case TIMEOUT -> Status.DEADLINE_EXCEEDED;
        };
        return status.withDescription(e.reason().name() + ": " + e.getMessage()).asRuntimeException();
    }

    /** Problem type URI for a reason, e.g. {@code urn:teeledger:sidecar:tpm-unavailable}. */
    static String type(SidecarException.Reason reason) {
        return "urn:teeledger:sidecar:" + reason.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
