package dev.teeledger.sidecar.api;

import dev.teeledger.sidecar.tpm.SidecarException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders a {@link SidecarException} as {@code application/problem+json} (RFC 9457): type, title,
 * status, detail, and {@code tpmResponseCode} when the TPM refused a command. No stack traces.
 */
@Provider
public class SidecarProblemMapper implements ExceptionMapper<SidecarException> {

    @Override
    public Response toResponse(SidecarException e) {
        int status = ProblemStatus.http(e.reason());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", ProblemStatus.type(e.reason()));
        body.put("title", e.reason().name());
        body.put("status", status);
        body.put("detail", e.getMessage());
        if (e.tpmResponseCode() != 0) {
            body.put("tpmResponseCode", String.format("0x%03X", e.tpmResponseCode()));
        }
        return Response.status(status).type("application/problem+json").entity(body).build();
    }
}
