package dev.teeledger.service.common;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers a request whose {@code Content-Length} exceeds {@code quarkus.http.limits.max-body-size}
 * with 413 {@code application/problem+json} ({@code body-too-large}) before its body is read.
 * Quarkus enforces the same limit itself, but with an empty 413; this route filter runs ahead of
 * that check (filter priority 100 = route order −100, Quarkus' check is at −2) so that every
 * service error stays a problem document. A chunked body without a length that grows past the
 * limit still gets Quarkus' empty 413. Registered in every service through service-common's
 * bean discovery.
 */
@ApplicationScoped
public class BodySizeLimit {
    /** Route filter priority: higher runs earlier. */
    static final int PRIORITY = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final long limit;

    public BodySizeLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize limit) {
        this.limit = limit.asLongValue();
    }

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            String length = rc.request().getHeader("Content-Length");
            if (length != null && tooLarge(length.trim())) {
                Map<String, Object> problem = new LinkedHashMap<>();
                problem.put("type", "urn:teeledger:problem:body-too-large");
                problem.put("title", "Content too large");
                problem.put("status", 413);
                problem.put("detail", "the request body has " + Ids.abbreviate(length.trim()) + " bytes; at most " + limit
                        + " are accepted");
                problem.put("instance", rc.request().path());
                String json;
                try {
                    json = JSON.writeValueAsString(problem);
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("a map of strings and numbers always serializes", e);
                }
                rc.response().setStatusCode(413).putHeader("Content-Type", ProblemMappers.PROBLEM_JSON)
                        .putHeader("Connection", "close").end(json);
                return;
            }
            rc.next();
        }, PRIORITY);
    }

    private boolean tooLarge(String length) {
        try {
            return Long.parseLong(length) > limit;
        } catch (NumberFormatException e) {
            return false; // Vert.x refuses a malformed Content-Length itself
        }
    }
}
