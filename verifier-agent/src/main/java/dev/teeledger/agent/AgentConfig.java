package dev.teeledger.agent;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The verifier agent's settings ({@code docs/verifier-agent.md}, "Configuration").
 *
 * @param chainId            the chain the agent votes on; must equal its sidecar's chain id
 * @param pollInterval       pause between two polls of the chain
 * @param firstRoundId       the round id the walk starts from (1 = all history, bounded per poll)
 * @param maxRoundsPerPoll   most round ids read in one poll, so a long history is caught up in steps
 * @param quotePcrs          SHA-256 PCRs to quote (the sidecars' {@code measurement.pcr}, 15 by default)
 * @param nonceBytes         size of the fresh quote nonce, 16..32
 * @param maxAttempts        tries per sidecar or chain call before the step gives up (≥ 1)
 * @param retryBackoff       pause between two tries (doubled each time, at most 8×)
 * @param commitPoll         pause between two looks for the vote in a block
 * @param roundBudget        wall-clock bound on the work for one round, on top of its deadline height
 * @param deadlineMarginBlocks the agent stops working on a round once the chain is within this many
 *                           blocks of its {@code deadline_height}, since a later vote cannot be included in time
 * @param voteUnreachable    whether a testee whose sidecar never answers is voted FAIL/UNREACHABLE
 *                           (otherwise the agent abstains)
 */
public record AgentConfig(String chainId, Duration pollInterval, long firstRoundId, int maxRoundsPerPoll,
        List<Integer> quotePcrs, int nonceBytes, int maxAttempts, Duration retryBackoff, Duration commitPoll,
        Duration roundBudget, int deadlineMarginBlocks, boolean voteUnreachable) {

    public AgentConfig {
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        Objects.requireNonNull(commitPoll, "commitPoll");
        Objects.requireNonNull(roundBudget, "roundBudget");
        quotePcrs = List.copyOf(quotePcrs);
        if (chainId.isEmpty()) {
            throw new IllegalArgumentException("chain id required");
        }
        if (firstRoundId < 1 || maxRoundsPerPoll < 1 || maxAttempts < 1 || deadlineMarginBlocks < 0) {
            throw new IllegalArgumentException("firstRoundId, maxRoundsPerPoll and maxAttempts must be ≥ 1, the margin ≥ 0");
        }
        if (nonceBytes < 16 || nonceBytes > 32) {
            throw new IllegalArgumentException("nonce must be 16..32 bytes");
        }
        if (quotePcrs.isEmpty() || quotePcrs.stream().anyMatch(p -> p < 0 || p > 23)) {
            throw new IllegalArgumentException("quote PCRs must be 0..23, at least one");
        }
    }

    /** Defaults for {@code chainId}: poll every second, 3 tries, 32-byte nonce, PCR 15, 2-minute round budget. */
    public static AgentConfig defaults(String chainId) {
        return new AgentConfig(chainId, Duration.ofSeconds(1), 1, 256, List.of(15), 32, 3, Duration.ofMillis(250),
                Duration.ofMillis(300), Duration.ofMinutes(2), 1, true);
    }

    public AgentConfig withPollInterval(Duration d) {
        return new AgentConfig(chainId, d, firstRoundId, maxRoundsPerPoll, quotePcrs, nonceBytes, maxAttempts, retryBackoff,
                commitPoll, roundBudget, deadlineMarginBlocks, voteUnreachable);
    }

    public AgentConfig withRetries(int attempts, Duration backoff) {
        return new AgentConfig(chainId, pollInterval, firstRoundId, maxRoundsPerPoll, quotePcrs, nonceBytes, attempts, backoff,
                commitPoll, roundBudget, deadlineMarginBlocks, voteUnreachable);
    }

    public AgentConfig withRoundBudget(Duration budget) {
        return new AgentConfig(chainId, pollInterval, firstRoundId, maxRoundsPerPoll, quotePcrs, nonceBytes, maxAttempts,
                retryBackoff, commitPoll, budget, deadlineMarginBlocks, voteUnreachable);
    }

    public AgentConfig withQuotePcrs(List<Integer> pcrs) {
        return new AgentConfig(chainId, pollInterval, firstRoundId, maxRoundsPerPoll, pcrs, nonceBytes, maxAttempts,
                retryBackoff, commitPoll, roundBudget, deadlineMarginBlocks, voteUnreachable);
    }

    public AgentConfig withVoteUnreachable(boolean vote) {
        return new AgentConfig(chainId, pollInterval, firstRoundId, maxRoundsPerPoll, quotePcrs, nonceBytes, maxAttempts,
                retryBackoff, commitPoll, roundBudget, deadlineMarginBlocks, vote);
    }
}
