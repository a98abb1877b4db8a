package dev.teeledger.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The REST client's error typing and size checks, against a local HTTP server. */
class HttpSidecarClientTest {
    private HttpServer server;
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) {
            server.stop(0);
        }
    }

    private HttpSidecarClient serve(String path, int status, String contentType, String body) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(path, ex -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", contentType);
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.createContext("/v1/slow", ex -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.start();
        return new HttpSidecarClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Duration.ofSeconds(1),
                Duration.ofMillis(500));
    }

    @Test
    void readsAVrfProof() throws Exception {
        String body = "{\"proof\":\"" + Base64.getEncoder().encodeToString(new byte[81]) + "\",\"output\":\""
                + Base64.getEncoder().encodeToString(new byte[32]) + "\"}";
        HttpSidecarClient client = serve("/v1/vrf/prove", 200, "application/json", body);
        assertThat(client.vrfProve(new byte[10]).proof()).hasSize(81);
    }

    @Test
    void aProblemAnswerCarriesTheSidecarsReason() throws Exception {
        HttpSidecarClient client = serve("/v1/credential/activate", 422, "application/problem+json",
                "{\"type\":\"urn:teeledger:sidecar:tpm-error\",\"title\":\"TPM_ERROR\",\"status\":422,\"detail\":\"0x19F\"}");
        assertThatThrownBy(() -> client.activateCredential(new byte[4], new byte[4])).isInstanceOfSatisfying(SidecarException.class, e -> {
            assertThat(e.kind()).isEqualTo(SidecarException.Kind.TPM_ERROR);
            assertThat(e.retryable()).isFalse();
            assertThat(e.httpStatus()).isEqualTo(422);
        });
    }

    @Test
    void anUnavailableTpmIsRetryable() throws Exception {
        HttpSidecarClient client = serve("/v1/quote", 503, "application/problem+json",
                "{\"type\":\"urn:teeledger:sidecar:tpm-unavailable\",\"status\":503}");
        assertThatThrownBy(() -> client.quote(new byte[16], java.util.List.of(15)))
                .isInstanceOfSatisfying(SidecarException.class, e -> assertThat(e.retryable()).isTrue());
    }

    @Test
    void rejectsASignatureOfTheWrongSize() throws Exception {
        String b64 = Base64.getEncoder().encodeToString(new byte[63]);
        HttpSidecarClient client = serve("/v1/sign", 200, "application/json",
                "{\"signatureDer\":\"" + b64 + "\",\"signatureLowS\":\"" + b64 + "\",\"tpmSignature\":\"" + b64 + "\"}");
        assertThatThrownBy(() -> client.sign(new byte[32])).isInstanceOfSatisfying(SidecarException.class,
                e -> assertThat(e.kind()).isEqualTo(SidecarException.Kind.MALFORMED_RESPONSE));
    }

    @Test
    void rejectsAnAnswerThatIsNotJson() throws Exception {
        HttpSidecarClient client = serve("/v1/identity", 200, "text/plain", "hello");
        assertThatThrownBy(client::identity).isInstanceOfSatisfying(SidecarException.class,
                e -> assertThat(e.kind()).isEqualTo(SidecarException.Kind.MALFORMED_RESPONSE));
    }

    @Test
    void aSilentSidecarTimesOut() throws Exception {
        HttpSidecarClient client = serve("/v1/identity", 200, "application/json", "{}");
        server.removeContext("/v1/identity");
        server.createContext("/v1/identity", ex -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        HttpSidecarClient slow = new HttpSidecarClient(client.base(), Duration.ofSeconds(1), Duration.ofMillis(300));
        long t0 = System.nanoTime();
        assertThatThrownBy(slow::identity).isInstanceOfSatisfying(SidecarException.class,
                e -> assertThat(e.kind()).isEqualTo(SidecarException.Kind.TIMEOUT));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aClosedPortIsAConnectionFailure() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        HttpSidecarClient client = new HttpSidecarClient(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThatThrownBy(client::identity).isInstanceOfSatisfying(SidecarException.class, e -> {
            assertThat(e.kind()).isEqualTo(SidecarException.Kind.CONNECTION_FAILED);
            assertThat(e.retryable()).isTrue();
        });
    }
}
