package dev.teeledger.service.common;

import java.util.Collection;
import java.util.Locale;

/**
 * Parsing of the non-paging query parameters every service shares: the {@code verified} flag
 * and enum filters. Resources take parameters as strings and call these, so a malformed value
 * is a 400 problem naming the parameter rather than the JAX-RS default 404.
 */
public final class QueryParams {
    private QueryParams() {}

    /**
     * {@code ?verified=}: absent or {@code false} reads the read model (or trusts the node),
     * {@code true} proves the answer with the light client; anything else is a 400
     * {@code bad-parameter} problem. Exact spellings only, so a typo is never a silent
     * unverified read.
     */
    public static boolean verified(String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ProblemException.badRequest("bad-parameter", "verified must be true or false, got '" + Ids.abbreviate(value) + "'");
    }

    /**
     * An enum filter in any case: the upper-case value if it is one of {@code allowed}, null if
     * absent, else a 400 {@code bad-filter} problem listing the allowed values.
     */
    public static String enumFilter(String name, String value, Collection<String> allowed) {
        if (value == null) {
            return null;
        }
        String v = value.toUpperCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw ProblemException.badRequest("bad-filter", name + " must be one of " + allowed.stream().sorted().toList()
                    + ", got '" + Ids.abbreviate(value) + "'");
        }
        return v;
    }
}
