package dev.teeledger.protocol.tpm;

import dev.teeledger.protocol.tpm.TpmEvidenceException.Reason;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.encodings.OAEPEncoding;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.RSAEngine;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.modes.CFBBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.params.RSAKeyParameters;

/**
 * The verifier's half of TPM 2.0 credential activation (Part 1 §24, Part 3 §12.6
 * TPM2_MakeCredential, done in software): binds an AK Name to an EK by encrypting a random
 * secret that only the TPM holding the EK's private key can recover, and only by proving that it
 * holds a loaded object with that exact Name (TPM2_ActivateCredential). Used at enrolment, before
 * the chain records the binding {@link Binding} (EK Name ↔ AK Name); quotes are then checked
 * against that AK only (Keylime CVE-2022-1053: a verifier that checked quotes against another AK
 * than the one bound to the EK accepted a software AK).
 *
 * <p>Supports the default RSA-2048 EK template (TCG EK Credential Profile §2.2.1.4: nameAlg
 * SHA-256, restricted decrypt, AES-128-CFB): seed = 32 random bytes, encrypted with RSA-OAEP
 * (SHA-256, label "IDENTITY\0", Part 1 §B.10.3); symKey = KDFa(SHA-256, seed, "STORAGE", AK Name,
 * "", 128); HMAC key = KDFa(SHA-256, seed, "INTEGRITY", "", "", 256) (Part 1 §24.4, §24.5, KDFa in
 * §11.4.10.2 = SP 800-108 counter-mode HMAC); encIdentity = AES-128-CFB(symKey, IV 0,
 * TPM2B_DIGEST(secret)); outerHMAC = HMAC(hmacKey, encIdentity ‖ AK Name).
 *
 * <p>Key generation is the one place randomness is used; never call this from block execution.
 */
public final class CredentialActivation {

    /** Secrets are 16–32 bytes (TPM2B_DIGEST of at most the EK nameAlg size). */
    public static final int MIN_SECRET = 16;
    private static final int SEED_SIZE = 32;
    private static final int SYM_KEY_BITS = 128;
    /** tpm2-tools' credential file header (tpm2_makecredential -o): magic then version 1. */
    private static final byte[] TOOLS_HEADER = {(byte) 0xba, (byte) 0xdc, (byte) 0xc0, (byte) 0xde, 0, 0, 0, 1};

    private CredentialActivation() {}

    /**
     * The exact binding the chain stores after a successful activation.
     *
     * @param ekName Name of the EK whose certificate was validated (its HsmId is derived from the same key)
     * @param akName Name of the AK that the TPM proved to hold next to that EK
     */
    public record Binding(byte[] ekName, byte[] akName) {

        public Binding {
            ekName = ekName.clone();
            akName = akName.clone();
        }

        @Override
        public byte[] ekName() {
            return ekName.clone();
        }

        @Override
        public byte[] akName() {
            return akName.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Binding b && Arrays.equals(b.ekName, ekName) && Arrays.equals(b.akName, akName);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(ekName) + Arrays.hashCode(akName);
        }
    }

    /**
     * A credential challenge: what the device passes to TPM2_ActivateCredential, and what the
     * verifier keeps to check the answer.
     *
     * @param idObject        TPM2B_ID_OBJECT (UINT16 size ‖ TPM2B_DIGEST(outerHMAC) ‖ encIdentity)
     * @param encryptedSecret TPM2B_ENCRYPTED_SECRET (UINT16 size ‖ RSA-OAEP ciphertext of the seed)
     * @param secret          the expected answer (keep private to the verifier)
     * @param binding         the EK Name ↔ AK Name pair this challenge proves
     */
    public record Challenge(byte[] idObject, byte[] encryptedSecret, byte[] secret, Binding binding) {

        public Challenge {
            idObject = idObject.clone();
            encryptedSecret = encryptedSecret.clone();
            secret = secret.clone();
        }

        @Override
        public byte[] idObject() {
            return idObject.clone();
        }

        @Override
        public byte[] encryptedSecret() {
            return encryptedSecret.clone();
        }

        @Override
        public byte[] secret() {
            return secret.clone();
        }

        /**
         * The file layout {@code tpm2_makecredential -o} writes and {@code tpm2_activatecredential -i}
         * reads (tpm2-tools 5.x): {@code badcc0de 00000001} ‖ TPM2B_ID_OBJECT ‖ TPM2B_ENCRYPTED_SECRET.
         */
        public byte[] tpm2ToolsFile() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(TOOLS_HEADER);
            out.writeBytes(idObject);
            out.writeBytes(encryptedSecret);
            return out.toByteArray();
        }
    }

    /** Makes a challenge with a fresh 32-byte random secret. */
    public static Challenge make(TpmtPublic ek, byte[] akName, SecureRandom random) throws TpmEvidenceException {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return make(ek, akName, secret, random);
    }

    /**
     * Makes a challenge for a given secret (16–32 bytes).
     *
     * @param ek     the EK public area (validated against its certificate beforehand)
     * @param akName the Name of the AK to bind (nameAlg ‖ digest)
     * @throws TpmEvidenceException UNSUPPORTED_EK if the EK is not the default RSA-2048 template,
     *                              BAD_NAME if akName is not a well-formed Name
     */
    public static Challenge make(TpmtPublic ek, byte[] akName, byte[] secret, SecureRandom random)
            throws TpmEvidenceException {
        Objects.requireNonNull(ek, "ek");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(random, "random");
        checkEk(ek);
        checkName(akName);
        if (secret.length < MIN_SECRET || secret.length > 32) {
            throw new IllegalArgumentException("secret must be 16..32 bytes");
        }
        byte[] seed = new byte[SEED_SIZE];
        random.nextBytes(seed);

        OAEPEncoding oaep = new OAEPEncoding(new RSAEngine(), new SHA256Digest(), new SHA256Digest(),
                "IDENTITY\0".getBytes(StandardCharsets.US_ASCII));
        oaep.init(true, new ParametersWithRandom(
                new RSAKeyParameters(false, ek.rsaModulus(), BigInteger.valueOf(ek.rsaExponent())), random));
        byte[] encSeed;
        try {
            encSeed = oaep.processBlock(seed, 0, seed.length);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("OAEP encryption of a 32-byte seed cannot fail for RSA-2048", e);
        }

        byte[] symKey = kdfa(seed, "STORAGE", akName, new byte[0], SYM_KEY_BITS);
        byte[] hmacKey = kdfa(seed, "INTEGRITY", new byte[0], new byte[0], 256);

        byte[] plain = tpm2b(secret);
        CFBBlockCipher cfb = new CFBBlockCipher(new AESEngine(), 128);
        cfb.init(true, new ParametersWithIV(new KeyParameter(symKey), new byte[16]));
        byte[] encIdentity = new byte[plain.length];
        cfb.processBytes(plain, 0, plain.length, encIdentity, 0);

        HMac mac = new HMac(new SHA256Digest());
        mac.init(new KeyParameter(hmacKey));
        mac.update(encIdentity, 0, encIdentity.length);
        mac.update(akName, 0, akName.length);
        byte[] outerHmac = new byte[32];
        mac.doFinal(outerHmac, 0);

        ByteArrayOutputStream id = new ByteArrayOutputStream();
        id.writeBytes(tpm2b(outerHmac));
        id.writeBytes(encIdentity);
        Arrays.fill(seed, (byte) 0);
        return new Challenge(tpm2b(id.toByteArray()), tpm2b(encSeed), secret,
                new Binding(ek.name(), akName));
    }

    /** True iff the device returned the expected secret; runs in time independent of where they differ. */
    public static boolean verifySecret(byte[] expected, byte[] returned) {
        if (expected == null || returned == null) {
            return false;
        }
        return MessageDigest.isEqual(expected, returned);
    }

    /** KDFa with SHA-256 (Part 1 §11.4.10.2): HMAC(key, i ‖ label ‖ 00 ‖ contextU ‖ contextV ‖ bits) for i = 1, 2, …. */
    static byte[] kdfa(byte[] key, String label, byte[] contextU, byte[] contextV, int bits) {
        byte[] labelBytes = label.getBytes(StandardCharsets.US_ASCII);
        int bytes = (bits + 7) / 8;
        byte[] out = new byte[bytes];
        HMac mac = new HMac(new SHA256Digest());
        mac.init(new KeyParameter(key));
        byte[] block = new byte[32];
        for (int i = 1, off = 0; off < bytes; i++, off += 32) {
            mac.update(u32(i), 0, 4);
            mac.update(labelBytes, 0, labelBytes.length);
            mac.update((byte) 0);
            mac.update(contextU, 0, contextU.length);
            mac.update(contextV, 0, contextV.length);
            mac.update(u32(bits), 0, 4);
            mac.doFinal(block, 0);
            System.arraycopy(block, 0, out, off, Math.min(32, bytes - off));
        }
        return out;
    }

    private static byte[] u32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static byte[] tpm2b(byte[] content) {
        byte[] out = new byte[2 + content.length];
        out[0] = (byte) (content.length >>> 8);
        out[1] = (byte) content.length;
        System.arraycopy(content, 0, out, 2, content.length);
        return out;
    }

    private static void checkName(byte[] name) throws TpmEvidenceException {
        if (name == null || name.length < 2) {
            throw new TpmEvidenceException(Reason.BAD_NAME, "AK Name too short");
        }
        int alg = ((name[0] & 0xff) << 8) | (name[1] & 0xff);
        int size = TpmAlg.digestSize(alg);
        if (size < 0 || name.length != 2 + size) {
            throw new TpmEvidenceException(Reason.BAD_NAME,
                    String.format("AK Name: algorithm 0x%04x with %d digest bytes", alg, name.length - 2));
        }
    }

    /** The default RSA-2048 EK template: restricted decrypt storage key, SHA-256 Name, AES-128-CFB. */
    static void checkEk(TpmtPublic ek) throws TpmEvidenceException {
        if (ek.type() != TpmAlg.RSA || ek.rsaKeyBits() != 2048) {
            throw new TpmEvidenceException(Reason.UNSUPPORTED_EK, "EK is not RSA-2048");
        }
        if (ek.nameAlg() != TpmAlg.SHA256) {
            throw new TpmEvidenceException(Reason.UNSUPPORTED_EK, "EK nameAlg is not SHA-256");
        }
        if (!ek.restricted() || !ek.decrypt() || ek.sign()) {
            throw new TpmEvidenceException(Reason.UNSUPPORTED_EK, "EK is not a restricted decryption key");
        }
        // TPMT_SYM_DEF_OBJECT follows type, nameAlg, objectAttributes and authPolicy (Part 2 Table 191).
        try {
            TpmReader r = new TpmReader(ek.bytes());
            r.u16("type");
            r.u16("nameAlg");
            r.u32("objectAttributes");
            r.tpm2b(64, "authPolicy");
            int alg = r.u16("symmetric.algorithm");
            int keyBits = alg == TpmAlg.NULL ? 0 : r.u16("symmetric.keyBits");
            int mode = alg == TpmAlg.NULL ? 0 : r.u16("symmetric.mode");
            if (alg != TpmAlg.AES || keyBits != SYM_KEY_BITS || mode != TpmAlg.CFB) {
                throw new TpmEvidenceException(Reason.UNSUPPORTED_EK, "EK symmetric is not AES-128-CFB");
            }
        } catch (TpmFormatException e) {
            throw new TpmEvidenceException(Reason.UNSUPPORTED_EK, "EK: " + e.getMessage());
        }
    }
}
