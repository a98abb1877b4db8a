package dev.teeledger.attestation.service;

import dev.teeledger.service.common.Ids;
import dev.teeledger.service.common.ProblemException;
import java.util.List;
import java.util.Locale;

/**
 * Validation of the query and path parameters shared by the REST resources and the gRPC
 * service: every malformed value is a 400 problem naming the parameter (never a JAX-RS 404 or
 * a stray exception). Parameters are taken as strings so that this class, not the framework,
 * decides what is malformed.
 */
public final class RequestParams {
    /** Largest page size. */
    public static final int MAX_PAGE_SIZE = 100;
    /** Page size when none is given. */
    public static final int DEFAULT_PAGE_SIZE = 20;
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
        return oneOf("state", value, STATES);
    }

    /** PASS, FAIL or INCONCLUSIVE (any case), or null. */
    public static String outcome(String value) {
        return oneOf("outcome", value, OUTCOMES);
    }

    public static int page(String value) {
        return intParam("page", value, 0, 0, Integer.MAX_VALUE / MAX_PAGE_SIZE);
    }

    public static int size(String value) {
        return intParam("size", value, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    }

    /** {@code true}, {@code false} or absent (false). */
    public static boolean verified(String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ProblemException.badRequest("bad-parameter", "verified must be true or false, got '" + Ids.abbreviate(value) + "'");
    }

    private static String oneOf(String name, String value, List<String> allowed) {
        if (value == null) {
            return null;
        }
        String v = value.toUpperCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw ProblemException.badRequest("bad-filter", name + " must be one of " + allowed + ", got '" + Ids.abbreviate(value) + "'");
        }
        return v;
    }

    private static int intParam(String name, String value, int dflt, int min, int max) {
        if (value == null) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(value);
            if (v >= min && v <= max && value.matches("[0-9]+")) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through to the problem below
        }
        throw ProblemException.badRequest("bad-paging", name + " must be an integer from " + min + " to " + max
                + ", got '" + Ids.abbreviate(value) + "'");
    }
}
