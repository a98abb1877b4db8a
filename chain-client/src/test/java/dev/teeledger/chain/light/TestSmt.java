package dev.teeledger.chain.light;

import dev.teeledger.protocol.merkle.SmtHash;
import dev.teeledger.protocol.merkle.SmtProof;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A from-scratch sparse Merkle tree for tests (ADR 0002 hashing, shortcut leaves): builds the
 * root of a key-value map and the {@link SmtProof} of any key, independently of the store.
 */
final class TestSmt {

  private final List<byte[][]> entries = new ArrayList<>();

  TestSmt(Map<byte[], byte[]> kv) {
    kv.forEach((k, v) -> entries.add(new byte[][] {SmtHash.keyHash(k), SmtHash.valueHash(v)}));
    entries.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
  }

  byte[] root() {
    return hash(entries, 0);
  }

  SmtProof prove(byte[] key) {
    byte[] keyHash = SmtHash.keyHash(key);
    List<byte[]> siblings = new ArrayList<>();
    List<byte[][]> es = entries;
    for (int depth = 0; ; depth++) {
      if (es.isEmpty()) {
        return SmtProof.of(SmtProof.Terminal.EMPTY, siblings.toArray(new byte[0][]), null, null);
      }
      if (es.size() == 1) {
        byte[][] leaf = es.get(0);
        byte[][] sib = siblings.toArray(new byte[0][]);
        return Arrays.equals(leaf[0], keyHash)
            ? SmtProof.of(SmtProof.Terminal.LEAF, sib, null, null)
            : SmtProof.of(SmtProof.Terminal.OTHER_LEAF, sib, leaf[0], leaf[1]);
      }
      int d = depth;
      List<byte[][]> left = es.stream().filter(e -> SmtHash.bit(e[0], d) == 0).toList();
      List<byte[][]> right = es.stream().filter(e -> SmtHash.bit(e[0], d) == 1).toList();
      boolean goRight = SmtHash.bit(keyHash, depth) == 1;
      siblings.add(hash(goRight ? left : right, depth + 1));
      es = goRight ? right : left;
    }
  }

  private static byte[] hash(List<byte[][]> es, int depth) {
    if (es.isEmpty()) {
      return SmtHash.empty();
    }
    if (es.size() == 1) {
      return SmtHash.leaf(es.get(0)[0], es.get(0)[1]);
    }
    List<byte[][]> left = es.stream().filter(e -> SmtHash.bit(e[0], depth) == 0).toList();
    List<byte[][]> right = es.stream().filter(e -> SmtHash.bit(e[0], depth) == 1).toList();
    return SmtHash.inner(hash(left, depth + 1), hash(right, depth + 1));
  }
}
