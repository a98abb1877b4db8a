package dev.teeledger.abci.registry;

import dev.teeledger.abci.query.QueryProofs;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.teeledger.abci.LedgerNode;
import dev.teeledger.abci.app.BlockTime;
import dev.teeledger.abci.app.LedgerApplication;
import dev.teeledger.abci.app.TestGenesis;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.state.WorkingSet;
import dev.teeledger.abci.state.MerkleStore;
import dev.teeledger.abci.state.StoreConfig;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.sig.Ed25519KeyPair;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.TxType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInitChain;
import tendermint.abci.Types.RequestQuery;
import tendermint.abci.Types.ResponseFinalizeBlock;
import tendermint.abci.Types.ResponseQuery;

/**
 * Drives the full application (as LedgerNode wires it) in-process for registry tests, with a
 * block time the test controls (each block advances it by one second).
 */
final class RegistryHarness implements AutoCloseable {
    static final String CHAIN = "registry-chain";
    static final Instant START = Instant.parse("2027-06-01T12:00:00Z");

    final List<Ed25519KeyPair> gov = new ArrayList<>();
    final ExecutorService pool = Executors.newFixedThreadPool(2);
    final MerkleStore store;
    final LedgerApplication app;
    long height;
    long govNonce;
    Instant time = START;
    byte[] lastAppHash;

    RegistryHarness(Path dir) throws Exception {
        gov.addAll(TestGenesis.governanceKeys(3));
        store = MerkleStore.open(dir, StoreConfig.keepRecent(0));
        app = LedgerNode.createApplication(store, pool);
        String genesis = TestGenesis.appState(gov, 2, java.util.Map.of());
        lastAppHash = app.initChain(RequestInitChain.newBuilder().setChainId(CHAIN).setInitialHeight(1)
                .setAppStateBytes(ByteString.copyFrom(genesis, StandardCharsets.UTF_8)).build()).getAppHash().toByteArray();
    }

    /** A governance transaction signed by two of three keys, with the given nonce. */
    byte[] govTx(TxType type, Message payload, long nonce) {
        return TxBuilder.forChain(CHAIN).type(type).payload(payload).nonce(nonce).signers(gov.subList(0, 2)).build();
    }

    /** A governance transaction that the test expects to pass: takes the next nonce and advances it. */
    byte[] govTx(TxType type, Message payload) {
        return govTx(type, payload, govNonce++);
    }

    ResponseFinalizeBlock block(byte[]... txs) {
        height++;
        time = time.plusSeconds(1);
        RequestFinalizeBlock.Builder req = RequestFinalizeBlock.newBuilder().setHeight(height)
                .setTime(Timestamp.newBuilder().setSeconds(time.getEpochSecond()).setNanos(time.getNano()).build());
        for (byte[] tx : txs) {
            req.addTxs(ByteString.copyFrom(tx));
        }
        ResponseFinalizeBlock res = app.finalizeBlock(req.build());
        app.commit(RequestCommit.getDefaultInstance());
        lastAppHash = res.getAppHash().toByteArray();
        return res;
    }

    /**
     * Commits one block whose only content is {@code writes}, made directly through the store
     * (as a module's keeper would), then an empty block through the app so that CheckTx sees the
     * new state. For state that no transaction can produce in a unit test, e.g. joined HSMs
     * (a valid join needs a live TPM's node key) or the attestation module's writes.
     */
    void seed(java.util.function.Consumer<TxContext> writes) throws Exception {
        height++;
        time = time.plusSeconds(1);
        WorkingSet ws = store.newWorkingSet();
        writes.accept(new TxContext(height, new BlockTime(time.getEpochSecond(), time.getNano()), CHAIN, ws));
        byte[] root = ws.rootHash();
        store.commit(ws, height, store.appMetadata());
        lastAppHash = root;
        block();
    }

    /** Runs one block of governance transactions that must all pass, advancing the nonce. */
    ResponseFinalizeBlock okBlock(byte[]... txs) {
        ResponseFinalizeBlock res = block(txs);
        for (var r : res.getTxResultsList()) {
            if (r.getCode() != 0) {
                throw new AssertionError("tx failed: " + ResultCode.fromCode(r.getCode()) + " " + r.getLog());
            }
        }
        return res;
    }

    int checkTx(byte[] tx) {
        return app.checkTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFrom(tx)).build()).getCode();
    }

    ResponseQuery query(String path, boolean prove) {
        return app.query(RequestQuery.newBuilder().setPath(path).setProve(prove).build());
    }

    /** Queries with a proof, verifies it against the last app hash and returns the value (null if absent). */
    byte[] proven(String path) throws Exception {
        ResponseQuery q = query(path, true);
        if (q.getCode() != 0 && q.getCode() != ResultCode.NOT_FOUND.code()) {
            throw new AssertionError(path + ": " + q.getLog());
        }
        byte[] value = q.getCode() == 0 ? q.getValue().toByteArray() : null;
        QueryProofs.verify(q, lastAppHash, value);
        return value;
    }

    @Override
    public void close() throws Exception {
        pool.shutdownNow();
        store.close();
    }
}
