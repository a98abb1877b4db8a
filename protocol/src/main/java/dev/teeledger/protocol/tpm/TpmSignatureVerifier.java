package dev.teeledger.protocol.tpm;

import java.math.BigInteger;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.engines.RSAEngine;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.PSSSigner;
import org.bouncycastle.crypto.signers.RSADigestSigner;

/**
 * Verifies a {@link TpmtSignature} over the exact received bytes (a TPMS_ATTEST) with a TPM public
 * key, using BouncyCastle's lightweight API: RSASSA-PKCS1-v1_5 and RSASSA-PSS (RFC 8017 §8) and
 * ECDSA with raw (r, s) (FIPS 186-4), each with SHA-256/384/512. TSS.Java's validate methods are
 * deliberately not used: they accept any ECDSA signature and check PSS as PKCS#1 v1.5
 * (see /work/shared/notes/tpm.md).
 *
 * <p>Stateless, thread-safe, deterministic; reads no clock and no randomness. Never throws: any
 * mismatch of key and signature type, off-curve key, or out-of-range value yields {@code false}.
 */
public final class TpmSignatureVerifier {

    private TpmSignatureVerifier() {}

    /**
     * True iff {@code signature} is a valid signature by {@code key} over {@code signedBytes}.
     * The scheme is taken from the signature; whether it matches a scheme fixed in the key is the
     * caller's policy ({@link CertifyVerifier} checks it).
     */
    public static boolean verify(TpmtPublic key, byte[] signedBytes, TpmtSignature signature) {
        if (key == null || signedBytes == null || signature == null) {
            return false;
        }
        try {
            switch (signature.sigAlg()) {
                case TpmAlg.RSASSA:
                    return key.type() == TpmAlg.RSA && verifyRsassa(key, signedBytes, signature);
                case TpmAlg.RSAPSS:
                    return key.type() == TpmAlg.RSA && verifyRsapss(key, signedBytes, signature);
                case TpmAlg.ECDSA:
                    return key.type() == TpmAlg.ECC && verifyEcdsa(key, signedBytes, signature);
                default:
                    return false;
            }
        } catch (TpmFormatException | RuntimeException e) {
            // BC signals malformed signature blocks with DataLengthException and the like: that is
            // an invalid signature, not a crash.
            return false;
        }
    }

    private static RSAKeyParameters rsaKey(TpmtPublic key) {
        return new RSAKeyParameters(false, key.rsaModulus(), BigInteger.valueOf(key.rsaExponent()));
    }

    private static boolean verifyRsassa(TpmtPublic key, byte[] msg, TpmtSignature sig) throws TpmFormatException {
        byte[] block = sig.rsaSignature();
        if (block.length != key.rsaKeyBits() / 8) {
            return false;
        }
        RSADigestSigner signer = new RSADigestSigner(TpmAlg.digest(sig.hashAlg()));
        signer.init(false, rsaKey(key));
        signer.update(msg, 0, msg.length);
        return signer.verifySignature(block);
    }

    private static boolean verifyRsapss(TpmtPublic key, byte[] msg, TpmtSignature sig) throws TpmFormatException {
        byte[] block = sig.rsaSignature();
        if (block.length != key.rsaKeyBits() / 8) {
            return false;
        }
        int hLen = TpmAlg.digestSize(sig.hashAlg());
        // TPM 2.0 Part 1 §B.7 signs with salt length = digest length; some TPMs (per the 1.16
        // errata) use the maximum the modulus permits. Accept exactly these two.
        int emLen = (key.rsaKeyBits() - 1 + 7) / 8;
        int[] saltLengths = {hLen, emLen - hLen - 2};
        for (int saltLen : saltLengths) {
            Digest d = TpmAlg.digest(sig.hashAlg());
            PSSSigner signer = new PSSSigner(new RSAEngine(), d, TpmAlg.digest(sig.hashAlg()), saltLen);
            signer.init(false, rsaKey(key));
            signer.update(msg, 0, msg.length);
            if (signer.verifySignature(block)) {
                return true;
            }
        }
        return false;
    }

    private static boolean verifyEcdsa(TpmtPublic key, byte[] msg, TpmtSignature sig) throws TpmFormatException {
        X9ECParameters x9 = TpmtPublic.curveParameters(key.curve());
        ECDomainParameters domain = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH());
        ECDSASigner signer = new ECDSASigner();
        signer.init(false, new ECPublicKeyParameters(key.eccPoint(), domain));
        byte[] digest = TpmAlg.hash(sig.hashAlg(), msg);
        BigInteger r = sig.r();
        BigInteger s = sig.s();
        BigInteger n = x9.getN();
        if (r.signum() <= 0 || s.signum() <= 0 || r.compareTo(n) >= 0 || s.compareTo(n) >= 0) {
            return false;
        }
        return signer.verifySignature(digest, r, s);
    }
}
