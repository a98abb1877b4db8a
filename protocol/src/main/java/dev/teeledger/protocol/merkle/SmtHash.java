package dev.teeledger.protocol.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hash functions of TEE Ledger's sparse Merkle tree (format {@value SmtProof#OP_TYPE}), in
 * one place so the store that builds the tree and every verifier of its proofs agree bit for bit.
 *
 * <pre>
 * keyHash   = SHA-256(key)                       (the 256-bit path, bit 0 = MSB of byte 0)
 * valueHash = SHA-256(value)
 * leaf      = SHA-256(0x00 ‖ keyHash ‖ valueHash)
 * inner     = SHA-256(0x01 ‖ left ‖ right)
 * empty     = 32 zero bytes (also the root of the empty tree)
 * </pre>
 *
 * The 0x00/0x01 prefixes separate leaf and inner domains (as RFC 6962 §2.1 does), so a leaf can
 * never be passed off as an inner node. All methods are pure and thread-safe.
 */
public final class SmtHash {

    /** Length in bytes of every hash and of the key path. */
    public static final int LENGTH = 32;

    /** Number of bits in a path, and so the maximum depth of the tree. */
    public static final int MAX_DEPTH = 256;

    private static final byte LEAF_PREFIX = 0x00;
    private static final byte INNER_PREFIX = 0x01;

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java SE platform must provide SHA-256 (MessageDigest Javadoc).
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    });

    private SmtHash() {
    }

    /** A fresh copy of the empty-subtree hash (32 zero bytes). */
    public static byte[] empty() {
        return new byte[LENGTH];
    }

    /** True when {@code hash} is the empty-subtree hash. */
    public static boolean isEmpty(byte[] hash) {
        for (byte b : hash) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** SHA-256 of the raw key: its path in the tree. */
    public static byte[] keyHash(byte[] key) {
        return sha256(key);
    }

    /** SHA-256 of the raw value. */
    public static byte[] valueHash(byte[] value) {
        return sha256(value);
    }

    /** {@code SHA-256(0x00 ‖ keyHash ‖ valueHash)}; both inputs must be 32 bytes. */
    public static byte[] leaf(byte[] keyHash, byte[] valueHash) {
        MessageDigest md = SHA256.get();
        md.update(LEAF_PREFIX);
        md.update(keyHash);
        md.update(valueHash);
        return md.digest();
    }

    /** {@code SHA-256(0x01 ‖ left ‖ right)}; both inputs must be 32 bytes. */
    public static byte[] inner(byte[] left, byte[] right) {
        MessageDigest md = SHA256.get();
        md.update(INNER_PREFIX);
        md.update(left);
        md.update(right);
        return md.digest();
    }

    /** The path bit of {@code keyHash} at {@code depth} (0 = go left, 1 = go right). */
    public static int bit(byte[] keyHash, int depth) {
        return (keyHash[depth >>> 3] >>> (7 - (depth & 7))) & 1;
    }

    /** True when the first {@code bits} bits of {@code a} and {@code b} are equal. */
    public static boolean samePrefix(byte[] a, byte[] b, int bits) {
        int full = bits >>> 3;
        for (int i = 0; i < full; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int rest = bits & 7;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (a[full] & mask) == (b[full] & mask);
    }

    private static byte[] sha256(byte[] data) {
        MessageDigest md = SHA256.get();
        return md.digest(data);
    }
}
