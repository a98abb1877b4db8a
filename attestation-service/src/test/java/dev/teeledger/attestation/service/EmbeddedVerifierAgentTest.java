package dev.teeledger.attestation.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.service.common.ChainSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The agent role's lifecycle without a chain or sidecar: the bean builds a real
 * {@code VerifierAgent} against an unreachable sidecar URL, runs it on its own thread (which
 * keeps restarting it after the identity calls fail), exports the agent's counters and stops
 * cleanly.
 */
class EmbeddedVerifierAgentTest {

    @Test
    void startsRestartsAfterSidecarFailuresExportsMetricsAndStops() throws Exception {
        int port = freePort(); // nothing listens there: every sidecar call is refused
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EmbeddedVerifierAgent agent = new EmbeddedVerifierAgent(settings(URI.create("http://127.0.0.1:" + port), Optional.of("agent-test")),
                chain(Optional.empty()), registry);
        assertThat(agent.running()).isFalse();
        agent.start();
        try {
            assertThat(agent.running()).isTrue();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (agent.restarts() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(agent.restarts()).as("restarted after the sidecar refused").isGreaterThanOrEqualTo(2);
            assertThat(agent.running()).as("a failing sidecar does not end the role").isTrue();
            assertThat(registry.get("teeledger.agent.rounds.seen").functionCounter().count()).isZero();
            assertThat(registry.get("teeledger.agent.votes.committed").functionCounter().count()).isZero();
            assertThat(registry.get("teeledger.agent.restarts").functionCounter().count()).isGreaterThanOrEqualTo(2);
            assertThat(registry.get("teeledger.agent.running").gauge().value()).isEqualTo(1.0);
        } finally {
            assertThat(agent.stop(Duration.ofSeconds(10))).as("thread ended").isTrue();
        }
        assertThat(agent.running()).isFalse();
        assertThat(registry.get("teeledger.agent.running").gauge().value()).isZero();
        assertThat(agent.stop(Duration.ofSeconds(1))).as("stopping twice is harmless").isTrue();
    }

    @Test
    void refusesToStartWithoutAChainId() {
        EmbeddedVerifierAgent agent = new EmbeddedVerifierAgent(settings(URI.create("http://127.0.0.1:1"), Optional.empty()),
                chain(Optional.empty()), new SimpleMeterRegistry());
        assertThatThrownBy(agent::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("chain-id");
        assertThat(agent.running()).isFalse();
    }

    @Test
    void takesTheChainIdFromTheChainSettings() {
        EmbeddedVerifierAgent agent = new EmbeddedVerifierAgent(settings(URI.create("http://127.0.0.1:1"), Optional.empty()),
                chain(Optional.of("from-chain-settings")), new SimpleMeterRegistry());
        agent.start();
        assertThat(agent.running()).isTrue();
        assertThat(agent.stop(Duration.ofSeconds(10))).isTrue();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static AgentSettings settings(URI sidecar, Optional<String> chainId) {
        return new AgentSettings() {
            public boolean enabled() { return true; }
            public URI sidecarUrl() { return sidecar; }
            public Optional<String> chainId() { return chainId; }
            public Optional<URI> rpcUrl() { return Optional.of(URI.create("http://127.0.0.1:1")); }
            public Duration pollInterval() { return Duration.ofMillis(100); }
            public Duration connectTimeout() { return Duration.ofMillis(200); }
            public Duration requestTimeout() { return Duration.ofMillis(500); }
            public int maxAttempts() { return 1; }
            public Duration retryBackoff() { return Duration.ofMillis(10); }
            public Duration roundBudget() { return Duration.ofSeconds(5); }
            public List<Integer> quotePcrs() { return List.of(15); }
            public boolean voteUnreachable() { return true; }
            public Duration restartBackoff() { return Duration.ofMillis(50); }
        };
    }

    private static ChainSettings chain(Optional<String> id) {
        return new ChainSettings() {
            public URI rpcUrl() { return URI.create("http://127.0.0.1:1"); }
            public Optional<String> id() { return id; }
            public Optional<Path> genesisFile() { return Optional.empty(); }
            public Duration requestTimeout() { return Duration.ofSeconds(1); }
            public int maxTxBytes() { return 65536; }
            public int maxSigners() { return 16; }
        };
    }
}
