package dev.teeledger.protocol.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TpmtPublicTest {

    @Test
    void parsesSwtpmRsaEkPublicArea() throws Exception {
        TpmtPublic ek = TpmtPublic.parseTpm2b(Captured.bytes("a-ek.pub"));
        assertThat(ek.type()).isEqualTo(TpmAlg.RSA);
        assertThat(ek.nameAlg()).isEqualTo(TpmAlg.SHA256);
        assertThat(ek.rsaKeyBits()).isEqualTo(2048);
        assertThat(ek.rsaExponent()).isEqualTo(65537);
        assertThat(ek.rsaModulus().bitLength()).isEqualTo(2048);
        // The TCG default EK template: restricted decryption key with the endorsement policy.
        assertThat(ek.restricted()).isTrue();
        assertThat(ek.decrypt()).isTrue();
        assertThat(ek.sign()).isFalse();
        assertThat(ek.fixedTpm()).isTrue();
        assertThat(ek.fixedParent()).isTrue();
        assertThat(ek.sensitiveDataOrigin()).isTrue();
        assertThat(ek.userWithAuth()).isFalse();
        assertThat(ek.authPolicy()).hasSize(32);
        assertThat(ek.symmetricAlg()).isEqualTo(TpmAlg.AES);
        assertThat(ek.scheme()).isEqualTo(TpmAlg.NULL);
    }

    @Test
    void parsesRsaAndEccAttestationKeys() {
        TpmtPublic rsaAk = Captured.pub("a-ak.pub");
        assertThat(rsaAk.type()).isEqualTo(TpmAlg.RSA);
        assertThat(rsaAk.scheme()).isEqualTo(TpmAlg.RSASSA);
        assertThat(rsaAk.schemeHashAlg()).isEqualTo(TpmAlg.SHA256);
        assertThat(rsaAk.restricted() && rsaAk.sign() && !rsaAk.decrypt()).isTrue();

        TpmtPublic eccAk = Captured.pub("b-ak.pub");
        assertThat(eccAk.type()).isEqualTo(TpmAlg.ECC);
        assertThat(eccAk.curve()).isEqualTo(TpmAlg.CURVE_NIST_P256);
        assertThat(eccAk.scheme()).isEqualTo(TpmAlg.ECDSA);
        assertThat(eccAk.eccX()).isNotNull();
        assertThat(eccAk.rsaModulus()).isNull();
        assertThat(eccAk.rsaExponent()).isZero();
    }

    @Test
    void nameMatchesTheNameTheTpmCertified() throws Exception {
        // tpm2_certify put the TPM's own Name of the node key into TPMS_CERTIFY_INFO.name.
        TpmsAttest certify = TpmsAttest.parse(Captured.bytes("a-certify.attest"));
        TpmtPublic node = Captured.pub("a-node.pub");
        assertThat(node.name()).isEqualTo(certify.certifiedName());
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(node.bytes());
        assertThat(Arrays.copyOfRange(node.name(), 2, 34)).isEqualTo(expected);
        assertThat(node.name()[0]).isEqualTo((byte) 0x00);
        assertThat(node.name()[1]).isEqualTo((byte) 0x0b);
    }

    @Test
    void bareAndTpm2bFormsAgree() throws Exception {
        byte[] tpm2b = Captured.bytes("b-node.pub");
        assertThat(TpmtPublic.parse(TpmStructures.bare(tpm2b))).isEqualTo(TpmtPublic.parseTpm2b(tpm2b));
    }

    @Test
    void convertsToJcaKeys() throws Exception {
        TpmtPublic rsa = Captured.pub("a-ek.pub");
        RSAPublicKey rsaKey = (RSAPublicKey) rsa.toJcaPublicKey();
        assertThat(rsaKey.getModulus()).isEqualTo(rsa.rsaModulus());
        assertThat(rsaKey.getPublicExponent()).isEqualTo(BigInteger.valueOf(65537));
        assertThat(rsaKey.getEncoded()).isEqualTo(rsa.subjectPublicKeyInfo());

        TpmtPublic ecc = Captured.pub("b-ak.pub");
        ECPublicKey ecKey = (ECPublicKey) ecc.toJcaPublicKey();
        assertThat(ecKey.getW().getAffineX()).isEqualTo(ecc.eccX());
        assertThat(ecKey.getW().getAffineY()).isEqualTo(ecc.eccY());
    }

    @Test
    void rejectsTrailingBytes() {
        byte[] bare = TpmStructures.bare(Captured.bytes("a-ak.pub"));
        byte[] longer = Arrays.copyOf(bare, bare.length + 1);
        assertReason(() -> TpmtPublic.parse(longer), TpmFormatException.Reason.TRAILING_BYTES);
        byte[] tpm2b = Captured.bytes("a-ak.pub");
        byte[] longer2b = Arrays.copyOf(tpm2b, tpm2b.length + 3);
        assertReason(() -> TpmtPublic.parseTpm2b(longer2b), TpmFormatException.Reason.TRAILING_BYTES);
    }

    @Test
    void rejectsEveryTruncation() {
        byte[] tpm2b = Captured.bytes("a-ek.pub");
        for (int len = 0; len < tpm2b.length; len++) {
            byte[] cut = Arrays.copyOf(tpm2b, len);
            assertThatThrownBy(() -> TpmtPublic.parseTpm2b(cut)).isInstanceOf(TpmFormatException.class);
        }
        byte[] bare = TpmStructures.bare(tpm2b);
        for (int len = 0; len < bare.length; len++) {
            byte[] cut = Arrays.copyOf(bare, len);
            assertReason(() -> TpmtPublic.parse(cut), TpmFormatException.Reason.TRUNCATED);
        }
    }

    @Test
    void rejectsOversizedFields() {
        byte[] bare = TpmStructures.bare(Captured.bytes("a-ak.pub"));
        // authPolicy size (offset 8) beyond the 64-byte TPMU_HA.
        byte[] policy = bare.clone();
        policy[8] = 0x01;
        policy[9] = 0x00;
        assertReason(() -> TpmtPublic.parse(policy), TpmFormatException.Reason.SIZE_OUT_OF_RANGE);
        // A whole structure beyond any real public area.
        assertReason(() -> TpmtPublic.parse(new byte[TpmtPublic.MAX_PUBLIC_SIZE + 1]),
                TpmFormatException.Reason.SIZE_OUT_OF_RANGE);
        byte[] huge = TpmStructures.tpm2b(new byte[2000]);
        assertReason(() -> TpmtPublic.parseTpm2b(huge), TpmFormatException.Reason.SIZE_OUT_OF_RANGE);
    }

    @Test
    void rejectsUnsupportedTypesAndCurves() {
        byte[] bare = TpmStructures.bare(Captured.bytes("a-ak.pub"));
        byte[] keyedHash = bare.clone();
        keyedHash[1] = (byte) TpmAlg.KEYEDHASH;
        assertReason(() -> TpmtPublic.parse(keyedHash), TpmFormatException.Reason.UNSUPPORTED_ALGORITHM);
        byte[] sm3 = bare.clone();
        sm3[3] = 0x12; // TPM_ALG_SM3_256
        assertReason(() -> TpmtPublic.parse(sm3), TpmFormatException.Reason.UNSUPPORTED_ALGORITHM);
        byte[] bn = TpmStructures.ecc(TpmStructures.AK_ATTRIBUTES, 0x0010, BigInteger.ONE, BigInteger.ONE, 32);
        assertReason(() -> TpmtPublic.parse(bn), TpmFormatException.Reason.UNSUPPORTED_ALGORITHM);
    }

    @Test
    void rejectsModulusThatDisagreesWithKeyBits() {
        BigInteger modulus = Captured.pub("a-ak.pub").rsaModulus();
        byte[] wrongBits = TpmStructures.rsa(TpmStructures.AK_ATTRIBUTES, TpmAlg.RSASSA, 2048, modulus);
        wrongBits[16] = 0x04; // keyBits 2048 -> 1024 at offset 16 (after scheme hash)
        wrongBits[17] = 0x00;
        assertReason(() -> TpmtPublic.parse(wrongBits), TpmFormatException.Reason.INVALID_VALUE);
    }

    @Test
    void offCurvePointHasNoJcaKey() throws Exception {
        TpmtPublic bad = TpmtPublic.parse(TpmStructures.ecc(TpmStructures.AK_ATTRIBUTES,
                TpmAlg.CURVE_NIST_P256, BigInteger.ONE, BigInteger.TWO, 32));
        assertReason(bad::toJcaPublicKey, TpmFormatException.Reason.INVALID_VALUE);
    }

    static void assertReason(ThrowingCall call, TpmFormatException.Reason reason) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(TpmFormatException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @FunctionalInterface
    interface ThrowingCall {
        Object run() throws Exception;
    }
}
