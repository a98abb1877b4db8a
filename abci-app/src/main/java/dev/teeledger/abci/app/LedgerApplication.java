package dev.teeledger.abci.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.teeledger.abci.credit.CreditKeeper;
import dev.teeledger.abci.gov.GovGenesis;
import dev.teeledger.abci.gov.GovKeeper;
import dev.teeledger.protocol.gov.Param;
import dev.teeledger.abci.query.QueryRouter;
import dev.teeledger.abci.server.AbciApplication;
import dev.teeledger.abci.state.MerkleStore;
import dev.teeledger.abci.state.StoreException;
import dev.teeledger.abci.state.WorkingSet;
import dev.teeledger.protocol.state.v1.BlockInfo;
import dev.teeledger.protocol.state.v1.ChainInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import tendermint.abci.Types.Event;
import tendermint.abci.Types.EventAttribute;
import tendermint.abci.Types.ExecTxResult;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInfo;
import tendermint.abci.Types.RequestInitChain;
import tendermint.abci.Types.RequestQuery;
import tendermint.abci.Types.ResponseCheckTx;
import tendermint.abci.Types.ResponseCommit;
import tendermint.abci.Types.ResponseFinalizeBlock;
import tendermint.abci.Types.ResponseInfo;
import tendermint.abci.Types.ResponseInitChain;
import tendermint.abci.Types.ResponseQuery;

/**
 * The TEE Ledger state machine as CometBFT sees it. Block execution
 * (InitChain, FinalizeBlock, Commit) runs on the consensus connection and is a
 * pure function of the committed state and the block: block time comes from the
 * header, iteration is over sorted keys, and signature checks only consult a
 * cache of past successes. FinalizeBlock stages every write in a working set and
 * computes the app hash; Commit persists that set atomically, so a crash in
 * between loses nothing CometBFT cannot replay.
 *
 * <p>Threads: CometBFT calls the consensus, mempool and query connections
 * concurrently. The consensus methods are serialised by CometBFT itself;
 * CheckTx runs against a separate check state guarded by {@code checkLock};
 * queries read committed versions, which the store serves concurrently with
 * commits.
 */
public final class LedgerApplication implements AbciApplication {
    private static final System.Logger LOG = System.getLogger(LedgerApplication.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String VERSION = "0.1.0";
    public static final long APP_VERSION = 1;

    private final MerkleStore store;
    private final TxRouter router;
    private final QueryRouter queries;
    private final AppMetrics metrics;
    private final ExecutorService verifierPool;
    private final List<BlockHook> endBlockHooks;

    private final Object checkLock = new Object();
    private WorkingSet checkState;

    /** Genesis state between InitChain and the first Commit. */
    private WorkingSet genesisState;
    /** The block executed by the last FinalizeBlock, awaiting Commit. */
    private PendingBlock pending;
    private volatile String chainId;

    private record PendingBlock(long height, WorkingSet state, long startNanos) {}

    /**
     * @param endBlockHooks run in list order at the end of every block; the order is part of
     *     the state machine and must be the same on every node
     */
    public LedgerApplication(MerkleStore store, TxRouter router, QueryRouter queries, AppMetrics metrics,
            ExecutorService verifierPool, List<BlockHook> endBlockHooks) {
        this.endBlockHooks = List.copyOf(endBlockHooks);
        this.store = store;
        this.router = router;
        this.queries = queries;
        this.metrics = metrics;
        this.verifierPool = verifierPool;
        this.checkState = store.newWorkingSet();
        this.chainId = readChainInfo(store.latest().get(AppKeys.CHAIN));
        metrics.committed(store.lastVersion(), 0);
        creditMetrics();
    }

    /** Publishes the committed credit total and limits; reads the fresh check state (a few keys). */
    private void creditMetrics() {
        GovKeeper gov = new GovKeeper(checkState);
        metrics.credit(new CreditKeeper(checkState).total(), gov.param(Param.CREDIT_CAP),
                gov.param(Param.CREDIT_NORMALIZATION_TRIGGER_BPS));
    }

    @Override
    public ResponseInfo info(RequestInfo req) {
        long height = store.lastVersion();
        return ResponseInfo.newBuilder()
                .setData("teeledger")
                .setVersion(VERSION)
                .setAppVersion(APP_VERSION)
                .setLastBlockHeight(height)
                .setLastBlockAppHash(height == 0 ? ByteString.EMPTY : ByteString.copyFrom(store.lastRootHash()))
                .build();
    }

    @Override
    public ResponseInitChain initChain(RequestInitChain req) {
        if (store.lastVersion() != 0) {
            throw new IllegalStateException("InitChain on a store that already holds height " + store.lastVersion());
        }
        long initialHeight = Math.max(1, req.getInitialHeight());
        JsonNode appState;
        try {
            appState = req.getAppStateBytes().isEmpty() ? JSON.createObjectNode() : JSON.readTree(req.getAppStateBytes().toByteArray());
        } catch (IOException e) {
            throw new IllegalArgumentException("genesis app_state is not valid JSON: " + e.getMessage(), e);
        }
        if (!appState.isObject()) {
            throw new IllegalArgumentException("genesis app_state must be a JSON object");
        }
        WorkingSet genesis = store.newWorkingSet();
        genesis.put(AppKeys.CHAIN, ChainInfo.newBuilder().setChainId(req.getChainId()).setInitialHeight(initialHeight).build().toByteArray());
        GovGenesis.apply(appState, genesis, initialHeight);
        this.genesisState = genesis;
        this.chainId = req.getChainId();
        LOG.log(System.Logger.Level.INFO, "genesis applied for chain {0} at initial height {1}", chainId, initialHeight);
        // Validators stay exactly as in genesis.json: an empty list keeps them.
        return ResponseInitChain.newBuilder().setAppHash(ByteString.copyFrom(genesis.rootHash())).build();
    }

    @Override
    public ResponseCheckTx checkTx(RequestCheckTx req) {
        String id = chainId;
        if (id == null) {
            return ResponseCheckTx.newBuilder().setCode(dev.teeledger.protocol.result.ResultCode.MALFORMED_TX.code())
                    .setLog("chain not initialised").build();
        }
        TxRouter.Outcome out;
        synchronized (checkLock) {
            long next = store.lastVersion() + 1;
            out = router.execute(checkState, req.getTx().toByteArray(), next, lastBlockTime(checkState), id);
        }
        metrics.tx("check", out.type() == null ? "unknown" : out.type().name(), out.code().code());
        return ResponseCheckTx.newBuilder().setCode(out.code().code()).setLog(out.log()).build();
    }

    @Override
    public ResponseFinalizeBlock finalizeBlock(RequestFinalizeBlock req) {
        long start = System.nanoTime();
        long height = req.getHeight();
        long expected = store.lastVersion() == 0 ? -1 : store.lastVersion() + 1;
        if (expected != -1 && height != expected) {
            throw new IllegalStateException("FinalizeBlock for height " + height + " but the store is at " + store.lastVersion());
        }
        WorkingSet state = genesisState != null ? genesisState : store.newWorkingSet();
        BlockTime time = BlockTime.of(req.getTime());
        state.put(AppKeys.BLOCK, BlockInfo.newBuilder().setHeight(height)
                .setTimeSeconds(time.seconds()).setTimeNanos(time.nanos()).setBlockHash(req.getHash()).build().toByteArray());

        prewarmSignatures(req.getTxsList(), new GovKeeper(state).txLimits().maxTxBytes());
        ResponseFinalizeBlock.Builder res = ResponseFinalizeBlock.newBuilder();
        for (ByteString tx : req.getTxsList()) {
            TxRouter.Outcome out = router.execute(state, tx.toByteArray(), height, time, chainId);
            metrics.tx("deliver", out.type() == null ? "unknown" : out.type().name(), out.code().code());
            res.addTxResults(ExecTxResult.newBuilder()
                    .setCode(out.code().code())
                    .setLog(out.log())
                    .addAllEvents(out.events()));
        }
        for (BlockHook hook : endBlockHooks) {
            TxContext ctx = new TxContext(height, time, chainId, state);
            hook.endBlock(ctx);
            res.addAllEvents(ctx.events());
        }
        res.setAppHash(ByteString.copyFrom(state.rootHash()));
        countEvents(res);
        pending = new PendingBlock(height, state, start);
        metrics.finalized(System.nanoTime() - start);
        return res.build();
    }

    private void countEvents(ResponseFinalizeBlock.Builder res) {
        List<Event> all = new ArrayList<>(res.getEventsList());
        res.getTxResultsList().forEach(r -> all.addAll(r.getEventsList()));
        for (Event e : all) {
            metrics.event(e.getType(), key -> e.getAttributesList().stream()
                    .filter(a -> a.getKey().equals(key)).map(EventAttribute::getValue).findFirst().orElse(null));
        }
    }

    @Override
    public ResponseCommit commit(RequestCommit req) {
        PendingBlock block = pending;
        if (block == null) {
            throw new IllegalStateException("Commit without FinalizeBlock");
        }
        long start = System.nanoTime();
        // CometBFT holds the mempool lock across Commit, but the check state is swapped under
        // checkLock anyway: a CheckTx on a working set of the previous version must never
        // interleave with the commit that retires it.
        synchronized (checkLock) {
            try {
                store.commit(block.state(), block.height(), chainMetadata());
            } catch (StoreException e) {
                // A commit that fails must stop the node: continuing would diverge from peers.
                throw new IllegalStateException("cannot commit height " + block.height() + ": " + e.getMessage(), e);
            }
            checkState = store.newWorkingSet();
            creditMetrics();
        }
        pending = null;
        genesisState = null;
        metrics.committed(block.height(), System.nanoTime() - start);
        return ResponseCommit.newBuilder().setRetainHeight(0).build();
    }

    public AppMetrics metrics() {
        return metrics;
    }

    @Override
    public ResponseQuery query(RequestQuery req) {
        return queries.query(req);
    }

    private byte[] chainMetadata() {
        String id = chainId == null ? "" : chainId;
        return ChainInfo.newBuilder().setChainId(id).build().toByteArray();
    }

    private void prewarmSignatures(List<ByteString> txs, int maxTxBytes) {
        if (txs.size() < 2) {
            return;
        }
        String id = chainId;
        List<Future<?>> futures = new ArrayList<>(txs.size());
        for (ByteString tx : txs) {
            futures.add(verifierPool.submit(() -> router.prewarm(tx.toByteArray(), id, maxTxBytes)));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                LOG.log(System.Logger.Level.WARNING, "signature prewarm failed", e.getCause());
            }
        }
    }

    private static BlockTime lastBlockTime(WorkingSet state) {
        byte[] raw = state.get(AppKeys.BLOCK);
        if (raw == null) {
            return BlockTime.EPOCH;
        }
        try {
            BlockInfo info = BlockInfo.parseFrom(raw);
            return new BlockTime(info.getTimeSeconds(), info.getTimeNanos());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt block info", e);
        }
    }

    private static String readChainInfo(byte[] raw) {
        if (raw == null) {
            return null;
        }
        try {
            return ChainInfo.parseFrom(raw).getChainId();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt chain info", e);
        }
    }
}
