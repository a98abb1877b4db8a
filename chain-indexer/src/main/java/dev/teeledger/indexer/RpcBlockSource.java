package dev.teeledger.indexer;

import dev.teeledger.chain.rpc.BlockResponse;
import dev.teeledger.chain.rpc.BlockResults;
import dev.teeledger.chain.rpc.ChainRpcException;
import dev.teeledger.chain.rpc.CometRpcClient;
import java.util.Objects;

/**
 * {@link BlockSource} over a CometBFT node's JSON-RPC ({@code /status}, {@code /block},
 * {@code /block_results}) through {@link CometRpcClient}. Every RPC failure is reported as
 * retryable: a node that is down, restarting, or has not stored a height's results yet (it
 * answers {@code could not find results for height}) will answer later. A height the node has
 * pruned keeps failing; the indexer logs each retry with the node's message, so the operator
 * sees it (see docs/indexer.md, "Operations").
 */
public final class RpcBlockSource implements BlockSource {
    private final CometRpcClient rpc;
    private volatile String chainId;

    public RpcBlockSource(CometRpcClient rpc) {
        this.rpc = Objects.requireNonNull(rpc, "rpc");
    }

    @Override
    public String chainId() throws RetryableException {
        String id = chainId;
        if (id == null) {
            try {
                id = rpc.status().chainId();
            } catch (ChainRpcException e) {
                throw new RetryableException("status: " + e.getMessage(), e);
            }
            chainId = id;
        }
        return id;
    }

    @Override
    public long latestHeight() throws RetryableException {
        try {
            return rpc.status().latestHeight();
        } catch (ChainRpcException e) {
            throw new RetryableException("status: " + e.getMessage(), e);
        }
    }

    @Override
    public IndexedBlock fetch(long height) throws RetryableException, IndexerException {
        BlockResponse block;
        BlockResults results;
        try {
            block = rpc.block(height);
            results = rpc.blockResults(height);
        } catch (ChainRpcException e) {
            throw new RetryableException("height " + height + ": " + e.getMessage(), e);
        }
        return BlockMapper.map(chainId(), block, results);
    }
}
