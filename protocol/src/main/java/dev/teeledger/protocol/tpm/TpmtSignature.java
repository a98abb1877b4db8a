package dev.teeledger.protocol.tpm;

import dev.teeledger.protocol.tpm.TpmFormatException.Reason;
import java.math.BigInteger;

/**
 * A TPM signature, TPMT_SIGNATURE (TPM 2.0 Part 2, Table 217), as written by
 * {@code tpm2_certify -f tss} / {@code tpm2_quote -s}. Accepted schemes: RSASSA and RSAPSS
 * (TPMS_SIGNATURE_RSA: hash, TPM2B_PUBLIC_KEY_RSA) and ECDSA (TPMS_SIGNATURE_ECC: hash, r, s).
 * Checked by {@link TpmSignatureVerifier}. Immutable; accessors return copies.
 */
public final class TpmtSignature {

    private static final int MAX_RSA_BYTES = 512;
    private static final int MAX_ECC_BYTES = 128;

    private final int sigAlg;
    private final int hashAlg;
    private final byte[] rsaSignature;
    private final byte[] r;
    private final byte[] s;

    private TpmtSignature(int sigAlg, int hashAlg, byte[] rsaSignature, byte[] r, byte[] s) {
        this.sigAlg = sigAlg;
        this.hashAlg = hashAlg;
        this.rsaSignature = rsaSignature;
        this.r = r;
        this.s = s;
    }

    /** Parses a TPMT_SIGNATURE that must end exactly at the end of the input. */
    public static TpmtSignature parse(byte[] signature) throws TpmFormatException {
        if (signature == null) {
            throw new TpmFormatException(Reason.TRUNCATED, "TPMT_SIGNATURE: null");
        }
        TpmReader rd = new TpmReader(signature);
        int sigAlg = rd.u16("sigAlg");
        int hashAlg;
        TpmtSignature out;
        switch (sigAlg) {
            case TpmAlg.RSASSA:
            case TpmAlg.RSAPSS:
                hashAlg = rd.u16("signature.hash");
                out = new TpmtSignature(sigAlg, hashAlg, rd.tpm2b(MAX_RSA_BYTES, "signature.sig"), null, null);
                break;
            case TpmAlg.ECDSA:
                hashAlg = rd.u16("signature.hash");
                byte[] r = rd.tpm2b(MAX_ECC_BYTES, "signature.r");
                byte[] s = rd.tpm2b(MAX_ECC_BYTES, "signature.s");
                out = new TpmtSignature(sigAlg, hashAlg, null, r, s);
                break;
            default:
                throw new TpmFormatException(Reason.UNSUPPORTED_ALGORITHM,
                        String.format("TPMT_SIGNATURE.sigAlg 0x%04x (only RSASSA, RSAPSS, ECDSA)", sigAlg));
        }
        if (TpmAlg.digestSize(hashAlg) < 0) {
            throw new TpmFormatException(Reason.UNSUPPORTED_ALGORITHM,
                    String.format("signature hash 0x%04x", hashAlg));
        }
        rd.expectEnd("TPMT_SIGNATURE");
        return out;
    }

    /** TPMT_SIGNATURE.sigAlg: {@link TpmAlg#RSASSA}, {@link TpmAlg#RSAPSS} or {@link TpmAlg#ECDSA}. */
    public int sigAlg() {
        return sigAlg;
    }

    /** The hash algorithm the signer used over the signed bytes. */
    public int hashAlg() {
        return hashAlg;
    }

    /** The RSA signature block, or null for ECDSA. */
    public byte[] rsaSignature() {
        return rsaSignature == null ? null : rsaSignature.clone();
    }

    /** ECDSA r, or null for RSA. */
    public BigInteger r() {
        return r == null ? null : new BigInteger(1, r);
    }

    /** ECDSA s, or null for RSA. */
    public BigInteger s() {
        return s == null ? null : new BigInteger(1, s);
    }
}
