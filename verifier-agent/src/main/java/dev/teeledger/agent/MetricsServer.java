package dev.teeledger.agent;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A tiny Prometheus endpoint for the standalone agent ({@link Main} with
 * {@code -Dteeledger.agent.metrics-port}): {@code GET /metrics} answers the {@link AgentMetrics}
 * counters in the Prometheus text exposition format 0.0.4; any other path is 404, any other
 * method 405. Built on the JDK's {@code com.sun.net.httpserver}, so the library keeps no metrics
 * dependency; a service that embeds the agent exports the counters with Micrometer instead.
 */
public final class MetricsServer implements AutoCloseable {
    /** Content type of the text format (Prometheus exposition format 0.0.4). */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /** Binds {@code host:port} (port 0 = any free port) and starts serving {@code metrics}. */
    public static MetricsServer start(String host, int port, Supplier<AgentMetrics> metrics) throws IOException {
        Objects.requireNonNull(metrics, "metrics");
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body;
                int status;
                if (!"/metrics".equals(exchange.getRequestURI().getPath())) {
                    status = 404;
                    body = "not found\n".getBytes(StandardCharsets.UTF_8);
                } else if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                    status = 405;
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    body = "method not allowed\n".getBytes(StandardCharsets.UTF_8);
                } else {
                    status = 200;
                    exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                    body = render(metrics.get()).getBytes(StandardCharsets.UTF_8);
                }
                boolean head = "HEAD".equals(exchange.getRequestMethod());
                exchange.sendResponseHeaders(status, head ? -1 : body.length);
                if (!head) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        });
        server.start();
        return new MetricsServer(server);
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The counters in Prometheus text format: one {@code # HELP}, {@code # TYPE} and sample per counter. */
    public static String render(AgentMetrics m) {
        StringBuilder sb = new StringBuilder();
        counter(sb, "teeledger_agent_rounds_seen_total", "Attestation rounds read while OPEN.", m.roundsSeen());
        counter(sb, "teeledger_agent_rounds_selected_total",
                "Rounds where the VRF lottery selected this HSM and its credit reached the minimum.", m.roundsSelected());
        counter(sb, "teeledger_agent_votes_committed_total", "Votes included in a block with code 0.", m.votesCommitted());
        counter(sb, "teeledger_agent_rounds_failed_total", "Selected rounds without a committed vote.", m.roundsFailed());
        return sb.toString();
    }

    private static void counter(StringBuilder sb, String name, String help, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n");
        sb.append(name).append(' ').append(value).append('\n');
    }

    /** Stops serving at once. */
    @Override
    public void close() {
        server.stop(0);
    }
}
