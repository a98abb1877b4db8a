package dev.teeledger.service.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.core.JsonParseException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure into an RFC 9457 {@code application/problem+json} answer: our own
 * {@link ProblemException}s, JAX-RS errors (unknown path 404, wrong method 405, wrong media
 * type 415, ...), unreadable JSON bodies (400) and, as a last resort, anything else (500,
 * logged, with no internals in the body). Registered with quarkus-rest, which prefers these
 * mappers to its built-in ones.
 */
public class ProblemMappers {
    /** The media type of every error answer (RFC 9457 section 3). */
    public static final String PROBLEM_JSON = "application/problem+json";
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return render(e.status(), e.type(), e.title(), e.getMessage(), uri, e.extensions());
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e, UriInfo uri) {
        return render(400, "malformed-json", "Bad request", "request body is not valid JSON for this endpoint: "
                + e.getOriginalMessage(), uri, Map.of());
    }

    @ServerExceptionMapper
    public Response badJsonInput(MismatchedInputException e, UriInfo uri) {
        return badJson(e, uri);
    }

    @ServerExceptionMapper
    public Response badJsonSyntax(JsonParseException e, UriInfo uri) {
        return badJson(e, uri);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("request failed", e);
        }
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type == null ? "HTTP " + status : type.getReasonPhrase();
        String slug = title.toLowerCase(java.util.Locale.ROOT).replace(' ', '-');
        return render(status, slug, title, e.getMessage(), uri, Map.of());
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        if (e instanceof WebApplicationException w) {
            return webApplication(w, uri);
        }
        LOG.error("unexpected failure", e);
        return render(500, "internal-error", "Internal server error", "the request failed; see the service log", uri, Map.of());
    }

    public static Response render(int status, String type, String title, String detail, UriInfo uri, Map<String, Object> extensions) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "urn:teeledger:problem:" + type);
        body.put("title", title);
        body.put("status", status);
        if (detail != null) {
            body.put("detail", detail);
        }
        if (uri != null) {
            body.put("instance", uri.getRequestUri().getRawPath());
        }
        body.putAll(extensions);
        try {
            return Response.status(status).type(PROBLEM_JSON).entity(JSON.writeValueAsString(body)).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings and numbers always serializes", e);
        }
    }
}
