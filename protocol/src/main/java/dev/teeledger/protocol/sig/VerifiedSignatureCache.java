package dev.teeledger.protocol.sig;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded memory of (key, message, signature) triples that verified. CheckTx
 * verifies a transaction once; FinalizeBlock finds it here and skips the
 * expensive curve arithmetic. Determinism holds because only successes are
 * remembered and verification is a pure function: a hit gives exactly the answer
 * recomputation would, and a miss recomputes. Entries are keyed by SHA-256 of the
 * length-prefixed triple, so distinct triples cannot collide in practice.
 * Thread-safe.
 */
public final class VerifiedSignatureCache {
    private final Map<ByteBuffer, Boolean> entries;

    /** @param capacity the number of remembered triples; the least recently used go first */
    public VerifiedSignatureCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.entries = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Verifies through the cache: true only for a valid signature. */
    public boolean verify(dev.teeledger.protocol.tx.v1.PublicKey key, byte[] message, byte[] signature) {
        ByteBuffer id = fingerprint(key.getTypeValue(), key.getKey().toByteArray(), message, signature);
        synchronized (entries) {
            if (entries.get(id) != null) {
                return true;
            }
        }
        boolean valid = SignatureVerifier.verify(key, message, signature);
        if (valid) {
            synchronized (entries) {
                entries.put(id, Boolean.TRUE);
            }
        }
        return valid;
    }

    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private static ByteBuffer fingerprint(int type, byte[] key, byte[] message, byte[] signature) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ByteBuffer.allocate(16).putInt(type).putInt(key.length).putInt(message.length).putInt(signature.length).array());
            sha.update(key);
            sha.update(message);
            sha.update(signature);
            return ByteBuffer.wrap(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }
}
