package dev.teeledger.attestation.service;

import dev.teeledger.agent.AgentConfig;
import dev.teeledger.agent.AgentMetrics;
import dev.teeledger.agent.CometChainView;
import dev.teeledger.agent.EndpointResolver;
import dev.teeledger.agent.HttpSidecarClient;
import dev.teeledger.agent.SidecarException;
import dev.teeledger.agent.VerifierAgent;
import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.CometRpcConfig;
import dev.teeledger.service.common.ChainSettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.jboss.logging.Logger;

/**
 * The agent role: with {@code teeledger.agent.enabled=true} this service also votes in
 * attestation rounds for its own HSM. Builds a {@link VerifierAgent} as the standalone
 * {@code dev.teeledger.agent.Main} does, runs it on one thread owned by this bean (started at
 * application start, interrupted and joined at shutdown) and restarts it after a back-off when
 * its sidecar cannot give an identity (the sidecar may start later than the service). Exports
 * {@link VerifierAgent#metrics()} as Micrometer function counters
 * ({@code teeledger_agent_rounds_seen_total}, {@code _rounds_selected_total},
 * {@code _votes_committed_total}, {@code _rounds_failed_total}) plus
 * {@code teeledger_agent_restarts_total} and the gauge {@code teeledger_agent_running}.
 */
@ApplicationScoped
public class EmbeddedVerifierAgent {
    private static final Logger LOG = Logger.getLogger(EmbeddedVerifierAgent.class);

    private final AgentSettings settings;
    private final ChainSettings chain;
    private final MeterRegistry metrics;
    private final AtomicLong restarts = new AtomicLong();
    private volatile VerifierAgent agent;
    private volatile Thread thread;
    private volatile boolean stopping;

    public EmbeddedVerifierAgent(AgentSettings settings, ChainSettings chain, MeterRegistry metrics) {
        this.settings = settings;
        this.chain = chain;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent e) {
        if (settings.enabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent e) {
        stop(Duration.ofSeconds(10));
    }

    /**
     * Builds the agent, registers its meters and starts its thread.
     *
     * @throws IllegalStateException when no chain id is configured ({@code teeledger.agent.chain-id} or {@code teeledger.chain.id})
     */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        String chainId = settings.chainId().or(chain::id).orElseThrow(() -> new IllegalStateException(
                "teeledger.agent.enabled needs teeledger.agent.chain-id or teeledger.chain.id"));
        AgentConfig config = AgentConfig.defaults(chainId)
                .withPollInterval(settings.pollInterval())
                .withRetries(settings.maxAttempts(), settings.retryBackoff())
                .withRoundBudget(settings.roundBudget())
                .withQuotePcrs(settings.quotePcrs())
                .withVoteUnreachable(settings.voteUnreachable());
        Duration connect = settings.connectTimeout();
        Duration request = settings.requestTimeout();
        CometRpcClient rpc = new CometRpcClient(new CometRpcConfig(settings.rpcUrl().orElse(chain.rpcUrl()), connect,
                Duration.ofSeconds(15), 64 << 20));
        agent = new VerifierAgent(config, new CometChainView(rpc), new HttpSidecarClient(settings.sidecarUrl(), connect, request),
                EndpointResolver.fromRecord(), uri -> new HttpSidecarClient(uri, connect, request));
        counter("teeledger.agent.rounds.seen", "rounds read while open", m -> m.roundsSeen());
        counter("teeledger.agent.rounds.selected", "rounds whose lottery selected this HSM", m -> m.roundsSelected());
        counter("teeledger.agent.votes.committed", "votes committed with code 0", m -> m.votesCommitted());
        counter("teeledger.agent.rounds.failed", "selected rounds without a committed vote", m -> m.roundsFailed());
        FunctionCounter.builder("teeledger.agent.restarts", restarts, AtomicLong::get)
                .description("agent restarts after its sidecar failed").register(metrics);
        Gauge.builder("teeledger.agent.running", this, a -> a.running() ? 1 : 0).register(metrics);
        stopping = false;
        Thread t = new Thread(this::loop, "verifier-agent");
        t.setDaemon(true);
        thread = t;
        t.start();
        LOG.infof("verifier agent started (sidecar %s, chain %s)", settings.sidecarUrl(), chainId);
    }

    /** Stops the agent and waits up to {@code timeout} for its thread; returns whether it ended. */
    public synchronized boolean stop(Duration timeout) {
        Thread t = thread;
        if (t == null) {
            return true;
        }
        stopping = true;
        agent.stop();
        t.interrupt();
        try {
            t.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean ended = !t.isAlive();
        if (ended) {
            thread = null;
        }
        return ended;
    }

    /** Whether the agent thread is alive. */
    public boolean running() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /** The agent's counters (all zero when not enabled). */
    public AgentMetrics agentMetrics() {
        VerifierAgent a = agent;
        return a == null ? new AgentMetrics(0, 0, 0, 0) : a.metrics();
    }

    /** How often the agent was restarted after a sidecar failure. */
    public long restarts() {
        return restarts.get();
    }

    private void loop() {
        while (!stopping && !Thread.currentThread().isInterrupted()) {
            try {
                agent.run();
            } catch (SidecarException e) {
                restarts.incrementAndGet();
                LOG.warnf("verifier agent: sidecar %s failed (%s); restarting in %s", settings.sidecarUrl(), e.getMessage(),
                        settings.restartBackoff());
                try {
                    Thread.sleep(settings.restartBackoff().toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // A bug or an unexpected answer must not kill the role silently: log, back off, retry.
                restarts.incrementAndGet();
                LOG.error("verifier agent failed; restarting", e);
                try {
                    Thread.sleep(settings.restartBackoff().toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void counter(String name, String description, ToDoubleFunction<AgentMetrics> f) {
        FunctionCounter.builder(name, this, a -> f.applyAsDouble(a.agentMetrics())).description(description).register(metrics);
    }
}
