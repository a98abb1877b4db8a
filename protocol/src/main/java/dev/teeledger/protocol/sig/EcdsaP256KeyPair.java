package dev.teeledger.protocol.sig;

import com.google.protobuf.ByteString;
import dev.teeledger.protocol.tx.v1.KeyType;
import dev.teeledger.protocol.tx.v1.PublicKey;
import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

/**
 * A software ECDSA P-256 key, the same scheme TPM-held node keys use. Intended
 * for tests and tools; production node keys never leave the TPM. Signing is
 * deterministic (RFC 6979) and always emits low-S signatures, the only form the
 * chain accepts.
 */
public final class EcdsaP256KeyPair implements Signer {
    private final BigInteger d;
    private final PublicKey publicKey;

    private EcdsaP256KeyPair(BigInteger d) {
        if (d.signum() <= 0 || d.compareTo(P256.N) >= 0) {
            throw new IllegalArgumentException("P-256 private scalar out of range");
        }
        this.d = d;
        ECPoint q = P256.G.multiply(d).normalize();
        this.publicKey = PublicKey.newBuilder()
                .setType(KeyType.KEY_TYPE_ECDSA_P256)
                .setKey(ByteString.copyFrom(q.getEncoded(true)))
                .build();
    }

    public static EcdsaP256KeyPair generate(SecureRandom random) {
        return new EcdsaP256KeyPair(BigIntegers.createRandomInRange(BigInteger.ONE, P256.N.subtract(BigInteger.ONE), random));
    }

    public static EcdsaP256KeyPair fromScalar(byte[] scalar32) {
        return new EcdsaP256KeyPair(new BigInteger(1, scalar32));
    }

    /** The private scalar as 32 big-endian bytes, for key files (tools and tests only). */
    public byte[] scalar() {
        return BigIntegers.asUnsignedByteArray(32, d);
    }

    @Override
    public PublicKey publicKey() {
        return publicKey;
    }

    @Override
    public byte[] sign(byte[] message) {
        byte[] digest = P256.sha256(message);
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(d, P256.DOMAIN));
        BigInteger[] rs = signer.generateSignature(digest);
        return P256.encodeLowS(rs[0], rs[1]);
    }
}
