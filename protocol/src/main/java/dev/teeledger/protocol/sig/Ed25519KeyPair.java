package dev.teeledger.protocol.sig;

import com.google.protobuf.ByteString;
import dev.teeledger.protocol.tx.v1.KeyType;
import dev.teeledger.protocol.tx.v1.PublicKey;
import java.security.SecureRandom;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A software Ed25519 key (RFC 8032) for governance members and clients. Uses
 * BouncyCastle's lightweight API, several times faster than the JDK provider.
 * Thread-safe: each signature uses a fresh signer object.
 */
public final class Ed25519KeyPair implements Signer {
    private final Ed25519PrivateKeyParameters privateKey;
    private final PublicKey publicKey;

    private Ed25519KeyPair(Ed25519PrivateKeyParameters privateKey) {
        this.privateKey = privateKey;
        this.publicKey = PublicKey.newBuilder()
                .setType(KeyType.KEY_TYPE_ED25519)
                .setKey(ByteString.copyFrom(privateKey.generatePublicKey().getEncoded()))
                .build();
    }

    public static Ed25519KeyPair generate(SecureRandom random) {
        return new Ed25519KeyPair(new Ed25519PrivateKeyParameters(random));
    }

    /** The key whose RFC 8032 private seed is these 32 bytes. */
    public static Ed25519KeyPair fromSeed(byte[] seed32) {
        if (seed32.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
            throw new IllegalArgumentException("Ed25519 seed must be 32 bytes, got " + seed32.length);
        }
        return new Ed25519KeyPair(new Ed25519PrivateKeyParameters(seed32, 0));
    }

    public byte[] seed() {
        return privateKey.getEncoded();
    }

    @Override
    public PublicKey publicKey() {
        return publicKey;
    }

    @Override
    public byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }
}
