package dev.teeledger.abci.attestation;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.teeledger.abci.LedgerNode;
import dev.teeledger.abci.app.LedgerApplication;
import dev.teeledger.abci.app.TestGenesis;
import dev.teeledger.abci.credit.CreditKeeper;
import dev.teeledger.abci.hsm.HsmKeeper;
import dev.teeledger.abci.manufacturer.ManufacturerKeeper;
import dev.teeledger.abci.state.MerkleStore;
import dev.teeledger.abci.state.StoreConfig;
import dev.teeledger.abci.state.WorkingSet;
import dev.teeledger.protocol.attestation.Sortition;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.sig.EcdsaP256KeyPair;
import dev.teeledger.protocol.sig.Ed25519KeyPair;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.ChainInfo;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.ManufacturerRecord;
import dev.teeledger.protocol.state.v1.ManufacturerStatus;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.AttestationVote;
import dev.teeledger.protocol.tx.v1.BootstrapActivation;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.protocol.tx.v1.Verdict;
import dev.teeledger.protocol.tx.v1.VerdictReason;
import dev.teeledger.protocol.vrf.EcVrf;
import dev.teeledger.protocol.vrf.EcVrfKeyPair;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInitChain;
import tendermint.abci.Types.RequestQuery;
import tendermint.abci.Types.ResponseFinalizeBlock;
import tendermint.abci.Types.ResponseQuery;

/**
 * Drives the full application (as LedgerNode wires it) in-process for attestation tests and the
 * simulation. HSMs are software stand-ins: their records are written as a verified join leaves
 * them (PENDING, with a node key and a VRF key), because the join's TPM checks are tested with
 * real evidence elsewhere (registry tests, swtpm ITs) and here only votes and rounds matter.
 */
final class AttestationHarness implements AutoCloseable {
    static final String CHAIN = "attestation-chain";
    static final byte[] MANUFACTURER = sha("test manufacturer");

    /** A software HSM: id, node key and VRF key. */
    record Hsm(byte[] id, EcdsaP256KeyPair node, EcVrfKeyPair vrf) {}

    final List<Ed25519KeyPair> gov = new ArrayList<>();
    final ExecutorService pool = Executors.newFixedThreadPool(2);
    final MerkleStore store;
    final LedgerApplication app;
    final List<Hsm> hsms = new ArrayList<>();
    long height;
    long govNonce;
    byte[] lastAppHash;

    AttestationHarness(Path dir, Map<String, Long> params) throws Exception {
        gov.addAll(TestGenesis.governanceKeys(3));
        store = MerkleStore.open(dir, StoreConfig.keepRecent(0));
        app = LedgerNode.createApplication(store, pool);
        String genesis = TestGenesis.appState(gov, 2, params);
        lastAppHash = app.initChain(RequestInitChain.newBuilder().setChainId(CHAIN).setInitialHeight(1)
                .setAppStateBytes(ByteString.copyFrom(genesis, StandardCharsets.UTF_8)).build()).getAppHash().toByteArray();
        block();
    }

    /**
     * Writes {@code n} PENDING HSM records under one active manufacturer as a committed block
     * of its own (no transactions: the records stand for joins checked elsewhere). Keys come
     * from {@code random}, so a seed gives the same HSMs every run.
     */
    List<Hsm> seedHsms(int n, Random random) throws Exception {
        WorkingSet ws = store.newWorkingSet();
        new ManufacturerKeeper(ws).put(ManufacturerRecord.newBuilder().setId(ByteString.copyFrom(MANUFACTURER))
                .setName("test").setStatus(ManufacturerStatus.MANUFACTURER_STATUS_ACTIVE).build());
        HsmKeeper keeper = new HsmKeeper(ws);
        List<Hsm> added = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] id = new byte[32];
            random.nextBytes(id);
            byte[] nodeScalar = new byte[32];
            random.nextBytes(nodeScalar);
            nodeScalar[0] &= 0x7f;
            byte[] vrfSecret = new byte[32];
            random.nextBytes(vrfSecret);
            vrfSecret[0] &= 0x7f;
            Hsm hsm = new Hsm(id, EcdsaP256KeyPair.fromScalar(nodeScalar), EcVrf.fromSecret(vrfSecret));
            keeper.register(HsmRecord.newBuilder()
                    .setHsmId(ByteString.copyFrom(id))
                    .setManufacturerId(ByteString.copyFrom(MANUFACTURER))
                    .setState(HsmState.HSM_STATE_PENDING)
                    .setNodeKey(hsm.node().publicKey())
                    .setVrfPublicKey(ByteString.copyFrom(hsm.vrf().publicKey().encoded()))
                    .setSidecarEndpoint("tcp://127.0.0.1:" + (7000 + hsms.size()))
                    .setJoinedHeight(height + 1)
                    .setStateHeight(height + 1)
                    .build());
            added.add(hsm);
            hsms.add(hsm);
        }
        height++;
        lastAppHash = ws.rootHash();
        store.commit(ws, height, ChainInfo.newBuilder().setChainId(CHAIN).build().toByteArray());
        return added;
    }

    byte[] govTx(TxType type, Message payload) {
        return TxBuilder.forChain(CHAIN).type(type).payload(payload).nonce(govNonce++).signers(gov.subList(0, 2)).build();
    }

    byte[] bootstrap(Hsm hsm) {
        return govTx(TxType.TX_TYPE_ATTESTATION_BOOTSTRAP,
                BootstrapActivation.newBuilder().setHsmId(ByteString.copyFrom(hsm.id())).setReason("genesis verifier").build());
    }

    ResponseFinalizeBlock block(byte[]... txs) {
        return block(List.of(txs));
    }

    ResponseFinalizeBlock block(List<byte[]> txs) {
        height++;
        RequestFinalizeBlock.Builder req = RequestFinalizeBlock.newBuilder().setHeight(height)
                .setHash(ByteString.copyFrom(sha("block " + height)))
                .setTime(Timestamp.newBuilder().setSeconds(1_800_000_000L + height).build());
        for (byte[] tx : txs) {
            req.addTxs(ByteString.copyFrom(tx));
        }
        ResponseFinalizeBlock res = app.finalizeBlock(req.build());
        app.commit(RequestCommit.getDefaultInstance());
        lastAppHash = res.getAppHash().toByteArray();
        return res;
    }

    /** Runs a block whose transactions must all pass. */
    ResponseFinalizeBlock okBlock(byte[]... txs) {
        ResponseFinalizeBlock res = block(txs);
        for (var r : res.getTxResultsList()) {
            if (r.getCode() != 0) {
                throw new AssertionError("tx failed: " + ResultCode.fromCode(r.getCode()) + " " + r.getLog());
            }
        }
        return res;
    }

    ResponseQuery query(String path) {
        return app.query(RequestQuery.newBuilder().setPath(path).setProve(true).build());
    }

    // --- reading committed state ---

    WorkingSet view() {
        return store.newWorkingSet();
    }

    HsmState state(Hsm hsm) {
        return new HsmKeeper(view()).find(hsm.id()).getState();
    }

    long balance(Hsm hsm) {
        return new CreditKeeper(view()).balance(hsm.id());
    }

    AttestationRound openRound(Hsm testee) {
        AttestationKeeper k = new AttestationKeeper(view());
        return k.openRound(testee.id()).flatMap(k::round).orElse(null);
    }

    AttestationRound round(long id) {
        return new AttestationKeeper(view()).round(id).orElseThrow();
    }

    // --- voting ---

    /** The verifier's VRF proof for the round, and whether its output selects it. */
    record Ticket(byte[] proof, boolean selected) {}

    Ticket ticket(AttestationRound round, Hsm verifier) throws Exception {
        byte[] proof = verifier.vrf().prove(Sortition.alpha(CHAIN, round.getId(), round.getSeed().toByteArray()));
        BigInteger weight = new CreditKeeper(view()).sharesAt(verifier.id(), round.getOpenedHeight());
        boolean selected = Sortition.selected(EcVrf.proofToHash(proof), weight,
                Sortition.unsigned(round.getTotalShares()), round.getCommitteeSize());
        return new Ticket(proof, selected);
    }

    static AttestationVote vote(AttestationRound round, Hsm verifier, Verdict verdict, byte[] proof) {
        return AttestationVote.newBuilder()
                .setRoundId(round.getId())
                .setVerifierId(ByteString.copyFrom(verifier.id()))
                .setVerdict(verdict)
                .setReason(verdict == Verdict.VERDICT_PASS ? VerdictReason.VERDICT_REASON_OK : VerdictReason.VERDICT_REASON_PCR_MISMATCH)
                .setEvidenceDigest(ByteString.copyFrom(sha("evidence " + round.getId())))
                .setVrfProof(ByteString.copyFrom(proof))
                .build();
    }

    static byte[] voteTx(String chainId, AttestationVote vote, EcdsaP256KeyPair signer, long nonce) {
        return TxBuilder.forChain(chainId).type(TxType.TX_TYPE_ATTESTATION_VOTE).payload(vote).nonce(nonce).signer(signer).build();
    }

    byte[] voteTx(AttestationVote vote, Hsm signer) {
        return voteTx(CHAIN, vote, signer.node(), 0);
    }

    static byte[] sha(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    @Override
    public void close() throws Exception {
        pool.shutdownNow();
        store.close();
    }
}
