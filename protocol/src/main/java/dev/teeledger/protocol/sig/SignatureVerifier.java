package dev.teeledger.protocol.sig;

import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.tx.v1.KeyType;
import dev.teeledger.protocol.tx.v1.PublicKey;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.math.ec.ECPoint;

/**
 * Verifies the chain's two signature schemes on raw bytes: Ed25519 (RFC 8032,
 * governance and clients) and ECDSA P-256 over SHA-256 with low-S r‖s encoding
 * (TPM-held node keys). Pure functions of their inputs, so results may be cached
 * without harming determinism. Never throws for malformed input: a bad key or
 * signature simply does not verify.
 */
public final class SignatureVerifier {
    private SignatureVerifier() {}

    /**
     * Checks that {@code key} is well-formed for its type (length, point on the
     * curve). Rejects with {@link ResultCode#UNSUPPORTED_KEY_TYPE}.
     */
    public static void validateKey(PublicKey key) throws Rejection {
        byte[] raw = key.getKey().toByteArray();
        switch (key.getType()) {
            case KEY_TYPE_ED25519 -> {
                if (raw.length != Ed25519PublicKeyParameters.KEY_SIZE) {
                    throw new Rejection(ResultCode.UNSUPPORTED_KEY_TYPE, "Ed25519 key must be 32 bytes");
                }
                try {
                    new Ed25519PublicKeyParameters(raw, 0);
                } catch (RuntimeException e) {
                    throw new Rejection(ResultCode.UNSUPPORTED_KEY_TYPE, "Ed25519 key is not a curve point");
                }
            }
            case KEY_TYPE_ECDSA_P256 -> decodeP256(raw);
            default -> throw new Rejection(ResultCode.UNSUPPORTED_KEY_TYPE, "key type " + key.getTypeValue());
        }
    }

    /** True when {@code signature} is a valid signature by {@code key} over {@code message}. */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        try {
            return switch (key.getType()) {
                case KEY_TYPE_ED25519 -> verifyEd25519(key.getKey().toByteArray(), message, signature);
                case KEY_TYPE_ECDSA_P256 -> verifyP256(key.getKey().toByteArray(), message, signature);
                default -> false;
            };
        } catch (Rejection | RuntimeException e) {
            return false;
        }
    }

    private static boolean verifyEd25519(byte[] key, byte[] message, byte[] signature) {
        if (key.length != Ed25519PublicKeyParameters.KEY_SIZE || signature.length != Ed25519PublicKeyParameters.KEY_SIZE * 2) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, new Ed25519PublicKeyParameters(key, 0));
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    private static boolean verifyP256(byte[] key, byte[] message, byte[] signature) throws Rejection {
        if (signature.length != P256.SIGNATURE_BYTES) {
            return false;
        }
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
        if (r.signum() == 0 || s.signum() == 0 || r.compareTo(P256.N) >= 0 || s.compareTo(P256.HALF_N) > 0) {
            return false; // high-S is refused so that a signature has a single encoding
        }
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, new ECPublicKeyParameters(decodeP256(key), P256.DOMAIN));
        return verifier.verifySignature(P256.sha256(message), r, s);
    }

    private static ECPoint decodeP256(byte[] raw) throws Rejection {
        if (raw.length != P256.COMPRESSED_POINT_BYTES) {
            throw new Rejection(ResultCode.UNSUPPORTED_KEY_TYPE, "P-256 key must be a 33-byte compressed point");
        }
        try {
            ECPoint q = P256.CURVE.getCurve().decodePoint(raw);
            if (q.isInfinity() || !q.isValid()) {
                throw new Rejection(ResultCode.UNSUPPORTED_KEY_TYPE, "P-256 key is not a valid point");
            }
            return q;
        } catch (IllegalArgumentException e) {
            throw new Rejection(ResultCode.UNSUPPORTED_KEY_TYPE, "P-256 key is not a curve point");
        }
    }

    /** Whether keys of this type are supported at all. */
    public static boolean isSupported(KeyType type) {
        return type == KeyType.KEY_TYPE_ED25519 || type == KeyType.KEY_TYPE_ECDSA_P256;
    }
}
