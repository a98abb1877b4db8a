package dev.teeledger.agent;

/**
 * A snapshot of the agent's participation counters, from {@link VerifierAgent#metrics()}. Plain
 * counters (no Micrometer in this library): the service that wraps the agent exports them,
 * e.g. as Micrometer function counters.
 *
 * @param roundsSeen     rounds read from the chain while still OPEN (each counted once)
 * @param roundsSelected rounds whose VRF lottery selected this HSM (and its credit reached the minimum)
 * @param votesCommitted votes included in a block with result code 0
 * @param roundsFailed   selected rounds without a committed vote: sidecar or chain failures,
 *                       a rejected vote, or the deadline reached
 */
public record AgentMetrics(long roundsSeen, long roundsSelected, long votesCommitted, long roundsFailed) {}
