package dev.teeledger.abci.credit;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.teeledger.abci.LedgerNode;
import dev.teeledger.abci.app.LedgerApplication;
import dev.teeledger.abci.app.TestGenesis;
import dev.teeledger.abci.state.MerkleStore;
import dev.teeledger.abci.state.StoreConfig;
import dev.teeledger.protocol.sig.Ed25519KeyPair;
import dev.teeledger.protocol.sig.Signer;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.ActivityKind;
import dev.teeledger.protocol.tx.v1.ActivityReport;
import dev.teeledger.protocol.tx.v1.CreditReason;
import dev.teeledger.protocol.tx.v1.PublicKey;
import dev.teeledger.protocol.tx.v1.ReporterChange;
import dev.teeledger.protocol.tx.v1.TxType;
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

/** Drives the full application (as LedgerNode wires it) in-process, with credit parameters in genesis. */
final class CreditHarness implements AutoCloseable {
    static final String CHAIN = "credit-chain";
    final List<Ed25519KeyPair> gov = new ArrayList<>();
    final ExecutorService pool = Executors.newFixedThreadPool(2);
    final MerkleStore store;
    final LedgerApplication app;
    long height;

    CreditHarness(Path dir) throws Exception {
        gov.addAll(TestGenesis.governanceKeys(3));
        store = MerkleStore.open(dir, StoreConfig.keepRecent(0));
        // Credit rules are tested on made-up HSM ids; the registry's own check is tested with
        // real TPM evidence in the registry tests and in the chain ITs.
        app = LedgerNode.createApplication(store, pool, (state, hsmId) -> hsmId.length == HsmDirectory.ID_BYTES);
    }

    byte[] initChain(Map<String, String> params) {
        String genesis = TestGenesis.appState(gov, 2, params);
        return app.initChain(RequestInitChain.newBuilder().setChainId(CHAIN).setInitialHeight(1)
                .setAppStateBytes(ByteString.copyFrom(genesis, StandardCharsets.UTF_8)).build()).getAppHash().toByteArray();
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

    static byte[] reporterChange(TxType type, long govNonce, PublicKey key, List<? extends Signer> signers) {
        return TxBuilder.forChain(CHAIN).type(type).payload(ReporterChange.newBuilder().setKey(key).build())
                .nonce(govNonce).signers(signers).build();
    }

    static ActivityReport report(byte[] hsm, ActivityKind kind, long amount, String idem) {
        return ActivityReport.newBuilder().setHsmId(ByteString.copyFrom(hsm)).setKind(kind).setAmount(amount)
                .setReason(kind == ActivityKind.ACTIVITY_KIND_INCOME ? CreditReason.CREDIT_REASON_ATTESTATION_INCOME
                        : CreditReason.CREDIT_REASON_DISSENT_PENALTY)
                .setIdempotencyKey(ByteString.copyFromUtf8(idem)).build();
    }

    static byte[] reportTx(Signer reporter, long nonce, ActivityReport report) {
        return TxBuilder.forChain(CHAIN).type(TxType.TX_TYPE_CREDIT_ACTIVITY_REPORT).payload(report)
                .nonce(nonce).signer(reporter).build();
    }

    @Override
    public void close() throws Exception {
        pool.shutdownNow();
        store.close();
    }
}
