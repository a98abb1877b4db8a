package dev.teeledger.attestation.service;

import dev.teeledger.service.common.Ids;
import dev.teeledger.service.common.PageRequest;
import dev.teeledger.service.common.ProblemException;
import dev.teeledger.service.common.QueryParams;
import java.util.List;

/**
 * Validation of the parameters shared by the REST resources and the gRPC service: the
 * attestation-specific ones (round ids, round state and outcome filters) here, paging and the
 * {@code verified} flag through service-common's {@link PageRequest} and {@link QueryParams}, so
 * every service answers the same malformed value with the same problem. Parameters are taken as
 * strings so that this class, not the framework, decides what is malformed.
 */
public final class RequestParams {
    private static final List<String> STATES = List.of("CLOSED", "OPEN");
    private static final List<String> OUTCOMES = List.of("FAIL", "INCONCLUSIVE", "PASS");

    private RequestParams() {}

    /** A round id: a positive decimal number without sign or leading zeros, below 10^18 (the chain's rule). */
    public static long roundId(String value) {
        if (value == null || !value.matches("[1-9][0-9]{0,17}")) {
            throw ProblemException.badRequest("bad-id", "round id must be a positive decimal number, got "
                    + (value == null ? "nothing" : "'" + Ids.abbreviate(value) + "'"));
        }
        return Long.parseLong(value);
    }

    /** OPEN or CLOSED (any case), or null. */
    public static String state(String value) {
        return QueryParams.enumFilter("state", value, STATES);
    }

    /** PASS, FAIL or INCONCLUSIVE (any case), or null. */
    public static String outcome(String value) {
        return QueryParams.enumFilter("outcome", value, OUTCOMES);
    }

    /** The page number (from 0, default 0), as {@link PageRequest#parse}. */
    public static int page(String value) {
        return PageRequest.parse(value, null).page();
    }

    /** The page size (1-100, default 20), as {@link PageRequest#parse}. */
    public static int size(String value) {
        return PageRequest.parse(null, value).size();
    }

    /** {@code true}, {@code false} or absent (false), as {@link QueryParams#verified}. */
    public static boolean verified(String value) {
        return QueryParams.verified(value);
    }
}
