package dev.teeledger.agent;

import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.CometRpcConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one verifier agent until the process is stopped. Configuration comes from system
 * properties ({@code -Dteeledger.agent.*}, listed in {@code docs/verifier-agent.md}); the
 * attestation service will construct {@link VerifierAgent} itself instead.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        String chainId = required("teeledger.agent.chain-id");
        URI rpc = URI.create(System.getProperty("teeledger.agent.rpc", "http://127.0.0.1:26657"));
        URI sidecar = URI.create(System.getProperty("teeledger.agent.sidecar", "http://127.0.0.1:8080"));
        Duration connect = Duration.parse(System.getProperty("teeledger.agent.connect-timeout", "PT2S"));
        Duration request = Duration.parse(System.getProperty("teeledger.agent.request-timeout", "PT35S"));
        List<Integer> pcrs = Arrays.stream(System.getProperty("teeledger.agent.quote-pcrs", "15").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        AgentConfig config = AgentConfig.defaults(chainId)
                .withPollInterval(Duration.parse(System.getProperty("teeledger.agent.poll-interval", "PT1S")))
                .withRetries(Integer.getInteger("teeledger.agent.max-attempts", 3),
                        Duration.parse(System.getProperty("teeledger.agent.retry-backoff", "PT0.25S")))
                .withRoundBudget(Duration.parse(System.getProperty("teeledger.agent.round-budget", "PT2M")))
                .withQuotePcrs(pcrs)
                .withVoteUnreachable(Boolean.parseBoolean(System.getProperty("teeledger.agent.vote-unreachable", "true")));
        CometRpcClient client = new CometRpcClient(new CometRpcConfig(rpc, connect, Duration.ofSeconds(15), 64 << 20));
        EndpointResolver resolver = resolver(System.getProperty("teeledger.agent.resolver", "record"));
        VerifierAgent agent = new VerifierAgent(config, new CometChainView(client),
                new HttpSidecarClient(sidecar, connect, request), resolver,
                uri -> new HttpSidecarClient(uri, connect, request));
        MetricsServer metrics = null;
        String metricsPort = System.getProperty("teeledger.agent.metrics-port");
        if (metricsPort != null && !metricsPort.isBlank()) {
            metrics = MetricsServer.start(System.getProperty("teeledger.agent.metrics-host", "127.0.0.1"),
                    Integer.parseInt(metricsPort.trim()), agent::metrics);
            System.out.println("agent metrics on http://" + System.getProperty("teeledger.agent.metrics-host", "127.0.0.1")
                    + ":" + metrics.port() + "/metrics");
        }
        MetricsServer served = metrics;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.stop();
            if (served != null) {
                served.close();
            }
        }));
        try {
            agent.run();
        } finally {
            // The HTTP server's thread would keep a failed agent's JVM alive and its /metrics answering.
            if (served != null) {
                served.close();
            }
        }
    }

    /**
     * {@code record} (default): the endpoint the HSM advertised at join; {@code kubernetes}: the
     * sidecar's Service or Pod found through the API server ({@link KubernetesEndpointResolver}),
     * in {@code teeledger.agent.kubernetes.namespace} (default: the client's namespace).
     */
    private static EndpointResolver resolver(String kind) {
        switch (kind) {
            case "record":
                return EndpointResolver.fromRecord();
            case "kubernetes": {
                var k8s = new io.fabric8.kubernetes.client.KubernetesClientBuilder().build();
                String ns = System.getProperty("teeledger.agent.kubernetes.namespace", k8s.getNamespace());
                if (ns == null || ns.isBlank()) {
                    ns = "default";
                }
                return new KubernetesEndpointResolver(k8s, ns, System.getProperty("teeledger.agent.kubernetes.scheme", "http"));
            }
            default:
                System.err.println("-Dteeledger.agent.resolver must be record or kubernetes, got " + kind);
                System.exit(2);
                return null;
        }
    }

    private static String required(String name) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            System.err.println("missing -D" + name);
            System.exit(2);
        }
        return v;
    }
}
