package dev.teeledger.abci.state;

import dev.teeledger.protocol.merkle.SmtHash;
import dev.teeledger.protocol.merkle.SubStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * App hash of a key-value map computed naively from scratch, as an oracle for the store: every
 * key goes to its {@link SubStore}, each sub-store's sparse Merkle root is built from its
 * sorted leaves, and the app hash is the root of the tree mapping every sub-store name to its
 * root (ADR 0010).
 */
final class ReferenceRoot {

    private ReferenceRoot() {
    }

    static byte[] of(Map<byte[], byte[]> kv) {
        Map<SubStore, Map<byte[], byte[]>> split = new TreeMap<>();
        for (SubStore s : SubStore.values()) {
            split.put(s, new TreeMap<>(Arrays::compareUnsigned));
        }
        kv.forEach((k, v) -> split.get(SubStore.of(k)).put(k, v));
        Map<byte[], byte[]> top = new TreeMap<>(Arrays::compareUnsigned);
        split.forEach((s, entries) -> top.put(s.nameBytes(), flatRoot(entries)));
        return flatRoot(top);
    }

    /** Root of one sparse Merkle tree holding {@code kv}. */
    static byte[] flatRoot(Map<byte[], byte[]> kv) {
        List<byte[][]> es = new ArrayList<>();
        kv.forEach((k, v) -> es.add(new byte[][] {SmtHash.keyHash(k), SmtHash.valueHash(v)}));
        es.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
        return hash(es, 0);
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
