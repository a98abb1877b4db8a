package dev.teeledger.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link MetricsServer}: the agent's counters over HTTP in Prometheus text format, live values, 404 and 405. */
class MetricsServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesTheCountersInPrometheusTextFormatWithLiveValues() throws Exception {
        AtomicReference<AgentMetrics> m = new AtomicReference<>(new AgentMetrics(5, 3, 2, 1));
        try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, m::get)) {
            HttpResponse<String> r = get(server, "/metrics", "GET");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue(MetricsServer.CONTENT_TYPE);
            assertThat(r.body()).contains("# TYPE teeledger_agent_rounds_seen_total counter\nteeledger_agent_rounds_seen_total 5\n")
                    .contains("teeledger_agent_rounds_selected_total 3\n")
                    .contains("teeledger_agent_votes_committed_total 2\n")
                    .contains("teeledger_agent_rounds_failed_total 1\n");
            // every sample line is "name value" and every name has HELP and TYPE lines
            for (String line : r.body().split("\n")) {
                assertThat(line).matches("# HELP [a-z_]+ .+|# TYPE [a-z_]+ counter|[a-z_]+_total [0-9]+");
            }
            m.set(new AgentMetrics(6, 3, 3, 1));
            assertThat(get(server, "/metrics", "GET").body()).contains("teeledger_agent_votes_committed_total 3\n");
        }
    }

    @Test
    void answersOtherPathsWith404AndOtherMethodsWith405() throws Exception {
        try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, () -> new AgentMetrics(0, 0, 0, 0))) {
            assertThat(get(server, "/", "GET").statusCode()).isEqualTo(404);
            assertThat(get(server, "/metricsx", "GET").statusCode()).isEqualTo(404);
            HttpResponse<String> post = get(server, "/metrics", "POST");
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        }
    }

    private HttpResponse<String> get(MetricsServer server, String path, String method) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
