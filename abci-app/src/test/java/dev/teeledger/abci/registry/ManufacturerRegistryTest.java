package dev.teeledger.abci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.ManufacturerRecord;
import dev.teeledger.protocol.state.v1.ManufacturerStatus;
import dev.teeledger.protocol.tx.v1.ManufacturerAdd;
import dev.teeledger.protocol.tx.v1.ManufacturerRevoke;
import dev.teeledger.protocol.tx.v1.TxType;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tendermint.abci.Types.ResponseFinalizeBlock;

class ManufacturerRegistryTest {
    @TempDir
    Path tmp;

    static byte[] id(byte[] der) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(new X509CertificateHolder(der).getSubjectPublicKeyInfo().getEncoded());
    }

    static ManufacturerAdd add(String name, byte[] root) {
        return ManufacturerAdd.newBuilder().setName(name).setRootCertificate(ByteString.copyFrom(root)).build();
    }

    static ManufacturerRevoke revoke(byte[] id, String reason) {
        return ManufacturerRevoke.newBuilder().setManufacturerId(ByteString.copyFrom(id)).setReason(reason).build();
    }

    @Test
    void addsAManufacturerWithAProvenRecordAndRevokesItAtAHeight() throws Exception {
        byte[] root = TestCerts.root("Acme TPM Root");
        byte[] id = id(root);
        String hex = HexFormat.of().formatHex(id);
        try (RegistryHarness h = new RegistryHarness(tmp)) {
            ResponseFinalizeBlock res = h.okBlock(h.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Acme", root)));
            assertThat(res.getTxResults(0).getEventsList()).anySatisfy(e -> {
                assertThat(e.getType()).isEqualTo("manufacturer.added");
                assertThat(e.getAttributesList()).anySatisfy(a -> assertThat(a.getValue()).isEqualTo(hex));
            });
            ManufacturerRecord rec = ManufacturerRecord.parseFrom(h.proven("/manufacturer/" + hex));
            assertThat(rec.getId().toByteArray()).isEqualTo(id);
            assertThat(rec.getName()).isEqualTo("Acme");
            assertThat(rec.getSubject()).isEqualTo("CN=Acme TPM Root");
            assertThat(rec.getStatus()).isEqualTo(ManufacturerStatus.MANUFACTURER_STATUS_ACTIVE);
            assertThat(rec.getAddedHeight()).isEqualTo(1);
            assertThat(rec.getRootCertificate().toByteArray()).isEqualTo(root);

            h.okBlock();
            res = h.okBlock(h.govTx(TxType.TX_TYPE_MANUFACTURER_REVOKE, revoke(id, "key compromise")));
            assertThat(res.getTxResults(0).getEventsList()).extracting(e -> e.getType()).containsExactly("manufacturer.revoked");
            rec = ManufacturerRecord.parseFrom(h.proven("/manufacturer/" + hex));
            assertThat(rec.getStatus()).isEqualTo(ManufacturerStatus.MANUFACTURER_STATUS_REVOKED);
            assertThat(rec.getRevokedHeight()).isEqualTo(3);
            assertThat(rec.getRevokeReason()).isEqualTo("key compromise");
            assertThat(h.proven("/manufacturer/" + "00".repeat(32))).isNull();
            assertThat(h.query("/manufacturer/ABC", false).getCode()).isEqualTo(ResultCode.MALFORMED_QUERY.code());
        }
    }

    @Test
    void rejectedManufacturerTransactionsChangeNothing() throws Exception {
        byte[] good = TestCerts.root("Good Root");
        byte[] other = TestCerts.root("Other Root");
        var kp = TestCerts.p256();
        byte[] notCa = TestCerts.selfSigned(kp, "Leaf", false, TestCerts.NOT_BEFORE, TestCerts.NOT_AFTER);
        byte[] expired = TestCerts.selfSigned(TestCerts.p256(), "Old", true, TestCerts.NOT_BEFORE, RegistryHarness.START.minusSeconds(3600));
        byte[] future = TestCerts.selfSigned(TestCerts.p256(), "New", true, RegistryHarness.START.plusSeconds(86_400), TestCerts.NOT_AFTER);
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        byte[] truncated = Arrays.copyOf(good, good.length - 10);
        try (RegistryHarness bad = new RegistryHarness(tmp.resolve("bad")); RegistryHarness clean = new RegistryHarness(tmp.resolve("clean"))) {
            byte[] revokedRoot = TestCerts.root("Revoked Root");
            for (RegistryHarness h : List.of(bad, clean)) {
                h.okBlock(h.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Good", good)),
                        h.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Revoked", revokedRoot)));
                h.okBlock(h.govTx(TxType.TX_TYPE_MANUFACTURER_REVOKE, revoke(id(revokedRoot), "retired")));
            }
            long n = bad.govNonce;
            byte[][] txs = {
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Dup", good), n),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Again", revokedRoot), n),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Leaf", notCa), n),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Old", expired), n),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("New", future), n),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Trailing", trailing), n),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Truncated", truncated), n),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Empty", new byte[0]), n),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("", other), n),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("x".repeat(129), other), n),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Bad intermediate", other).toBuilder()
                        .addIntermediates(ByteString.copyFrom(new byte[] {0x30, 0x03, 1, 2})).build(), n),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Leaf intermediate", other).toBuilder()
                        .addIntermediates(ByteString.copyFrom(notCa)).build(), n),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Other", other), n + 1),
                dev.teeledger.protocol.tx.TxBuilder.forChain(RegistryHarness.CHAIN).type(TxType.TX_TYPE_MANUFACTURER_ADD)
                        .payload(add("Other", other)).nonce(n).signers(bad.gov.subList(0, 1)).build(),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_REVOKE, revoke(id(other), "never added"), n),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_REVOKE, revoke(id(revokedRoot), "twice"), n),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_REVOKE, revoke(id(good), ""), n),
                bad.govTx(TxType.TX_TYPE_MANUFACTURER_REVOKE, revoke(new byte[5], "short id"), n),
            };
            ResultCode[] expected = {
                ResultCode.MANUFACTURER_ALREADY_REGISTERED, ResultCode.MANUFACTURER_ALREADY_REGISTERED, ResultCode.ROOT_NOT_CA,
                ResultCode.ROOT_EXPIRED, ResultCode.ROOT_NOT_YET_VALID, ResultCode.MALFORMED_ROOT_CERTIFICATE,
                ResultCode.MALFORMED_ROOT_CERTIFICATE, ResultCode.MALFORMED_ROOT_CERTIFICATE, ResultCode.INVALID_MANUFACTURER_NAME,
                ResultCode.INVALID_MANUFACTURER_NAME, ResultCode.MALFORMED_ROOT_CERTIFICATE, ResultCode.ROOT_NOT_CA,
                ResultCode.BAD_NONCE, ResultCode.INSUFFICIENT_GOVERNANCE_SIGNATURES,
                ResultCode.UNKNOWN_MANUFACTURER, ResultCode.MANUFACTURER_ALREADY_REVOKED, ResultCode.INVALID_REVOCATION_REASON,
                ResultCode.UNKNOWN_MANUFACTURER,
            };
            assertRejectedWithoutStateChange(bad, clean, txs, expected);
        }
    }

    static java.util.stream.LongStream seeds() {
        return LongStream.range(0, 100);
    }

    /** Random mutations of a valid root are refused with a root code or accepted, never a crash. */
    @ParameterizedTest
    @MethodSource("seeds")
    void mutatedRootsGetATypedAnswer(long seed) throws Exception {
        Random rnd = new Random(seed);
        java.security.SecureRandom keyRandom = java.security.SecureRandom.getInstance("SHA1PRNG");
        keyRandom.setSeed(seed);
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"), keyRandom);
        byte[] root = TestCerts.selfSigned(g.generateKeyPair(), "Fuzz Root " + seed, true, TestCerts.NOT_BEFORE, TestCerts.NOT_AFTER);
        byte[] m = root.clone();
        int flips = 1 + rnd.nextInt(4);
        for (int i = 0; i < flips; i++) {
            m[rnd.nextInt(m.length)] ^= (byte) (1 + rnd.nextInt(255));
        }
        if (rnd.nextBoolean()) {
            m = Arrays.copyOf(m, rnd.nextInt(m.length));
        }
        try (RegistryHarness h = new RegistryHarness(tmp)) {
            ResponseFinalizeBlock res = h.block(h.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Fuzz", m), 0));
            ResultCode code = ResultCode.fromCode(res.getTxResults(0).getCode());
            assertThat(code).isIn(ResultCode.OK, ResultCode.MALFORMED_ROOT_CERTIFICATE, ResultCode.ROOT_NOT_CA,
                    ResultCode.ROOT_EXPIRED, ResultCode.ROOT_NOT_YET_VALID, ResultCode.MALFORMED_PAYLOAD);
        }
    }

    /** Every tx gets its code in CheckTx and FinalizeBlock, no events, and the app hash equals an empty block's. */
    static void assertRejectedWithoutStateChange(RegistryHarness bad, RegistryHarness clean, byte[][] txs, ResultCode[] expected) {
        assertThat(txs.length).isEqualTo(expected.length);
        for (int i = 0; i < txs.length; i++) {
            assertThat(ResultCode.fromCode(bad.checkTx(txs[i]))).as("CheckTx %d", i).isEqualTo(expected[i]);
        }
        ResponseFinalizeBlock res = bad.block(txs);
        ResponseFinalizeBlock empty = clean.block();
        for (int i = 0; i < txs.length; i++) {
            assertThat(ResultCode.fromCode(res.getTxResults(i).getCode())).as("tx %d: %s", i, res.getTxResults(i).getLog())
                    .isEqualTo(expected[i]);
            assertThat(res.getTxResults(i).getEventsList()).isEmpty();
        }
        assertThat(res.getAppHash()).isEqualTo(empty.getAppHash());
    }
}
