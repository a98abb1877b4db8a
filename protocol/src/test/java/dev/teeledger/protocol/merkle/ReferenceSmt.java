package dev.teeledger.protocol.merkle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A deliberately naive sparse Merkle tree, rebuilt from scratch for every question: the
 * executable form of the hashing rules that the proof format and the store must agree with.
 */
final class ReferenceSmt {

    private record Entry(byte[] keyHash, byte[] valueHash) {
    }

    private final List<Entry> entries = new ArrayList<>();

    ReferenceSmt(Map<byte[], byte[]> kv) {
        kv.forEach((k, v) -> entries.add(new Entry(SmtHash.keyHash(k), SmtHash.valueHash(v))));
        entries.sort((a, b) -> Arrays.compareUnsigned(a.keyHash(), b.keyHash()));
    }

    byte[] root() {
        return hash(entries, 0);
    }

    private static byte[] hash(List<Entry> es, int depth) {
        if (es.isEmpty()) {
            return SmtHash.empty();
        }
        if (es.size() == 1) {
            return SmtHash.leaf(es.get(0).keyHash(), es.get(0).valueHash());
        }
        return SmtHash.inner(hash(side(es, depth, 0), depth + 1), hash(side(es, depth, 1), depth + 1));
    }

    private static List<Entry> side(List<Entry> es, int depth, int bit) {
        return es.stream().filter(e -> SmtHash.bit(e.keyHash(), depth) == bit).toList();
    }

    SmtProof prove(byte[] key) {
        byte[] kh = SmtHash.keyHash(key);
        List<Entry> es = entries;
        List<byte[]> siblings = new ArrayList<>();
        for (int depth = 0; ; depth++) {
            byte[][] sib = siblings.toArray(new byte[0][]);
            if (es.isEmpty()) {
                return SmtProof.of(SmtProof.Terminal.EMPTY, sib, null, null);
            }
            if (es.size() == 1) {
                Entry e = es.get(0);
                return Arrays.equals(e.keyHash(), kh)
                        ? SmtProof.of(SmtProof.Terminal.LEAF, sib, null, null)
                        : SmtProof.of(SmtProof.Terminal.OTHER_LEAF, sib, e.keyHash(), e.valueHash());
            }
            int bit = SmtHash.bit(kh, depth);
            siblings.add(hash(side(es, depth, 1 - bit), depth + 1));
            es = side(es, depth, bit);
        }
    }
}
