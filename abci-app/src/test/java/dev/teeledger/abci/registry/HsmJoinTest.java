package dev.teeledger.abci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.sig.EcdsaP256KeyPair;
import dev.teeledger.protocol.sig.Signer;
import dev.teeledger.protocol.tpm.TpmtPublic;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.HsmJoin;
import dev.teeledger.protocol.tx.v1.ManufacturerAdd;
import dev.teeledger.protocol.tx.v1.ManufacturerRevoke;
import dev.teeledger.protocol.tx.v1.TxType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tendermint.abci.Types.ResponseFinalizeBlock;

/**
 * Join rejections, each with its own code and no state change, from evidence captured from
 * real swtpm instances (protocol/src/test/resources/tpm, see capture.sh) and BouncyCastle-built
 * EK certificates. The captured node keys' private halves are gone, so a complete valid
 * join is covered by RegistryChainIT with fresh swtpm evidence; here the fully valid captured
 * evidence ends at the signer check.
 */
class HsmJoinTest {
    static final Path TPM = Path.of("..", "protocol", "src", "test", "resources", "tpm");

    @TempDir
    Path tmp;

    static byte[] file(String name) {
        try {
            return Files.readAllBytes(TPM.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** TPMT_PUBLIC from a captured TPM2B_PUBLIC (drop the 2-byte size). */
    static byte[] tpmt(String name) {
        byte[] b = file(name);
        return Arrays.copyOfRange(b, 2, b.length);
    }

    static HsmJoin captured(String x) {
        return HsmJoin.newBuilder()
                .setEkCertificate(ByteString.copyFrom(file(x + "-ek.der")))
                .addIntermediates(ByteString.copyFrom(file("intermediate.der")))
                .setEkPublic(ByteString.copyFrom(tpmt(x + "-ek.pub")))
                .setAkPublic(ByteString.copyFrom(tpmt(x + "-ak.pub")))
                .setNodeKeyPublic(ByteString.copyFrom(tpmt(x + "-node.pub")))
                .setCertifyAttest(ByteString.copyFrom(file(x + "-certify.attest")))
                .setCertifySignature(ByteString.copyFrom(file(x + "-certify.sig")))
                .setVrfPublicKey(ByteString.copyFrom(new byte[33]))
                .setVrfKeySignature(ByteString.copyFrom(new byte[8]))
                .setSidecarEndpoint("https://hsm-" + x + ".example:8443")
                .build();
    }

    static byte[] joinTx(HsmJoin join, Signer signer, long nonce) {
        return TxBuilder.forChain(RegistryHarness.CHAIN).type(TxType.TX_TYPE_HSM_JOIN).payload(join).nonce(nonce).signer(signer).build();
    }

    static ManufacturerAdd add(String name, byte[] root) {
        return ManufacturerAdd.newBuilder().setName(name).setRootCertificate(ByteString.copyFrom(root)).build();
    }

    static byte[] withFlippedByte(byte[] b, int index, int mask) {
        byte[] c = b.clone();
        c[index] ^= (byte) mask;
        return c;
    }

    @Test
    void rejectedJoinsChangeNothing() throws Exception {
        EcdsaP256KeyPair stranger = EcdsaP256KeyPair.generate(new SecureRandom());
        byte[] ekSpkiA = TpmtPublic.parse(tpmt("a-ek.pub")).subjectPublicKeyInfo();
        TestCerts.Ca active = TestCerts.Ca.create("Active Test Root");
        TestCerts.Ca revoked = TestCerts.Ca.create("Revoked Test Root");
        TestCerts.Ca unregistered = TestCerts.Ca.create("Unregistered Root");
        HsmJoin a = captured("a");
        HsmJoin b = captured("b");
        try (RegistryHarness bad = new RegistryHarness(tmp.resolve("bad")); RegistryHarness clean = new RegistryHarness(tmp.resolve("clean"))) {
            for (RegistryHarness h : List.of(bad, clean)) {
                h.okBlock(h.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("swtpm", file("root.der"))),
                        h.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Active", active.der())),
                        h.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("Revoked", revoked.der())));
                h.okBlock(h.govTx(TxType.TX_TYPE_MANUFACTURER_REVOKE, ManufacturerRevoke.newBuilder()
                        .setManufacturerId(ByteString.copyFrom(ManufacturerRegistryTest.id(revoked.der()))).setReason("test").build()));
            }
            byte[] akA = tpmt("a-ak.pub");
            byte[] ekA = file("a-ek.der");
            var inside = RegistryHarness.START;
            byte[][] txs = {
                joinTx(a.toBuilder().setEkCertificate(ByteString.copyFrom(unregistered.issueEk(ekSpkiA, true, TestCerts.NOT_BEFORE, TestCerts.NOT_AFTER))).build(), stranger, 0),
                joinTx(a.toBuilder().setEkCertificate(ByteString.copyFrom(revoked.issueEk(ekSpkiA, true, TestCerts.NOT_BEFORE, TestCerts.NOT_AFTER))).build(), stranger, 0),
                joinTx(a.toBuilder().setEkCertificate(ByteString.copyFrom(active.issueEk(ekSpkiA, true, TestCerts.NOT_BEFORE, inside.minusSeconds(60)))).build(), stranger, 0),
                joinTx(a.toBuilder().setEkCertificate(ByteString.copyFrom(active.issueEk(ekSpkiA, true, inside.plusSeconds(86_400), TestCerts.NOT_AFTER))).build(), stranger, 0),
                joinTx(a.toBuilder().setEkCertificate(ByteString.copyFrom(active.issueEk(ekSpkiA, false, TestCerts.NOT_BEFORE, TestCerts.NOT_AFTER))).build(), stranger, 0),
                joinTx(a.toBuilder().setEkPublic(b.getEkPublic()).build(), stranger, 0),
                joinTx(a.toBuilder().setEkCertificate(ByteString.copyFrom(Arrays.copyOf(ekA, ekA.length - 7))).build(), stranger, 0),
                joinTx(a.toBuilder().setEkCertificate(ByteString.copyFrom(new Random(7).ints(300, 0, 256).collect(
                        java.io.ByteArrayOutputStream::new, (o, i) -> o.write(i), (x, y) -> {}).toByteArray())).build(), stranger, 0),
                joinTx(a.toBuilder().setAkPublic(ByteString.copyFrom(withFlippedByte(akA, 5, 0x01))).build(), stranger, 0),   // restricted cleared
                joinTx(a.toBuilder().setAkPublic(ByteString.copyFrom(withFlippedByte(akA, 7, 0x20))).build(), stranger, 0),   // sensitiveDataOrigin cleared
                joinTx(b.toBuilder().setAkPublic(ByteString.copyFrom(withFlippedByte(tpmt("b-ak.pub"), 17, 0x07))).build(), stranger, 0), // ECC AK on P-384: weak/unsupported curve
                joinTx(a.toBuilder().setNodeKeyPublic(b.getNodeKeyPublic()).build(), stranger, 0),     // certify is about another key
                joinTx(a.toBuilder().setCertifyAttest(b.getCertifyAttest()).setCertifySignature(b.getCertifySignature()).build(), stranger, 0), // by another AK
                joinTx(a.toBuilder().setNodeKeyPublic(a.getAkPublic()).build(), stranger, 0),          // RSA, not P-256
                joinTx(a.toBuilder().setEkPublic(ByteString.copyFrom(Arrays.copyOf(tpmt("a-ek.pub"), 40))).build(), stranger, 0),
                joinTx(a.toBuilder().setAkPublic(ByteString.copyFrom(Arrays.copyOf(akA, akA.length + 3))).build(), stranger, 0),
                joinTx(a.toBuilder().setNodeKeyPublic(ByteString.copyFrom(new byte[1500])).build(), stranger, 0),
                joinTx(a.toBuilder().setNodeKeyPublic(ByteString.EMPTY).build(), stranger, 0),
                joinTx(a, stranger, 0),                                                                // signed by the wrong key
                joinTx(b, stranger, 0),
                joinTx(a, stranger, 1),
                joinTx(a.toBuilder().setSidecarEndpoint("").build(), stranger, 0),
                joinTx(a.toBuilder().setSidecarEndpoint("https://x y").build(), stranger, 0),
                TxBuilder.forChain(RegistryHarness.CHAIN).type(TxType.TX_TYPE_HSM_JOIN).payloadBytes(new byte[] {0x0a, 0x7f}).nonce(0).signer(stranger).build(),
            };
            ResultCode[] expected = {
                ResultCode.EK_CERT_UNKNOWN_ISSUER, ResultCode.EK_CERT_UNKNOWN_ISSUER, ResultCode.EK_CERT_EXPIRED,
                ResultCode.EK_CERT_NOT_YET_VALID, ResultCode.EK_CERT_MISSING_EKU, ResultCode.EK_CERT_KEY_MISMATCH,
                ResultCode.EK_CERT_MALFORMED, ResultCode.EK_CERT_MALFORMED,
                ResultCode.AK_POLICY_VIOLATION, ResultCode.AK_POLICY_VIOLATION, ResultCode.AK_POLICY_VIOLATION,
                ResultCode.CERTIFY_INVALID, ResultCode.CERTIFY_INVALID, ResultCode.NODE_KEY_NOT_P256,
                ResultCode.MALFORMED_TPM_PUBLIC, ResultCode.MALFORMED_TPM_PUBLIC, ResultCode.MALFORMED_TPM_PUBLIC,
                ResultCode.MALFORMED_TPM_PUBLIC,
                ResultCode.JOIN_SIGNER_NOT_NODE_KEY, ResultCode.JOIN_SIGNER_NOT_NODE_KEY, ResultCode.BAD_NONCE,
                ResultCode.INVALID_SIDECAR_ENDPOINT, ResultCode.INVALID_SIDECAR_ENDPOINT, ResultCode.MALFORMED_PAYLOAD,
            };
            ManufacturerRegistryTest.assertRejectedWithoutStateChange(bad, clean, txs, expected);
        }
    }

    static LongStream seeds() {
        return LongStream.range(0, 30);
    }

    /** Random corruption of any evidence field gets a typed rejection, never a crash or a write. */
    @ParameterizedTest
    @MethodSource("seeds")
    void corruptedEvidenceIsRejectedWithATypedCode(long seed) throws Exception {
        Random rnd = new Random(seed);
        HsmJoin a = captured(rnd.nextBoolean() ? "a" : "b");
        int field = 1 + rnd.nextInt(7);
        ByteString original = (ByteString) a.getField(HsmJoin.getDescriptor().findFieldByNumber(field == 2 ? 1 : field));
        byte[] m = original.toByteArray();
        int flips = 1 + rnd.nextInt(3);
        for (int i = 0; i < flips; i++) {
            m[rnd.nextInt(m.length)] ^= (byte) (1 + rnd.nextInt(255));
        }
        if (rnd.nextInt(3) == 0) {
            m = Arrays.copyOf(m, rnd.nextInt(m.length + 20));
        }
        HsmJoin mutated = a.toBuilder().setField(HsmJoin.getDescriptor().findFieldByNumber(field == 2 ? 1 : field), ByteString.copyFrom(m)).build();
        try (RegistryHarness h = new RegistryHarness(tmp)) {
            h.okBlock(h.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, add("swtpm", file("root.der"))));
            byte[] before = h.lastAppHash;
            ResponseFinalizeBlock res = h.block(joinTx(mutated, EcdsaP256KeyPair.generate(new SecureRandom()), 0));
            ResultCode code = ResultCode.fromCode(res.getTxResults(0).getCode());
            assertThat(code).isNotNull().isNotEqualTo(ResultCode.OK);
            assertThat(code.code()).as(res.getTxResults(0).getLog()).isBetween(300, 399);
            assertThat(res.getTxResults(0).getEventsList()).isEmpty();
            assertThat(before).isNotNull();
        }
    }
}
