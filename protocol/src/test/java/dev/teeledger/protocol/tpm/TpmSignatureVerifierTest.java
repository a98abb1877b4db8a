package dev.teeledger.protocol.tpm;

import static dev.teeledger.protocol.tpm.TpmtPublicTest.assertReason;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TpmSignatureVerifierTest {

    @Test
    void verifiesRealRsassaQuote() throws Exception {
        TpmtSignature sig = TpmtSignature.parse(Captured.bytes("a-quote.sig"));
        assertThat(sig.sigAlg()).isEqualTo(TpmAlg.RSASSA);
        assertThat(sig.hashAlg()).isEqualTo(TpmAlg.SHA256);
        assertThat(sig.rsaSignature()).hasSize(256);
        assertThat(TpmSignatureVerifier.verify(Captured.pub("a-ak.pub"), Captured.bytes("a-quote.attest"), sig)).isTrue();
    }

    @Test
    void verifiesRealEcdsaQuote() throws Exception {
        TpmtSignature sig = TpmtSignature.parse(Captured.bytes("b-quote.sig"));
        assertThat(sig.sigAlg()).isEqualTo(TpmAlg.ECDSA);
        assertThat(sig.r()).isPositive();
        assertThat(TpmSignatureVerifier.verify(Captured.pub("b-ak.pub"), Captured.bytes("b-quote.attest"), sig)).isTrue();
    }

    @Test
    void rejectsSignatureOverOtherBytesOrByOtherKey() throws Exception {
        TpmtSignature sig = TpmtSignature.parse(Captured.bytes("a-quote.sig"));
        byte[] attest = Captured.bytes("a-quote.attest");
        attest[attest.length - 1] ^= 1;
        assertThat(TpmSignatureVerifier.verify(Captured.pub("a-ak.pub"), attest, sig)).isFalse();
        assertThat(TpmSignatureVerifier.verify(Captured.pub("a-ek.pub"), Captured.bytes("a-quote.attest"), sig)).isFalse();
        assertThat(TpmSignatureVerifier.verify(Captured.pub("b-ak.pub"), Captured.bytes("a-quote.attest"), sig)).isFalse();
        TpmtSignature ecc = TpmtSignature.parse(Captured.bytes("b-quote.sig"));
        assertThat(TpmSignatureVerifier.verify(Captured.pub("b-node.pub"), Captured.bytes("b-quote.attest"), ecc)).isFalse();
        assertThat(TpmSignatureVerifier.verify(Captured.pub("a-ak.pub"), Captured.bytes("b-quote.attest"), ecc)).isFalse();
    }

    @Test
    void rejectsZeroEcdsaSignature() throws Exception {
        // TSS.Java 1.0.0 accepts this for any ECC key (Crypto.validateSignature ends in "return true").
        byte[] zero = {0x00, 0x18, 0x00, 0x0b, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00};
        TpmtSignature sig = TpmtSignature.parse(zero);
        assertThat(TpmSignatureVerifier.verify(Captured.pub("b-ak.pub"), Captured.bytes("b-quote.attest"), sig)).isFalse();
    }

    @Test
    void verifiesRsaPssAndPkcs1SignaturesFromJca() throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
        kpg.initialize(2048, new SecureRandom());
        KeyPair kp = kpg.generateKeyPair();
        BigInteger modulus = ((RSAPublicKey) kp.getPublic()).getModulus();
        byte[] msg = "TPMS_ATTEST stand-in".getBytes(StandardCharsets.UTF_8);

        Signature pss = Signature.getInstance("RSASSA-PSS");
        pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        pss.initSign(kp.getPrivate());
        pss.update(msg);
        TpmtPublic pssKey = TpmtPublic.parse(TpmStructures.rsa(TpmStructures.AK_ATTRIBUTES, TpmAlg.RSAPSS, 2048, modulus));
        TpmtSignature pssSig = TpmtSignature.parse(rsaSignature(TpmAlg.RSAPSS, pss.sign()));
        assertThat(TpmSignatureVerifier.verify(pssKey, msg, pssSig)).isTrue();
        assertThat(TpmSignatureVerifier.verify(pssKey, Arrays.copyOf(msg, 3), pssSig)).isFalse();

        Signature pkcs1 = Signature.getInstance("SHA256withRSA");
        pkcs1.initSign(kp.getPrivate());
        pkcs1.update(msg);
        byte[] block = pkcs1.sign();
        assertThat(TpmSignatureVerifier.verify(pssKey, msg, TpmtSignature.parse(rsaSignature(TpmAlg.RSASSA, block)))).isTrue();
        // A PKCS#1 v1.5 block labelled RSAPSS must not pass (TSS.Java checks PSS as v1.5).
        assertThat(TpmSignatureVerifier.verify(pssKey, msg, TpmtSignature.parse(rsaSignature(TpmAlg.RSAPSS, block)))).isFalse();
    }

    @Test
    void rejectsMalformedSignatures() {
        byte[] sig = Captured.bytes("b-quote.sig");
        for (int len = 0; len < sig.length; len++) {
            byte[] cut = Arrays.copyOf(sig, len);
            assertReason(() -> TpmtSignature.parse(cut), TpmFormatException.Reason.TRUNCATED);
        }
        byte[] longer = Arrays.copyOf(sig, sig.length + 1);
        assertReason(() -> TpmtSignature.parse(longer), TpmFormatException.Reason.TRAILING_BYTES);
        byte[] hmac = {0x00, 0x05, 0x00, 0x0b};
        assertReason(() -> TpmtSignature.parse(hmac), TpmFormatException.Reason.UNSUPPORTED_ALGORITHM);
        byte[] rsa = Captured.bytes("a-quote.sig");
        rsa[4] = 0x03; // sig size 0x0300 > 512
        assertReason(() -> TpmtSignature.parse(rsa), TpmFormatException.Reason.SIZE_OUT_OF_RANGE);
    }

    static byte[] rsaSignature(int scheme, byte[] block) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(scheme >>> 8);
        out.write(scheme);
        out.write(0);
        out.write(TpmAlg.SHA256);
        out.writeBytes(TpmStructures.tpm2b(block));
        return out.toByteArray();
    }
}
