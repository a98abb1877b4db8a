package dev.teeledger.sidecar.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.app.BlockTime;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.hsm.HsmKeeper;
import dev.teeledger.abci.hsm.HsmTxHandler;
import dev.teeledger.abci.manufacturer.ManufacturerKeeper;
import dev.teeledger.abci.manufacturer.RootCertificate;
import dev.teeledger.abci.state.MerkleStore;
import dev.teeledger.abci.state.StoreConfig;
import dev.teeledger.abci.state.WorkingSet;
import dev.teeledger.protocol.sig.P256;
import dev.teeledger.protocol.sig.Signer;
import dev.teeledger.protocol.sig.VerifiedSignatureCache;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.ManufacturerRecord;
import dev.teeledger.protocol.state.v1.ManufacturerStatus;
import dev.teeledger.protocol.tpm.TpmtPublic;
import dev.teeledger.protocol.tx.SignedTx;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.TxCodec;
import dev.teeledger.protocol.tx.TxLimits;
import dev.teeledger.protocol.tx.TxSignatures;
import dev.teeledger.protocol.tx.v1.HsmJoin;
import dev.teeledger.protocol.tx.v1.KeyType;
import dev.teeledger.protocol.tx.v1.PublicKey;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.sidecar.tpm.NodeTpm;
import dev.teeledger.sidecar.tpm.NodeTpmConfig;
import dev.teeledger.sidecar.tpm.SidecarException;
import dev.teeledger.sidecar.tpm.TpmCallObserver;
import dev.teeledger.sidecar.tpm.TpmConnector;
import dev.teeledger.sidecar.tpm.TpmSession;
import dev.teeledger.testkit.swtpm.SwtpmFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A join transaction built only from GetIdentity output (and signed through the sidecar's Sign
 * call) is accepted by the chain's join handler: the sidecar produces exactly what the registry
 * verifies. Unit level: the handler runs on a fresh state with the swtpm_localca root registered.
 */
class JoinFromIdentityIT {

    private static final String CHAIN = "sidecar-join-it";

    @TempDir
    Path tmp;

    @Test
    void aJoinBuiltFromGetIdentityIsAcceptedByTheHsmTxHandler() throws Exception {
        try (SwtpmFixture fixture = SwtpmFixture.start(SwtpmFixture.AkAlgorithm.ECC);
                MerkleStore store = MerkleStore.open(tmp.resolve("store"), StoreConfig.keepRecent(0))) {
            // Fresh keys at handles the fixture did not use: the sidecar's own provisioning is what joins.
            NodeTpmConfig config = NodeTpmConfig.defaults(tmp.resolve("state"), CHAIN, "https://hsm-0.test:8443")
                    .withKeyHandles(0x81010005, 0x81000015);
            TpmSession session = new TpmSession(TpmConnector.tcp("127.0.0.1", fixture.tpm(0).dataPort(),
                    Duration.ofSeconds(2), Duration.ofSeconds(10)), Duration.ofSeconds(30), TpmCallObserver.NONE);
            try (NodeTpm sidecar = new NodeTpm(session, config, new SecureRandom())) {
                SidecarIdentity id = sidecar.identity();
                HsmJoin.Builder join = HsmJoin.newBuilder()
                        .setEkCertificate(ByteString.copyFrom(id.ekCertificate()))
                        .setEkPublic(ByteString.copyFrom(id.ekPublic()))
                        .setAkPublic(ByteString.copyFrom(id.akPublic()))
                        .setNodeKeyPublic(ByteString.copyFrom(id.nodeKeyPublic()))
                        .setCertifyAttest(ByteString.copyFrom(id.certifyAttest()))
                        .setCertifySignature(ByteString.copyFrom(id.certifySignature()))
                        .setVrfPublicKey(ByteString.copyFrom(id.vrfPublicKey()))
                        .setVrfKeySignature(ByteString.copyFrom(id.vrfKeySignature()))
                        .setSidecarEndpoint(id.sidecarEndpoint());
                id.intermediates().forEach(c -> join.addIntermediates(ByteString.copyFrom(c)));
                byte[] raw = TxBuilder.forChain(CHAIN).type(TxType.TX_TYPE_HSM_JOIN).payload(join.build()).nonce(0)
                        .signer(sidecarSigner(sidecar, id)).build();

                WorkingSet ws = store.newWorkingSet();
                RootCertificate root = RootCertificate.parse(fixture.rootCertificate());
                new ManufacturerKeeper(ws).put(ManufacturerRecord.newBuilder().setId(ByteString.copyFrom(root.id()))
                        .setName("swtpm test vendor").setRootCertificate(ByteString.copyFrom(fixture.rootCertificate()))
                        .addIntermediates(ByteString.copyFrom(fixture.intermediateCertificate()))
                        .setStatus(ManufacturerStatus.MANUFACTURER_STATUS_ACTIVE).setAddedHeight(1).build());
                SignedTx tx = TxCodec.decode(raw, TxLimits.DEFAULT);
                TxSignatures.verifyAll(tx, CHAIN, new VerifiedSignatureCache(16));
                TxContext ctx = new TxContext(2, new BlockTime(Instant.now().getEpochSecond(), 0), CHAIN, ws);

                new HsmTxHandler().deliver(ctx, tx);

                assertThat(new HsmKeeper(ws).find(id.hsmId()).getState()).isEqualTo(HsmState.HSM_STATE_PENDING);
                assertThat(new HsmKeeper(ws).find(id.hsmId()).getVrfPublicKey().toByteArray()).isEqualTo(id.vrfPublicKey());
            }
        }
    }

    /** The node key as a transaction signer, through the sidecar's Sign call (low-S r ‖ s). */
    private static Signer sidecarSigner(NodeTpm sidecar, SidecarIdentity id) throws Exception {
        TpmtPublic node = TpmtPublic.parse(id.nodeKeyPublic());
        byte[] compressed = P256.CURVE.getCurve().createPoint(node.eccX(), node.eccY()).getEncoded(true);
        PublicKey key = PublicKey.newBuilder().setType(KeyType.KEY_TYPE_ECDSA_P256)
                .setKey(ByteString.copyFrom(compressed)).build();
        return new Signer() {
            @Override
            public PublicKey publicKey() {
                return key;
            }

            @Override
            public byte[] sign(byte[] message) {
                try {
                    return sidecar.sign(MessageDigest.getInstance("SHA-256").digest(message)).lowS();
                } catch (SidecarException | java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }
}
