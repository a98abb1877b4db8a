package dev.teeledger.testkit.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.teeledger.abci.firmware.FirmwareKeeper;
import dev.teeledger.abci.hsm.HsmTrust;
import dev.teeledger.chain.light.VerifiedQueryClient;
import dev.teeledger.protocol.state.v1.FirmwareRecord;
import dev.teeledger.protocol.state.v1.HsmIdPage;
import dev.teeledger.protocol.state.v1.HsmListCount;
import dev.teeledger.protocol.state.v1.HsmListEntry;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.ManufacturerRecord;
import dev.teeledger.protocol.state.v1.ManufacturerStatus;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.FirmwareApprove;
import dev.teeledger.protocol.tx.v1.HsmRevoke;
import dev.teeledger.protocol.tx.v1.ManufacturerAdd;
import dev.teeledger.protocol.tx.v1.ManufacturerRevoke;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.protocol.x509.EkCertificateVerifier;
import dev.teeledger.protocol.x509.HsmId;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.fixtures.GovernanceFixture;
import dev.teeledger.testkit.fixtures.TestManufacturerCa;
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
 * tpm2_sign) and are PENDING with proofs verified against light-client-verified headers; the
 * paged lists (count and pages at one pinned height) verify; governance revokes one HSM, which
 * can then never re-join; revoking the root untrusts the others in one transaction; one of them
 * re-joins under a new root that re-endorses its unchanged EK; a firmware entry expires at its height.
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

    /** A governance transaction expected to be rejected: it does not take a nonce. */
    static byte[] govRejected(TxType type, Message payload) {
        return TxBuilder.forChain(chain.chainId()).type(type).payload(payload).nonce(govNonce).signers(GOV.first(2)).build();
    }

    /** Broadcasts a transaction that CheckTx must refuse; returns its code. */
    static int checkTxCode(byte[] tx) throws Exception {
        return chain.rpc("/broadcast_tx_sync?tx=0x" + HEX.formatHex(tx)).path("result").path("code").asInt();
    }

    /** The store key a query path names: records have their own prefixes, list keys are the path itself. */
    static byte[] key(String path) {
        if (path.startsWith("/manufacturer/")) {
            return utf8("mfr/" + path.substring("/manufacturer/".length()));
        }
        if (path.matches("/hsm/[0-9a-f]{64}")) {
            return utf8("hsm/rec/" + path.substring("/hsm/".length()));
        }
        return utf8(path.substring(1));
    }

    static <T> T proven(com.google.protobuf.Parser<T> parser, String path, long height) throws Exception {
        VerifiedQueryClient.VerifiedValue v = client.query(path, key(path), height);
        return v.value() == null ? null : parser.parseFrom(v.value());
    }

    static byte[] joinTx(ProvisionedTpm tpm) throws Exception {
        return JoinTransactions.join(chain.chainId(), tpm);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void threeSwtpmHsmsJoinAreListedRevokedAndRejoinWithProofs() throws Exception {
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
            HsmListEntry member = proven(HsmListEntry.parser(), "/hsm/member/by_manufacturer/" + midHex + "/" + ids.get(i), 0);
            assertThat(HEX.formatHex(member.getHsmId().toByteArray())).isEqualTo(ids.get(i));
        }

        // Paged lists: the count and every page read at one pinned height, each with a verified proof.
        VerifiedQueryClient.VerifiedValue countValue = client.query("/hsm/count/by_manufacturer/" + midHex,
                utf8("hsm/count/by_manufacturer/" + midHex));
        long at = countValue.height();
        HsmListCount count = HsmListCount.parseFrom(countValue.value());
        assertThat(count.getCount()).isEqualTo(3);
        assertThat(count.getPageSize()).isEqualTo(64);
        HsmIdPage page = proven(HsmIdPage.parser(), "/hsm/page/by_manufacturer/" + midHex + "/0", at);
        assertThat(page.getHsmIdsList()).extracting(b -> HEX.formatHex(b.toByteArray())).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(proven(HsmIdPage.parser(), "/hsm/page/by_manufacturer/" + midHex + "/1", at)).isNull();   // proven absent
        HsmIdPage pending = proven(HsmIdPage.parser(), "/hsm/page/by_state/1/0", at);
        assertThat(pending.getHsmIdsList()).extracting(b -> HEX.formatHex(b.toByteArray())).containsExactlyInAnyOrderElementsOf(ids);

        // Governance revokes one HSM: REVOKED for good, its EK can never join again.
        byte[] victim = HEX.parseHex(ids.get(2));
        JsonNode revokedTx = commit(gov(TxType.TX_TYPE_HSM_REVOKE, HsmRevoke.newBuilder()
                .setHsmId(ByteString.copyFrom(victim)).setReason("tamper alarm").build()));
        assertThat(revokedTx.path("tx_result").path("events").toString()).contains("hsm.revoked", "hsm.state_changed");
        HsmRecord victimRecord = proven(HsmRecord.parser(), "/hsm/" + ids.get(2), 0);
        assertThat(victimRecord.getState()).isEqualTo(HsmState.HSM_STATE_REVOKED);
        assertThat(victimRecord.getStateReason()).isEqualTo("governance: tamper alarm");
        assertThat(proven(HsmIdPage.parser(), "/hsm/page/by_state/4/0", 0).getHsmIdsList()).containsExactly(ByteString.copyFrom(victim));
        assertThat(proven(HsmListCount.parser(), "/hsm/count/by_state/1", 0).getCount()).isEqualTo(2);
        assertThat(checkTxCode(govRejected(TxType.TX_TYPE_HSM_REVOKE, HsmRevoke.newBuilder()
                .setHsmId(ByteString.copyFrom(victim)).setReason("again").build()))).isEqualTo(320);
        assertThat(checkTxCode(govRejected(TxType.TX_TYPE_HSM_REVOKE, HsmRevoke.newBuilder()
                .setHsmId(ByteString.copyFrom(new byte[32])).setReason("nobody").build()))).isEqualTo(319);
        assertThat(checkTxCode(joinTx(tpms.tpm(2)))).isEqualTo(322);

        commit(gov(TxType.TX_TYPE_MANUFACTURER_REVOKE, ManufacturerRevoke.newBuilder()
                .setManufacturerId(ByteString.copyFrom(mid)).setReason("CA key compromised").build()));
        ManufacturerRecord revoked = ManufacturerRecord.parseFrom(client.query("/manufacturer/" + midHex, utf8("mfr/" + midHex)).value());
        assertThat(revoked.getStatus()).isEqualTo(ManufacturerStatus.MANUFACTURER_STATUS_REVOKED);
        for (String id : ids.subList(0, 2)) {
            HsmRecord rec = HsmRecord.parseFrom(client.query("/hsm/" + id, utf8("hsm/rec/" + id)).value());
            assertThat(rec.getState()).isEqualTo(HsmState.HSM_STATE_PENDING);   // untouched record
            assertThat(HsmTrust.trusted(rec, revoked)).isFalse();
        }

        // Re-join: the vendor re-endorses TPM 0's unchanged EK under a new root; the HSM keeps its
        // id and comes back PENDING under the new manufacturer. TPM 2, revoked by governance, stays out.
        TestManufacturerCa newRoot = TestManufacturerCa.create("swtpm vendor root 2");
        byte[] newMid = MessageDigest.getInstance("SHA-256").digest(
                new X509CertificateHolder(newRoot.rootCertificate()).getSubjectPublicKeyInfo().getEncoded());
        String newMidHex = HEX.formatHex(newMid);
        commit(gov(TxType.TX_TYPE_MANUFACTURER_ADD, ManufacturerAdd.newBuilder().setName("swtpm vendor, new root")
                .setRootCertificate(ByteString.copyFrom(newRoot.rootCertificate())).build()));
        byte[] ekSpki = new X509CertificateHolder(EkCertificateVerifier.stripTcgPrefix(tpms.tpm(0).ekCertificate()))
                .getSubjectPublicKeyInfo().getEncoded();
        byte[] reissued = newRoot.issueEk(ekSpki, java.math.BigInteger.valueOf(1000));
        JsonNode rejoined = commit(JoinTransactions.join(chain.chainId(), tpms.tpm(0), reissued, List.of()));
        assertThat(rejoined.path("tx_result").path("events").toString()).contains("hsm.rejoined");
        HsmRecord back = proven(HsmRecord.parser(), "/hsm/" + ids.get(0), 0);
        assertThat(back.getState()).isEqualTo(HsmState.HSM_STATE_PENDING);
        assertThat(back.getManufacturerId().toByteArray()).isEqualTo(newMid);
        assertThat(HsmTrust.trusted(back, proven(ManufacturerRecord.parser(), "/manufacturer/" + newMidHex, 0))).isTrue();
        assertThat(proven(HsmListCount.parser(), "/hsm/count/by_manufacturer/" + midHex, 0).getCount()).isEqualTo(2);
        assertThat(proven(HsmIdPage.parser(), "/hsm/page/by_manufacturer/" + newMidHex + "/0", 0).getHsmIdsList())
                .containsExactly(ByteString.copyFrom(HEX.parseHex(ids.get(0))));
        // Joining again: with the new certificate the record's root is active (316); the old
        // certificate chains only to the revoked root, which is never tried (301).
        assertThat(checkTxCode(JoinTransactions.join(chain.chainId(), tpms.tpm(0), reissued, List.of()))).isEqualTo(316);
        assertThat(checkTxCode(joinTx(tpms.tpm(0)))).isEqualTo(301);
        // TPM 1 stays untrusted under the revoked root.
        assertThat(HsmTrust.trusted(proven(HsmRecord.parser(), "/hsm/" + ids.get(1), 0),
                proven(ManufacturerRecord.parser(), "/manufacturer/" + midHex, 0))).isFalse();

        // Firmware: approved for two heights a few blocks ahead, then expired. The window starts
        // ahead because a window starting before the including block is refused, and the
        // mempool's re-check after each block would then evict the pending transaction.
        long h = chain.rpc("/status").path("result").path("sync_info").path("latest_block_height").asLong() + 5;
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
