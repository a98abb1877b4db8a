package dev.teeledger.attestation.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The optional embedded verifier ({@code teeledger.agent.*}, docs/configuration.md; the same
 * names as the standalone agent's {@code -D} properties, docs/verifier-agent.md). Read by
 * {@link EmbeddedVerifierAgent} at start-up; nothing runs unless {@link #enabled()}.
 */
@ConfigMapping(prefix = "teeledger.agent")
public interface AgentSettings {
    /** Run a verifier agent inside this service. */
    @WithDefault("false")
    boolean enabled();

    /** Base URL of this node's own TPM sidecar (identity, VRF, signing). */
    @WithDefault("http://127.0.0.1:8080")
    URI sidecarUrl();

    /** Chain id the sidecar must be bound to; defaults to {@code teeledger.chain.id}. */
    Optional<String> chainId();

    /** CometBFT RPC the agent reads rounds from and submits votes to; defaults to {@code teeledger.chain.rpc-url}. */
    Optional<URI> rpcUrl();

    @WithDefault("PT1S")
    Duration pollInterval();

    @WithDefault("PT2S")
    Duration connectTimeout();

    @WithDefault("PT35S")
    Duration requestTimeout();

    @WithDefault("3")
    int maxAttempts();

    @WithDefault("PT0.25S")
    Duration retryBackoff();

    @WithDefault("PT2M")
    Duration roundBudget();

    @WithDefault("15")
    List<Integer> quotePcrs();

    @WithDefault("true")
    boolean voteUnreachable();

    /** Wait before restarting the agent after its sidecar could not give an identity. */
    @WithDefault("PT5S")
    Duration restartBackoff();
}
