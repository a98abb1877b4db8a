package dev.teeledger.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {
    @Test
    void servesCurrentLagAsPrometheusGauge() throws Exception {
        AtomicLong lag = new AtomicLong(7);
        try (MetricsEndpoint m = new MetricsEndpoint(0, lag::get, () -> 42)) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.port() + "/metrics")).build();
            HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
            assertThat(r.body()).contains("# TYPE teeledger_indexer_lag_blocks gauge\nteeledger_indexer_lag_blocks 7\n")
                    .contains("teeledger_indexer_next_height 42\n");
            lag.set(0);
            assertThat(http.send(get, HttpResponse.BodyHandlers.ofString()).body()).contains("teeledger_indexer_lag_blocks 0\n");
        }
    }

    @Test
    void acceptsMetricsPortAsAKnownSetting() throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("teeledger.indexer.kafka.bootstrap-servers", "k:9092");
        p.setProperty("teeledger.indexer.metrics-port", "9464");
        assertThat(IndexerConfig.from(p)).isNotNull();
    }
}
