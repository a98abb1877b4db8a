package dev.teeledger.protocol.tpm;

import dev.teeledger.protocol.tpm.TpmFormatException.Reason;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;

/**
 * TPM_ALG_ID and TPM_ECC_CURVE constants used by the parsers and verifiers (TPM 2.0 Part 2,
 * Table 9 "TPM_ALG_ID" and Table 10 "TPM_ECC_CURVE"), plus the hash functions behind the
 * hash algorithm ids. Only values this project accepts are named.
 */
public final class TpmAlg {

    /** TPM_ALG_RSA. */
    public static final int RSA = 0x0001;
    /** TPM_ALG_SHA1 (accepted only as a Name algorithm of foreign objects, never for signatures we require). */
    public static final int SHA1 = 0x0004;
    /** TPM_ALG_HMAC. */
    public static final int HMAC = 0x0005;
    /** TPM_ALG_AES. */
    public static final int AES = 0x0006;
    /** TPM_ALG_KEYEDHASH. */
    public static final int KEYEDHASH = 0x0008;
    /** TPM_ALG_XOR. */
    public static final int XOR = 0x000A;
    /** TPM_ALG_SHA256. */
    public static final int SHA256 = 0x000B;
    /** TPM_ALG_SHA384. */
    public static final int SHA384 = 0x000C;
    /** TPM_ALG_SHA512. */
    public static final int SHA512 = 0x000D;
    /** TPM_ALG_NULL. */
    public static final int NULL = 0x0010;
    /** TPM_ALG_RSASSA (PKCS#1 v1.5 signature). */
    public static final int RSASSA = 0x0014;
    /** TPM_ALG_RSAES (PKCS#1 v1.5 encryption). */
    public static final int RSAES = 0x0015;
    /** TPM_ALG_RSAPSS. */
    public static final int RSAPSS = 0x0016;
    /** TPM_ALG_OAEP. */
    public static final int OAEP = 0x0017;
    /** TPM_ALG_ECDSA. */
    public static final int ECDSA = 0x0018;
    /** TPM_ALG_ECDH. */
    public static final int ECDH = 0x0019;
    /** TPM_ALG_ECDAA (its scheme details carry a count after the hash). */
    public static final int ECDAA = 0x001A;
    /** TPM_ALG_SM2. */
    public static final int SM2 = 0x001B;
    /** TPM_ALG_ECSCHNORR. */
    public static final int ECSCHNORR = 0x001C;
    /** TPM_ALG_ECMQV. */
    public static final int ECMQV = 0x001D;
    /** TPM_ALG_KDF1_SP800_56A. */
    public static final int KDF1_SP800_56A = 0x0020;
    /** TPM_ALG_KDF2. */
    public static final int KDF2 = 0x0021;
    /** TPM_ALG_KDF1_SP800_108. */
    public static final int KDF1_SP800_108 = 0x0022;
    /** TPM_ALG_ECC. */
    public static final int ECC = 0x0023;
    /** TPM_ALG_SYMCIPHER. */
    public static final int SYMCIPHER = 0x0025;
    /** TPM_ALG_CFB. */
    public static final int CFB = 0x0043;

    /** TPM_ECC_NIST_P256. */
    public static final int CURVE_NIST_P256 = 0x0003;
    /** TPM_ECC_NIST_P384. */
    public static final int CURVE_NIST_P384 = 0x0004;
    /** TPM_ECC_NIST_P521. */
    public static final int CURVE_NIST_P521 = 0x0005;

    private TpmAlg() {}

    /** Digest size in bytes of a supported hash algorithm, or -1. */
    public static int digestSize(int hashAlg) {
        switch (hashAlg) {
            case SHA1:
                return 20;
            case SHA256:
                return 32;
            case SHA384:
                return 48;
            case SHA512:
                return 64;
            default:
                return -1;
        }
    }

    /** A fresh BouncyCastle digest for a supported hash algorithm. */
    static Digest digest(int hashAlg) throws TpmFormatException {
        switch (hashAlg) {
            case SHA1:
                return new SHA1Digest();
            case SHA256:
                return new SHA256Digest();
            case SHA384:
                return new SHA384Digest();
            case SHA512:
                return new SHA512Digest();
            default:
                throw new TpmFormatException(Reason.UNSUPPORTED_ALGORITHM,
                        String.format("hash algorithm 0x%04x", hashAlg));
        }
    }

    static byte[] hash(int hashAlg, byte[] data) throws TpmFormatException {
        Digest d = digest(hashAlg);
        d.update(data, 0, data.length);
        byte[] out = new byte[d.getDigestSize()];
        d.doFinal(out, 0);
        return out;
    }

    /** The standard curve name of a supported TPM_ECC_CURVE, or null. */
    static String curveName(int curve) {
        switch (curve) {
            case CURVE_NIST_P256:
                return "P-256";
            case CURVE_NIST_P384:
                return "P-384";
            case CURVE_NIST_P521:
                return "P-521";
            default:
                return null;
        }
    }
}
