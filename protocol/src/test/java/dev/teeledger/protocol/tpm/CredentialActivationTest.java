package dev.teeledger.protocol.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.protocol.tpm.CredentialActivation.Challenge;
import dev.teeledger.protocol.tpm.TpmEvidenceException.Reason;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * MakeCredential against an independent (JCA) implementation of the TPM's ActivateCredential
 * steps on a software EK; interop with a real TPM is in testkit's SwtpmQuoteCredentialIT.
 */
class CredentialActivationTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The default RSA-2048 EK template (restricted decrypt, AES-128-CFB) with this modulus. */
    static byte[] ekTemplate(BigInteger modulus) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x00, 0x01, 0x00, 0x0b, 0x00, 0x03, 0x00, (byte) 0xb2, 0x00, 0x20});
        out.writeBytes(new byte[32]); // authPolicy
        out.writeBytes(new byte[] {0x00, 0x06, 0x00, (byte) 0x80, 0x00, 0x43, 0x00, 0x10, 0x08, 0x00, 0, 0, 0, 0, 0x01, 0x00});
        out.writeBytes(TpmStructures.fixed(modulus, 256));
        return out.toByteArray();
    }

    @Test
    void challengeIsRecoverableWithEkPrivateKeyAndBindsAkName() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4));
        KeyPair kp = g.generateKeyPair();
        TpmtPublic ek = TpmtPublic.parse(ekTemplate(((RSAPublicKey) kp.getPublic()).getModulus()));
        byte[] akName = Captured.pub("c-ak.pub").name();
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        Challenge ch = CredentialActivation.make(ek, akName, secret, RANDOM);
        assertThat(ch.binding().ekName()).isEqualTo(ek.name());
        assertThat(ch.binding().akName()).isEqualTo(akName);
        assertThat(ch.encryptedSecret()).hasSize(2 + 256);
        assertThat(ch.idObject()).hasSize(2 + 2 + 32 + 2 + 32);
        byte[] file = ch.tpm2ToolsFile();
        assertThat(Arrays.copyOf(file, 8)).containsExactly(0xba, 0xdc, 0xc0, 0xde, 0, 0, 0, 1);
        assertThat(file).hasSize(8 + ch.idObject().length + ch.encryptedSecret().length);

        // TPM side (Part 1 §24), with JCA primitives: OAEP(SHA-256, label IDENTITY\0) ...
        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
        oaep.init(Cipher.DECRYPT_MODE, kp.getPrivate(), new OAEPParameterSpec("SHA-256", "MGF1",
                MGF1ParameterSpec.SHA256, new PSource.PSpecified("IDENTITY\0".getBytes(StandardCharsets.US_ASCII))));
        byte[] seed = oaep.doFinal(Arrays.copyOfRange(ch.encryptedSecret(), 2, 258));
        assertThat(seed).hasSize(32);
        // ... outer HMAC over encIdentity ‖ Name ...
        byte[] id = ch.idObject();
        byte[] hmac = Arrays.copyOfRange(id, 4, 36);
        byte[] encIdentity = Arrays.copyOfRange(id, 36, id.length);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(jcaKdfa(seed, "INTEGRITY", new byte[0], 256), "HmacSHA256"));
        mac.update(encIdentity);
        assertThat(mac.doFinal(akName)).isEqualTo(hmac);
        // ... then AES-128-CFB with a zero IV yields TPM2B_DIGEST(secret).
        Cipher aes = Cipher.getInstance("AES/CFB/NoPadding");
        aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(jcaKdfa(seed, "STORAGE", akName, 128), "AES"),
                new IvParameterSpec(new byte[16]));
        byte[] plain = aes.doFinal(encIdentity);
        assertThat(Arrays.copyOf(plain, 2)).containsExactly(0, 32);
        assertThat(Arrays.copyOfRange(plain, 2, plain.length)).isEqualTo(secret);
        // Another AK Name fails the integrity check.
        byte[] otherName = Captured.pub("a-ak.pub").name();
        mac.update(encIdentity);
        assertThat(mac.doFinal(otherName)).isNotEqualTo(hmac);
    }

    /** KDFa per Part 1 §11.4.10.2 with JCA HMAC, single-block (≤ 256 bits). */
    private static byte[] jcaKdfa(byte[] key, String label, byte[] contextU, int bits) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update(new byte[] {0, 0, 0, 1});
        mac.update((label + "\0").getBytes(StandardCharsets.US_ASCII));
        mac.update(contextU);
        mac.update(new byte[] {0, 0, (byte) (bits >>> 8), (byte) bits});
        return Arrays.copyOf(mac.doFinal(), bits / 8);
    }

    @Test
    void acceptsCapturedSwtpmEk() throws Exception {
        Challenge ch = CredentialActivation.make(Captured.pub("c-ek.pub"), Captured.pub("c-ak.pub").name(), RANDOM);
        assertThat(ch.tpm2ToolsFile()).hasSize(8 + 2 + 2 + 32 + 2 + 32 + 2 + 256);
        assertThat(ch.secret()).hasSize(32);
    }

    @Test
    void rejectsKeysThatAreNotTheDefaultRsaEk() {
        byte[] name = Captured.pub("c-ak.pub").name();
        expect(Reason.UNSUPPORTED_EK, () -> CredentialActivation.make(Captured.pub("b-ak.pub"), name, RANDOM));
        expect(Reason.UNSUPPORTED_EK, () -> CredentialActivation.make(Captured.pub("a-ak.pub"), name, RANDOM));
        byte[] ek = ekTemplate(Captured.pub("c-ek.pub").rsaModulus());
        byte[] aes256 = ek.clone();
        aes256[44] = 0x01; // symmetric.keyBits 0x0100 = 256
        aes256[45] = 0x00;
        expect(Reason.UNSUPPORTED_EK, () -> CredentialActivation.make(TpmtPublic.parse(aes256), name, RANDOM));
        byte[] ofb = ek.clone();
        ofb[47] = 0x42; // symmetric.mode TPM_ALG_OFB
        expect(Reason.UNSUPPORTED_EK, () -> CredentialActivation.make(TpmtPublic.parse(ofb), name, RANDOM));
    }

    @Test
    void rejectsMalformedAkNames() {
        TpmtPublic ek = Captured.pub("c-ek.pub");
        byte[] name = Captured.pub("c-ak.pub").name();
        expect(Reason.BAD_NAME, () -> CredentialActivation.make(ek, Arrays.copyOf(name, name.length - 1), RANDOM));
        expect(Reason.BAD_NAME, () -> CredentialActivation.make(ek, new byte[] {0x00}, RANDOM));
        byte[] alg = name.clone();
        alg[1] = 0x0c; // SHA-384 with a 32-byte digest
        expect(Reason.BAD_NAME, () -> CredentialActivation.make(ek, alg, RANDOM));
        expect(Reason.BAD_NAME, () -> CredentialActivation.make(ek, null, RANDOM));
    }

    @Test
    void verifySecretComparesWholeValues() {
        byte[] s = new byte[32];
        RANDOM.nextBytes(s);
        assertThat(CredentialActivation.verifySecret(s, s.clone())).isTrue();
        byte[] t = s.clone();
        t[31] ^= 1;
        assertThat(CredentialActivation.verifySecret(s, t)).isFalse();
        assertThat(CredentialActivation.verifySecret(s, Arrays.copyOf(s, 31))).isFalse();
        assertThat(CredentialActivation.verifySecret(s, null)).isFalse();
    }

    private static void expect(Reason reason, QuoteVerifierTest.ThrowingRun run) {
        assertThatThrownBy(run::run).isInstanceOf(TpmEvidenceException.class)
                .satisfies(e -> assertThat(((TpmEvidenceException) e).reason()).isEqualTo(reason));
    }
}
