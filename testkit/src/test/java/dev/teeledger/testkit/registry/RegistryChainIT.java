package dev.teeledger.testkit.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.teeledger.abci.firmware.FirmwareKeeper;
import dev.teeledger.abci.hsm.HsmTrust;
import dev.teeledger.chain.light.VerifiedQueryClient;
import dev.teeledger.protocol.state.v1.FirmwareRecord;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.ManufacturerRecord;
import dev.teeledger.protocol.state.v1.ManufacturerStatus;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.FirmwareApprove;
import dev.teeledger.protocol.tx.v1.ManufacturerAdd;
import dev.teeledger.protocol.tx.v1.ManufacturerRevoke;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.protocol.x509.HsmId;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.fixtures.GovernanceFixture;
import dev.teeledger.testkit.swtpm.JoinTransactions;
import dev.teeledger.testkit.swtpm.ProvisionedTpm;
import dev.teeledger.testkit.swtpm.SwtpmFixture;
import dev.teeledger.testkit.swtpm.SwtpmFixture.AkAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The registry on a real CometBFT chain with three real swtpm TPMs (two RSA AKs, one ECC AK)
 * under one swtpm_localca root: governance registers the root, the three HSMs join with fresh
 * evidence (transactions and the VRF binding signed by each TPM's node key through
 * tpm2_sign) and are PENDING with proofs verified against light-client-verified headers;
 * revoking the root untrusts all three in one transaction; a firmware entry expires at its height.
 */
class RegistryChainIT {
    private static final GovernanceFixture GOV = new GovernanceFixture(3, 2);
    private static final HexFormat HEX = HexFormat.of();
    private static SwtpmFixture tpms;
    private static LocalChain chain;
    private static VerifiedQueryClient client;
    private static long govNonce;

    @BeforeAll
    static void start() throws Exception {
        tpms = SwtpmFixture.start(AkAlgorithm.RSA, AkAlgorithm.RSA, AkAlgorithm.ECC);
        chain = LocalChain.builder().chainId("registry-it").appState(GOV.appState(Map.of())).build().start();
        client = chain.verifiedQueryClient();
    }

    @AfterAll
    static void stop() throws Exception {
        if (chain != null) {
            chain.close();
        }
        if (tpms != null) {
            tpms.close();
        }
    }

    static JsonNode commit(byte[] tx) throws Exception {
        JsonNode answer = chain.rpc("/broadcast_tx_commit?tx=0x" + HEX.formatHex(tx));
        JsonNode result = answer.path("result");
        if (answer.has("error") || !result.path("tx_result").isObject()) {
            throw new AssertionError("broadcast_tx_commit did not commit: " + answer);
        }
        assertThat(result.path("check_tx").path("code").asInt()).as(result.toString()).isZero();
        assertThat(result.path("tx_result").path("code").asInt()).as(result.toString()).isZero();
        return result;
    }

    static byte[] gov(TxType type, Message payload) {
        return TxBuilder.forChain(chain.chainId()).type(type).payload(payload).nonce(govNonce++).signers(GOV.first(2)).build();
    }

    static byte[] joinTx(ProvisionedTpm tpm) throws Exception {
        return JoinTransactions.join(chain.chainId(), tpm);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void threeSwtpmHsmsJoinPendingAndRevokingTheirRootUntrustsThemAllInOneTransaction() throws Exception {
        byte[] root = tpms.rootCertificate();
        byte[] mid = MessageDigest.getInstance("SHA-256").digest(new X509CertificateHolder(root).getSubjectPublicKeyInfo().getEncoded());
        String midHex = HEX.formatHex(mid);
        commit(gov(TxType.TX_TYPE_MANUFACTURER_ADD, ManufacturerAdd.newBuilder().setName("swtpm localca")
                .setRootCertificate(ByteString.copyFrom(root)).build()));

        List<String> ids = new ArrayList<>();
        for (ProvisionedTpm tpm : tpms.tpms()) {
            JsonNode res = commit(joinTx(tpm));
            assertThat(res.path("tx_result").path("events").toString()).contains("hsm.joined");
            ids.add(HsmId.of(tpm.ekCertificate()).hex());
        }
        // A second join of the same TPM is a duplicate.
        JsonNode dup = chain.rpc("/broadcast_tx_commit?tx=0x" + HEX.formatHex(joinTx(tpms.tpm(0)))).path("result");
        assertThat(dup.path("check_tx").path("code").asInt()).isEqualTo(316);

        for (int i = 0; i < ids.size(); i++) {
            VerifiedQueryClient.VerifiedValue v = client.query("/hsm/" + ids.get(i), utf8("hsm/rec/" + ids.get(i)));
            HsmRecord rec = HsmRecord.parseFrom(v.value());
            assertThat(rec.getState()).isEqualTo(HsmState.HSM_STATE_PENDING);
            assertThat(rec.getManufacturerId().toByteArray()).isEqualTo(mid);
            assertThat(rec.getAkPublic().toByteArray()).isEqualTo(tpms.tpm(i).akPublic());
            assertThat(rec.getSidecarEndpoint()).isEqualTo("https://hsm-" + tpms.tpm(i).index() + ".test:8443");
            ManufacturerRecord m = ManufacturerRecord.parseFrom(client.query("/manufacturer/" + midHex, utf8("mfr/" + midHex)).value());
            assertThat(HsmTrust.trusted(rec, m)).isTrue();
            VerifiedQueryClient.VerifiedValue idx = client.query("/hsm/by_manufacturer/" + midHex + "/" + ids.get(i),
                    utf8("hsm/by_manufacturer/" + midHex + "/" + ids.get(i)));
            assertThat(idx.value()).containsExactly(1);
        }

        commit(gov(TxType.TX_TYPE_MANUFACTURER_REVOKE, ManufacturerRevoke.newBuilder()
                .setManufacturerId(ByteString.copyFrom(mid)).setReason("CA key compromised").build()));
        ManufacturerRecord revoked = ManufacturerRecord.parseFrom(client.query("/manufacturer/" + midHex, utf8("mfr/" + midHex)).value());
        assertThat(revoked.getStatus()).isEqualTo(ManufacturerStatus.MANUFACTURER_STATUS_REVOKED);
        for (String id : ids) {
            HsmRecord rec = HsmRecord.parseFrom(client.query("/hsm/" + id, utf8("hsm/rec/" + id)).value());
            assertThat(rec.getState()).isEqualTo(HsmState.HSM_STATE_PENDING);   // untouched record
            assertThat(HsmTrust.trusted(rec, revoked)).isFalse();
        }

        // Firmware: approved from the next height for two heights, then expired.
        long h = chain.rpc("/status").path("result").path("sync_info").path("latest_block_height").asLong();
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(utf8("system-wasm v1"));
        JsonNode res = commit(gov(TxType.TX_TYPE_FIRMWARE_APPROVE, FirmwareApprove.newBuilder().setComponent("system-wasm")
                .setVersion("1.0.0").setSha256(ByteString.copyFrom(sha)).setValidFromHeight(h + 1).setValidUntilHeight(h + 3).build()));
        long approvedAt = res.path("height").asLong();
        String shaHex = HEX.formatHex(sha);
        FirmwareRecord fw = FirmwareRecord.parseFrom(client.query("/firmware/" + shaHex, utf8("fw/" + shaHex)).value());
        assertThat(fw.getApprovedHeight()).isEqualTo(approvedAt);
        assertThat(FirmwareKeeper.approvedAt(fw, h + 2)).isTrue();
        assertThat(FirmwareKeeper.approvedAt(fw, h + 3)).isFalse();
        while (chain.rpc("/status").path("result").path("sync_info").path("latest_block_height").asLong() < h + 4) {
            Thread.sleep(200);
        }
        VerifiedQueryClient.VerifiedValue later = client.query("/firmware/" + shaHex, utf8("fw/" + shaHex));
        assertThat(later.height()).isGreaterThanOrEqualTo(h + 3);
        assertThat(FirmwareKeeper.approvedAt(FirmwareRecord.parseFrom(later.value()), later.height())).isFalse();
    }
}
