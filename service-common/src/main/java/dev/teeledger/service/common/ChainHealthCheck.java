package dev.teeledger.service.common;

import dev.teeledger.chain.rpc.ChainRpcException;
import dev.teeledger.chain.rpc.NodeStatus;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the chain node ({@code /q/health/ready}, next to the automatic database and
 * Kafka channel checks): UP with the node's chain id and latest height when {@code /status}
 * answers, DOWN otherwise (submissions, chain reads and verified reads would fail).
 */
@Readiness
@ApplicationScoped
public class ChainHealthCheck implements HealthCheck {
    private final ChainClients chain;

    public ChainHealthCheck(ChainClients chain) {
        this.chain = chain;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            NodeStatus s = chain.status();
            return HealthCheckResponse.named("chain").up().withData("chain_id", s.chainId())
                    .withData("latest_height", s.latestHeight()).withData("catching_up", s.catchingUp()).build();
        } catch (ChainRpcException e) {
            return HealthCheckResponse.named("chain").down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
