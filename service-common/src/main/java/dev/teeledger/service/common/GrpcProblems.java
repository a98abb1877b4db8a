package dev.teeledger.service.common;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The gRPC face of {@link ProblemException}: the services' gRPC methods run the same code as
 * their REST resources through {@link #call}, and a problem becomes the gRPC status closest to
 * its HTTP status (gRPC's own HTTP mapping, read backwards): 400 and 413/415/422 →
 * INVALID_ARGUMENT or FAILED_PRECONDITION, 404 → NOT_FOUND, 409 → ALREADY_EXISTS, 502/503 →
 * UNAVAILABLE, anything else → INTERNAL. The description is {@code <problem type>: <detail>}
 * and the trailers carry {@code teeledger-problem-type} and, for chain rejections,
 * {@code teeledger-code}, so clients can branch without parsing text.
 */
public final class GrpcProblems {
    /** Trailer with the problem's slug ({@code bad-id}, {@code not-found}, ...). */
    public static final Metadata.Key<String> PROBLEM_TYPE = Metadata.Key.of("teeledger-problem-type", Metadata.ASCII_STRING_MARSHALLER);
    /** Trailer with the chain's result code, when the problem carries one. */
    public static final Metadata.Key<String> CHAIN_CODE = Metadata.Key.of("teeledger-code", Metadata.ASCII_STRING_MARSHALLER);
    private static final Logger LOG = Logger.getLogger(GrpcProblems.class);

    private GrpcProblems() {}

    /** The status for an HTTP status code of a problem. */
    public static Status.Code code(int httpStatus) {
        return switch (httpStatus) {
            case 400, 413, 415 -> Status.Code.INVALID_ARGUMENT;
            case 404 -> Status.Code.NOT_FOUND;
            case 409 -> Status.Code.ALREADY_EXISTS;
            case 422 -> Status.Code.FAILED_PRECONDITION;
            case 502, 503, 504 -> Status.Code.UNAVAILABLE;
            default -> Status.Code.INTERNAL;
        };
    }

    /** The problem as a status exception with its trailers. */
    public static StatusRuntimeException toStatus(ProblemException e) {
        Metadata trailers = new Metadata();
        trailers.put(PROBLEM_TYPE, e.type());
        Object chainCode = e.extensions().get("code");
        if (chainCode != null) {
            trailers.put(CHAIN_CODE, chainCode.toString());
        }
        return Status.fromCode(code(e.status())).withDescription(e.type() + ": " + e.getMessage()).asRuntimeException(trailers);
    }

    /**
     * Runs one gRPC method body (blocking, on a worker thread): its problems become statuses, an
     * unexpected failure is logged and answered INTERNAL without internals.
     */
    public static <T> T call(Supplier<T> body) {
        try {
            return body.get();
        } catch (ProblemException e) {
            throw toStatus(e);
        } catch (StatusRuntimeException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.error("unexpected gRPC failure", e);
            throw Status.INTERNAL.withDescription("internal-error: the call failed; see the service log").asRuntimeException();
        }
    }
}
