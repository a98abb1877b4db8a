package dev.teeledger.indexer;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * Serves the indexer's Prometheus metrics on {@code GET /metrics} (text exposition format
 * 0.0.4) for the chart's ServiceMonitor, liveness and readiness probes; started by
 * {@link IndexerMain} when {@code teeledger.indexer.metrics-port} is set. Exposes
 * {@code teeledger_indexer_lag_blocks} ({@link ChainIndexer#lag()}: blocks the chain has that are
 * not yet published to Kafka) and {@code teeledger_indexer_next_height}. Reads only the two
 * suppliers, so it never blocks the indexing thread.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HttpServer server;

    public MetricsEndpoint(int port, LongSupplier lag, LongSupplier nextHeight) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 8);
        server.createContext("/metrics", exchange -> {
            byte[] body = render(lag.getAsLong(), nextHeight.getAsLong()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    static String render(long lag, long nextHeight) {
        return "# HELP teeledger_indexer_lag_blocks Blocks committed on the chain but not yet published to Kafka.\n"
                + "# TYPE teeledger_indexer_lag_blocks gauge\n"
                + "teeledger_indexer_lag_blocks " + lag + "\n"
                + "# HELP teeledger_indexer_next_height Next height the indexer publishes (-1 before resume).\n"
                + "# TYPE teeledger_indexer_next_height gauge\n"
                + "teeledger_indexer_next_height " + nextHeight + "\n";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
