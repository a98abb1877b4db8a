package dev.teeledger.chain.rpc;

import java.time.Instant;

/**
 * A node's answer to {@code /status}: who it is and the newest block it has. Returned by
 * {@link CometRpcClient#status()}. Nothing here is verified; use the light-client package before
 * trusting the app hash.
 *
 * @param chainId the {@code network} field of the node info, i.e. the chain id
 * @param nodeId the node's P2P id (hex)
 * @param moniker the operator-chosen node name
 * @param version the CometBFT version string
 * @param latestHeight height of the newest committed block
 * @param latestBlockHash its hash (32 bytes)
 * @param latestAppHash the app hash after executing the block before it (as in that header)
 * @param latestBlockTime the newest block's header time
 * @param catchingUp whether the node is still syncing
 */
public record NodeStatus(
    String chainId,
    String nodeId,
    String moniker,
    String version,
    long latestHeight,
    byte[] latestBlockHash,
    byte[] latestAppHash,
    Instant latestBlockTime,
    boolean catchingUp) {}
