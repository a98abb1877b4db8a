package dev.teeledger.service.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failed request, as an RFC 9457 problem: thrown by the resources and validators, rendered as
 * {@code application/problem+json} by {@link ProblemMappers}. {@code type} is a short slug
 * ({@code bad-paging}, {@code not-found}, ...) turned into {@code urn:teeledger:problem:<slug>}.
 */
public final class ProblemException extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;
    private final Map<String, Object> extensions;

    public ProblemException(int status, String type, String title, String detail) {
        this(status, type, title, detail, Map.of());
    }

    public ProblemException(int status, String type, String title, String detail, Map<String, Object> extensions) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.extensions = new LinkedHashMap<>(extensions);
    }

    public static ProblemException badRequest(String type, String detail) {
        return new ProblemException(400, type, "Bad request", detail);
    }

    public static ProblemException notFound(String what, String id) {
        return new ProblemException(404, "not-found", "Not found", what + " " + id + " is not known");
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    /** Extra members of the problem object (e.g. the chain's result code). */
    public Map<String, Object> extensions() {
        return Map.copyOf(extensions);
    }
}
