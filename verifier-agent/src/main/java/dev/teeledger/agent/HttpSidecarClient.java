package dev.teeledger.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * {@link SidecarClient} over the sidecar's REST mirror ({@code /v1}, JSON with standard base64
 * byte fields, {@code application/problem+json} errors whose {@code type} ends in the reason, e.g.
 * {@code urn:teeledger:sidecar:tpm-error}).
 * Every request has a connect and a request timeout; answers longer than {@link #MAX_BODY_CHARS}
 * are refused. Field sizes the contract fixes (64-byte low-S signature, 81-byte proof, 32-byte
 * output) are checked here, so a broken sidecar gives MALFORMED_RESPONSE rather than a bad vote.
 * Thread-safe.
 */
public final class HttpSidecarClient implements SidecarClient {
    /** Largest answer accepted: a quote with a full log stays far below this. */
    public static final int MAX_BODY_CHARS = 4 << 20;

    private static final String PROBLEM_PREFIX = "urn:teeledger:sidecar:";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final Base64.Encoder B64E = Base64.getEncoder();

    private final URI base;
    private final Duration requestTimeout;
    private final HttpClient http;

    /**
     * @param base           the sidecar's base URL (e.g. {@code http://127.0.0.1:8080}); {@code /v1/...} is appended
     * @param connectTimeout longest TCP connect
     * @param requestTimeout longest wait for a complete answer (keep it above the sidecar's {@code tpm.call-timeout}
     *                       only if you want its TIMEOUT reason rather than ours)
     */
    public HttpSidecarClient(URI base, Duration connectTimeout, Duration requestTimeout) {
        this.base = Objects.requireNonNull(base, "base");
        String scheme = base.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("sidecar endpoint must be http(s): " + base);
        }
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public URI base() {
        return base;
    }

    @Override
    public Identity identity() throws SidecarException {
        JsonNode j = call("GET", "/v1/identity", null);
        List<byte[]> intermediates = new ArrayList<>();
        for (JsonNode n : j.path("intermediates")) {
            intermediates.add(B64D.decode(n.asText()));
        }
        return new Identity(bytes(j, "ekCertificate"), intermediates, bytes(j, "ekPublic"), bytes(j, "akPublic"),
                bytes(j, "akName"), bytes(j, "nodeKeyPublic"), bytes(j, "certifyAttest"), bytes(j, "certifySignature"),
                bytes(j, "vrfPublicKey"), bytes(j, "vrfKeySignature"), text(j, "chainId"), sized(j, "hsmId", 32),
                text(j, "sidecarEndpoint"), j.path("measurementPcr").asInt(-1));
    }

    @Override
    public byte[] activateCredential(byte[] credentialBlob, byte[] encryptedSecret) throws SidecarException {
        ObjectNode body = JSON.createObjectNode();
        body.put("credentialBlob", B64E.encodeToString(credentialBlob));
        body.put("encryptedSecret", B64E.encodeToString(encryptedSecret));
        return bytes(call("POST", "/v1/credential/activate", body), "secret");
    }

    @Override
    public Quote quote(byte[] nonce, List<Integer> pcrs) throws SidecarException {
        ObjectNode body = JSON.createObjectNode();
        body.put("nonce", B64E.encodeToString(nonce));
        pcrs.forEach(body.putArray("pcrs")::add);
        JsonNode j = call("POST", "/v1/quote", body);
        List<PcrValue> values = new ArrayList<>();
        for (JsonNode n : j.path("pcrValues")) {
            values.add(new PcrValue(n.path("index").asInt(), sized(n, "sha256", 32)));
        }
        return new Quote(bytes(j, "attest"), bytes(j, "signature"), values, bytes(j, "measurementLog"));
    }

    @Override
    public Signature sign(byte[] digest) throws SidecarException {
        ObjectNode body = JSON.createObjectNode();
        body.put("digest", B64E.encodeToString(digest));
        JsonNode j = call("POST", "/v1/sign", body);
        return new Signature(bytes(j, "signatureDer"), sized(j, "signatureLowS", 64), bytes(j, "tpmSignature"));
    }

    @Override
    public VrfResult vrfProve(byte[] alpha) throws SidecarException {
        ObjectNode body = JSON.createObjectNode();
        body.put("alpha", B64E.encodeToString(alpha));
        JsonNode j = call("POST", "/v1/vrf/prove", body);
        return new VrfResult(sized(j, "proof", 81), sized(j, "output", 32));
    }

    private JsonNode call(String method, String path, JsonNode body) throws SidecarException {
        HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout)
                .header("Accept", "application/json");
        if (body == null) {
            req.GET();
        } else {
            req.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        HttpResponse<String> res;
        try {
            res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new SidecarException(SidecarException.Kind.TIMEOUT, path + ": no answer within " + requestTimeout, 0, e);
        } catch (ConnectException e) {
            throw new SidecarException(SidecarException.Kind.CONNECTION_FAILED, path + ": cannot connect to " + base, 0, e);
        } catch (IOException e) {
            throw new SidecarException(SidecarException.Kind.CONNECTION_FAILED, path + ": " + e, 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SidecarException(SidecarException.Kind.INTERRUPTED, path + ": interrupted", 0, e);
        }
        String text = res.body() == null ? "" : res.body();
        if (text.length() > MAX_BODY_CHARS) {
            throw new SidecarException(SidecarException.Kind.MALFORMED_RESPONSE, path + ": answer too long", res.statusCode(), null);
        }
        if (res.statusCode() / 100 != 2) {
            throw problem(path, res.statusCode(), text);
        }
        try {
            JsonNode j = JSON.readTree(text);
            if (j == null || !j.isObject()) {
                throw new SidecarException(SidecarException.Kind.MALFORMED_RESPONSE, path + ": not a JSON object", res.statusCode(), null);
            }
            return j;
        } catch (IOException e) {
            throw new SidecarException(SidecarException.Kind.MALFORMED_RESPONSE, path + ": invalid JSON", res.statusCode(), e);
        }
    }

    /** Maps a problem+json answer to its reason; an unknown body falls back to the HTTP status. */
    static SidecarException problem(String path, int status, String body) {
        String type = "";
        String title = "";
        String detail = "";
        try {
            JsonNode j = JSON.readTree(body);
            if (j != null) {
                type = j.path("type").asText("");
                title = j.path("title").asText("");
                detail = j.path("detail").asText(title);
            }
        } catch (IOException e) {
            // not JSON: use the status alone
        }
        // The sidecar writes the reason in lower-case kebab form in the type URI
        // (urn:teeledger:sidecar:tpm-error) and as the enum name in the title (TPM_ERROR).
        String reason = type.startsWith(PROBLEM_PREFIX)
                ? type.substring(PROBLEM_PREFIX.length()).toUpperCase(java.util.Locale.ROOT).replace('-', '_')
                : title;
        SidecarException.Kind kind = switch (reason) {
            case "INVALID_ARGUMENT" -> SidecarException.Kind.INVALID_ARGUMENT;
            case "TPM_ERROR" -> SidecarException.Kind.TPM_ERROR;
            case "FAILED_PRECONDITION" -> SidecarException.Kind.FAILED_PRECONDITION;
            case "TPM_UNAVAILABLE" -> SidecarException.Kind.TPM_UNAVAILABLE;
            case "TIMEOUT" -> SidecarException.Kind.TIMEOUT;
            default -> switch (status) {
                case 400 -> SidecarException.Kind.INVALID_ARGUMENT;
                case 503 -> SidecarException.Kind.TPM_UNAVAILABLE;
                case 504 -> SidecarException.Kind.TIMEOUT;
                default -> SidecarException.Kind.HTTP_STATUS;
            };
        };
        String snippet = detail.length() > 200 ? detail.substring(0, 200) : detail;
        return new SidecarException(kind, path + ": HTTP " + status + (reason.isEmpty() ? "" : " " + reason)
                + (snippet.isEmpty() ? "" : ": " + snippet), status, null);
    }

    private static String text(JsonNode j, String field) throws SidecarException {
        JsonNode n = j.get(field);
        if (n == null || !n.isTextual()) {
            throw new SidecarException(SidecarException.Kind.MALFORMED_RESPONSE, "missing field " + field);
        }
        return n.asText();
    }

    private static byte[] bytes(JsonNode j, String field) throws SidecarException {
        try {
            return B64D.decode(text(j, field));
        } catch (IllegalArgumentException e) {
            throw new SidecarException(SidecarException.Kind.MALFORMED_RESPONSE, field + " is not base64", 0, e);
        }
    }

    private static byte[] sized(JsonNode j, String field, int size) throws SidecarException {
        byte[] b = bytes(j, field);
        if (b.length != size) {
            throw new SidecarException(SidecarException.Kind.MALFORMED_RESPONSE, field + " is " + b.length + " bytes, expected " + size);
        }
        return b;
    }
}
