package dev.teeledger.abci.app;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.teeledger.abci.LedgerNode;
import dev.teeledger.abci.state.MerkleStore;
import dev.teeledger.abci.state.StoreConfig;
import dev.teeledger.protocol.sig.Ed25519KeyPair;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInitChain;
import tendermint.abci.Types.RequestQuery;
import tendermint.abci.Types.ResponseFinalizeBlock;
import tendermint.abci.Types.ResponseQuery;

/** Drives a real {@link LedgerApplication} over a real store in-process, block by block. */
final class AppHarness implements AutoCloseable {
    static final String CHAIN = "harness-chain";
    final List<Ed25519KeyPair> gov = new ArrayList<>();
    final Path dir;
    final ExecutorService pool = Executors.newFixedThreadPool(2);
    MerkleStore store;
    LedgerApplication app;
    long height;

    AppHarness(Path dir) throws Exception {
        this.dir = dir;
        for (int i = 0; i < 3; i++) {
            byte[] seed = new byte[32];
            seed[0] = (byte) (i + 1);
            gov.add(Ed25519KeyPair.fromSeed(seed));
        }
        open();
    }

    void open() throws Exception {
        store = MerkleStore.open(dir, StoreConfig.keepRecent(0));
        app = LedgerNode.createApplication(store, pool);
        height = store.lastVersion();
    }

    void reopen() throws Exception {
        store.close();
        open();
    }

    String genesisJson(int threshold) {
        return TestGenesis.appState(gov, threshold, Map.of("tx.max_signers", "8"));
    }

    byte[] initChain() {
        return app.initChain(RequestInitChain.newBuilder().setChainId(CHAIN).setInitialHeight(1)
                .setAppStateBytes(ByteString.copyFrom(genesisJson(2), StandardCharsets.UTF_8)).build()).getAppHash().toByteArray();
    }

    ResponseFinalizeBlock block(byte[]... txs) {
        height++;
        RequestFinalizeBlock.Builder req = RequestFinalizeBlock.newBuilder().setHeight(height)
                .setTime(Timestamp.newBuilder().setSeconds(1_700_000_000L + height).build());
        for (byte[] tx : txs) {
            req.addTxs(ByteString.copyFrom(tx));
        }
        ResponseFinalizeBlock res = app.finalizeBlock(req.build());
        app.commit(RequestCommit.getDefaultInstance());
        return res;
    }

    ResponseQuery query(String path, boolean prove) {
        return app.query(RequestQuery.newBuilder().setPath(path).setProve(prove).build());
    }

    @Override
    public void close() throws Exception {
        pool.shutdownNow();
        store.close();
    }
}
