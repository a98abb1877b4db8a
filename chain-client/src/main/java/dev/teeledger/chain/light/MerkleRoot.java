package dev.teeledger.chain.light;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * CometBFT's simple Merkle tree ({@code crypto/merkle/tree.go}), which is the RFC 6962 section
 * 2.1 Merkle Tree Hash over SHA-256: leaf = SHA-256(0x00 ‖ item), inner = SHA-256(0x01 ‖ left ‖
 * right), a list of n &gt; 1 items splits at the largest power of two below n, and the empty list
 * hashes to SHA-256 of nothing. {@link BlockHashes} uses it for header and validator-set hashes.
 * Pure and thread-safe.
 */
public final class MerkleRoot {

  private static final byte LEAF_PREFIX = 0x00;
  private static final byte INNER_PREFIX = 0x01;

  private MerkleRoot() {}

  /** The root over {@code items} in order. */
  public static byte[] of(List<byte[]> items) {
    if (items.isEmpty()) {
      return sha256().digest();
    }
    return root(items, 0, items.size());
  }

  /** SHA-256(0x00 ‖ item). */
  public static byte[] leafHash(byte[] item) {
    MessageDigest d = sha256();
    d.update(LEAF_PREFIX);
    d.update(item);
    return d.digest();
  }

  /** SHA-256(0x01 ‖ left ‖ right). */
  public static byte[] innerHash(byte[] left, byte[] right) {
    MessageDigest d = sha256();
    d.update(INNER_PREFIX);
    d.update(left);
    d.update(right);
    return d.digest();
  }

  /** Largest power of two strictly below {@code n}, for {@code n >= 2}. */
  static int splitPoint(int n) {
    if (n < 2) {
      throw new IllegalArgumentException("split point needs at least 2 items");
    }
    return Integer.highestOneBit(n - 1);
  }

  private static byte[] root(List<byte[]> items, int from, int to) {
    int n = to - from;
    if (n == 1) {
      return leafHash(items.get(from));
    }
    int k = splitPoint(n);
    return innerHash(root(items, from, from + k), root(items, from + k, to));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }
}
