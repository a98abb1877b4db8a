package dev.teeledger.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.teeledger.sidecar.evidence.NodeSignature;
import dev.teeledger.sidecar.evidence.QuoteEvidence;
import dev.teeledger.sidecar.evidence.SidecarIdentity;
import dev.teeledger.sidecar.evidence.VrfEvaluation;
import dev.teeledger.sidecar.tpm.NodeTpm;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The tpm-sidecar's REST mirror ({@code docs/tpm-sidecar.md}, same paths, JSON field names and
 * problem+json reasons as {@code TpmSidecarResource}) in front of the sidecar's real
 * {@link NodeTpm}, on the JDK's HTTP server. Stands in for the packaged Quarkus app so the IT
 * starts in seconds; everything TPM-side is the sidecar's own code.
 */
final class InTestSidecarServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private volatile NodeTpm tpm;

    InTestSidecarServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(pool);
        server.createContext("/v1/", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void attach(NodeTpm nodeTpm) {
        this.tpm = nodeTpm;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            JsonNode in = "POST".equals(ex.getRequestMethod()) ? JSON.readTree(ex.getRequestBody()) : null;
            ObjectNode out = JSON.createObjectNode();
            try {
                switch (path) {
                    case "/v1/identity" -> {
                        SidecarIdentity id = tpm.identity();
                        out.put("ekCertificate", B64.encodeToString(id.ekCertificate()));
                        ArrayNode inter = out.putArray("intermediates");
                        id.intermediates().forEach(c -> inter.add(B64.encodeToString(c)));
                        out.put("ekPublic", B64.encodeToString(id.ekPublic()));
                        out.put("akPublic", B64.encodeToString(id.akPublic()));
                        out.put("akName", B64.encodeToString(id.akName()));
                        out.put("nodeKeyPublic", B64.encodeToString(id.nodeKeyPublic()));
                        out.put("certifyAttest", B64.encodeToString(id.certifyAttest()));
                        out.put("certifySignature", B64.encodeToString(id.certifySignature()));
                        out.put("vrfPublicKey", B64.encodeToString(id.vrfPublicKey()));
                        out.put("vrfKeySignature", B64.encodeToString(id.vrfKeySignature()));
                        out.put("chainId", id.chainId());
                        out.put("hsmId", B64.encodeToString(id.hsmId()));
                        out.put("sidecarEndpoint", id.sidecarEndpoint());
                        out.put("measurementPcr", id.measurementPcr());
                    }
                    case "/v1/credential/activate" -> out.put("secret", B64.encodeToString(
                            tpm.activateCredential(bytes(in, "credentialBlob"), bytes(in, "encryptedSecret"))));
                    case "/v1/quote" -> {
                        List<Integer> pcrs = new ArrayList<>();
                        in.path("pcrs").forEach(n -> pcrs.add(n.asInt()));
                        QuoteEvidence q = tpm.quote(bytes(in, "nonce"), pcrs);
                        out.put("attest", B64.encodeToString(q.attest()));
                        out.put("signature", B64.encodeToString(q.signature()));
                        ArrayNode values = out.putArray("pcrValues");
                        q.pcrValues().forEach(v -> values.addObject().put("index", v.index()).put("sha256", B64.encodeToString(v.sha256())));
                        out.put("measurementLog", B64.encodeToString(q.measurementLog()));
                    }
                    case "/v1/sign" -> {
                        NodeSignature s = tpm.sign(bytes(in, "digest"));
                        out.put("signatureDer", B64.encodeToString(s.der()));
                        out.put("signatureLowS", B64.encodeToString(s.lowS()));
                        out.put("tpmSignature", B64.encodeToString(s.tpmSignature()));
                    }
                    case "/v1/vrf/prove" -> {
                        VrfEvaluation v = tpm.vrfProve(bytes(in, "alpha"));
                        out.put("proof", B64.encodeToString(v.proof()));
                        out.put("output", B64.encodeToString(v.output()));
                    }
                    default -> {
                        send(ex, 404, "application/problem+json", "{\"status\":404}");
                        return;
                    }
                }
                send(ex, 200, "application/json", out.toString());
            } catch (dev.teeledger.sidecar.tpm.SidecarException e) {
                int status = switch (e.reason()) {
                    case INVALID_ARGUMENT -> 400;
                    case TPM_UNAVAILABLE -> 503;
                    case TIMEOUT -> 504;
                    default -> 422;
                };
                ObjectNode p = JSON.createObjectNode().put("type", "urn:teeledger:sidecar:" + e.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                        .put("title", e.reason().name()).put("status", status).put("detail", String.valueOf(e.getMessage()));
                send(ex, status, "application/problem+json", p.toString());
            }
        }
    }

    private static byte[] bytes(JsonNode in, String field) {
        return in == null || !in.hasNonNull(field) ? new byte[0] : B64D.decode(in.get(field).asText());
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
        if (tpm != null) {
            tpm.close();
        }
    }
}
