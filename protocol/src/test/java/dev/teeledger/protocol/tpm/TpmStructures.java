package dev.teeledger.protocol.tpm;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Arrays;

/** Marshals synthetic TPMT_PUBLIC areas (TPM 2.0 Part 2 Table 191) for cases swtpm will not produce. */
public final class TpmStructures {

    /** fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | restricted | sign. */
    public static final int AK_ATTRIBUTES = 0x00050072;

    private TpmStructures() {}

    /** An RSA TPMT_PUBLIC with nameAlg SHA-256, no symmetric, the given scheme (hash SHA-256 unless NULL). */
    public static byte[] rsa(int attributes, int scheme, int keyBits, BigInteger modulus) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, TpmAlg.RSA);
        u16(out, TpmAlg.SHA256);
        u32(out, attributes);
        u16(out, 0);
        u16(out, TpmAlg.NULL);
        u16(out, scheme);
        if (scheme != TpmAlg.NULL) {
            u16(out, TpmAlg.SHA256);
        }
        u16(out, keyBits);
        u32(out, 0);
        tpm2b(out, fixed(modulus, keyBits / 8));
        return out.toByteArray();
    }

    /** An ECC TPMT_PUBLIC with nameAlg SHA-256, ECDSA-SHA256 scheme, no KDF. */
    public static byte[] ecc(int attributes, int curve, BigInteger x, BigInteger y, int coordinateBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, TpmAlg.ECC);
        u16(out, TpmAlg.SHA256);
        u32(out, attributes);
        u16(out, 0);
        u16(out, TpmAlg.NULL);
        u16(out, TpmAlg.ECDSA);
        u16(out, TpmAlg.SHA256);
        u16(out, curve);
        u16(out, TpmAlg.NULL);
        tpm2b(out, fixed(x, coordinateBytes));
        tpm2b(out, fixed(y, coordinateBytes));
        return out.toByteArray();
    }

    /** Copy of a bare TPMT_PUBLIC with objectAttributes (offset 4) replaced. */
    public static byte[] withAttributes(byte[] tpmtPublic, int attributes) {
        byte[] b = tpmtPublic.clone();
        b[4] = (byte) (attributes >>> 24);
        b[5] = (byte) (attributes >>> 16);
        b[6] = (byte) (attributes >>> 8);
        b[7] = (byte) attributes;
        return b;
    }

    /** The TPMT_PUBLIC inside a TPM2B_PUBLIC. */
    public static byte[] bare(byte[] tpm2b) {
        return Arrays.copyOfRange(tpm2b, 2, tpm2b.length);
    }

    /** Wraps bytes in a TPM2B. */
    public static byte[] tpm2b(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        tpm2b(out, content);
        return out.toByteArray();
    }

    static byte[] fixed(BigInteger v, int len) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[len];
        int copy = Math.min(raw.length, len);
        System.arraycopy(raw, raw.length - copy, out, len - copy, copy);
        return out;
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void u32(ByteArrayOutputStream out, int v) {
        u16(out, v >>> 16);
        u16(out, v & 0xffff);
    }

    private static void tpm2b(ByteArrayOutputStream out, byte[] content) {
        u16(out, content.length);
        out.writeBytes(content);
    }
}
