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
        VerifierAgent agent = new VerifierAgent(config, new CometChainView(client),
                new HttpSidecarClient(sidecar, connect, request), EndpointResolver.fromRecord(),
                uri -> new HttpSidecarClient(uri, connect, request));
        Runtime.getRuntime().addShutdownHook(new Thread(agent::stop));
        agent.run();
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
