package dev.teeledger.protocol.sig;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

/**
 * NIST P-256 domain constants and the chain's ECDSA wire form: a signature is
 * r‖s as two 32-byte big-endian integers with s ≤ n/2 (low-S), so that one
 * signed message has exactly one valid encoding.
 */
public final class P256 {
    /** BouncyCastle's custom (fast) implementation of secp256r1. */
    public static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256r1");
    public static final ECDomainParameters DOMAIN =
            new ECDomainParameters(CURVE.getCurve(), CURVE.getG(), CURVE.getN(), CURVE.getH());
    public static final ECPoint G = CURVE.getG();
    public static final BigInteger N = CURVE.getN();
    public static final BigInteger HALF_N = N.shiftRight(1);
    public static final int SIGNATURE_BYTES = 64;
    public static final int COMPRESSED_POINT_BYTES = 33;

    private P256() {}

    static byte[] sha256(byte[] message) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(message);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }

    /** Encodes (r, s) as r‖s, replacing s by n − s when s is high. */
    public static byte[] encodeLowS(BigInteger r, BigInteger s) {
        if (s.compareTo(HALF_N) > 0) {
            s = N.subtract(s);
        }
        byte[] out = new byte[SIGNATURE_BYTES];
        BigIntegers.asUnsignedByteArray(r, out, 0, 32);
        BigIntegers.asUnsignedByteArray(s, out, 32, 32);
        return out;
    }
}
