package dev.teeledger.testkit.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A man in the middle between a light client and a real CometBFT node: forwards
 * JSON-RPC calls unchanged, except that it can flip a bit in the queried value,
 * in the proof, or in the app hash of the header it relays.
 */
final class TamperingRpcProxy implements AutoCloseable {
    enum Mode { NONE, VALUE, PROOF, STORE_PROOF, HEADER_APP_HASH }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private volatile Mode mode = Mode.NONE;

    TamperingRpcProxy(String upstream) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String method = JSON.readTree(body).path("method").asText();
                HttpResponse<byte[]> res = http.send(HttpRequest.newBuilder(URI.create(upstream))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
                byte[] out = tamper(method, res.body());
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(res.statusCode(), out.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    void mode(Mode mode) {
        this.mode = mode;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private byte[] tamper(String method, byte[] body) throws IOException {
        Mode m = mode;
        JsonNode root = JSON.readTree(body);
        if (m == Mode.VALUE && method.equals("abci_query")) {
            ObjectNode response = (ObjectNode) root.path("result").path("response");
            response.put("value", flipBase64(response.path("value").asText()));
        } else if ((m == Mode.PROOF || m == Mode.STORE_PROOF) && method.equals("abci_query")) {
            // PROOF: the key's op (under its sub-store root); STORE_PROOF: the sub-store's op
            // (under the app hash), ADR 0010.
            ObjectNode op = (ObjectNode) root.path("result").path("response").path("proofOps").path("ops")
                    .get(m == Mode.PROOF ? 0 : 1);
            op.put("data", flipBase64(op.path("data").asText()));
        } else if (m == Mode.HEADER_APP_HASH && method.equals("commit")) {
            ObjectNode header = (ObjectNode) root.path("result").path("signed_header").path("header");
            byte[] hash = HexFormat.of().parseHex(header.path("app_hash").asText());
            hash[0] ^= 1;
            header.put("app_hash", HexFormat.of().withUpperCase().formatHex(hash));
        } else {
            return body;
        }
        return JSON.writeValueAsBytes(root);
    }

    private static String flipBase64(String b64) {
        byte[] raw = Base64.getDecoder().decode(b64);
        raw[raw.length - 1] ^= 1;
        return Base64.getEncoder().encodeToString(raw);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
