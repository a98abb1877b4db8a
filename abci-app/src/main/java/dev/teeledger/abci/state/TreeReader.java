package dev.teeledger.abci.state;

import dev.teeledger.protocol.merkle.SmtHash;
import dev.teeledger.protocol.merkle.SmtProof;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Walks one version of the persisted tree: point reads and proofs follow the key's path
 * (O(depth) node loads), prefix scans of an old version visit every leaf. Stateless apart from
 * its node source; safe to share between threads.
 */
final class TreeReader {

    private final NodeSource source;

    TreeReader(NodeSource source) {
        this.source = source;
    }

    /** The value of {@code key} in the tree rooted at {@code root}, or null. */
    byte[] get(Node root, byte[] key) throws StoreException {
        byte[] keyHash = SmtHash.keyHash(key);
        Node node = root;
        for (int depth = 0; ; depth++) {
            if (!(node instanceof Node.Stored s)) {
                return null;
            }
            if (s.leaf()) {
                if (!Arrays.equals(s.keyHash(), keyHash)) {
                    return null;
                }
                return leaf(s, depth, keyHash).value().clone();
            }
            Node.InnerData inner = inner(s, depth, keyHash);
            node = SmtHash.bit(keyHash, depth) == 0 ? inner.left() : inner.right();
        }
    }

    /** The value of {@code key} (or null) with its proof against {@code root}. */
    ProvenValue prove(Node root, byte[] key, long version) throws StoreException {
        byte[] keyHash = SmtHash.keyHash(key);
        List<byte[]> siblings = new ArrayList<>();
        Node node = root;
        for (int depth = 0; ; depth++) {
            if (!(node instanceof Node.Stored s)) {
                return new ProvenValue(null, SmtProof.of(SmtProof.Terminal.EMPTY,
                        siblings.toArray(new byte[0][]), null, null), version);
            }
            if (s.leaf()) {
                Node.LeafData leaf = leaf(s, depth, keyHash);
                byte[][] sib = siblings.toArray(new byte[0][]);
                if (Arrays.equals(leaf.keyHash(), keyHash)) {
                    return new ProvenValue(leaf.value().clone(),
                            SmtProof.of(SmtProof.Terminal.LEAF, sib, null, null), version);
                }
                return new ProvenValue(null, SmtProof.of(SmtProof.Terminal.OTHER_LEAF, sib,
                        leaf.keyHash(), leaf.valueHash()), version);
            }
            Node.InnerData inner = inner(s, depth, keyHash);
            boolean right = SmtHash.bit(keyHash, depth) == 1;
            siblings.add((right ? inner.left() : inner.right()).hash());
            node = right ? inner.right() : inner.left();
        }
    }

    private Node.LeafData leaf(Node.Stored s, int depth, byte[] path) throws StoreException {
        if (source.load(s, depth, path) instanceof Node.LeafData d) {
            return d;
        }
        throw new StoreException("corrupt tree: expected a leaf at depth " + depth);
    }

    private Node.InnerData inner(Node.Stored s, int depth, byte[] path) throws StoreException {
        if (source.load(s, depth, path) instanceof Node.InnerData d) {
            return d;
        }
        throw new StoreException("corrupt tree: expected an inner node at depth " + depth);
    }

    /** Visits every leaf whose key starts with {@code prefix}, in key order. O(size of tree). */
    void scan(Node root, byte[] prefix, BiConsumer<byte[], byte[]> visitor) throws StoreException {
        List<Node.LeafData> found = new ArrayList<>();
        collect(root, 0, new byte[SmtHash.LENGTH], prefix, found);
        found.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
        for (Node.LeafData leaf : found) {
            visitor.accept(leaf.key().clone(), leaf.value().clone());
        }
    }

    private void collect(Node node, int depth, byte[] path, byte[] prefix,
            List<Node.LeafData> out) throws StoreException {
        if (!(node instanceof Node.Stored s)) {
            return;
        }
        if (s.leaf()) {
            Node.LeafData leaf = leaf(s, depth, path);
            if (startsWith(leaf.key(), prefix)) {
                out.add(leaf);
            }
            return;
        }
        Node.InnerData inner = inner(s, depth, path);
        collect(inner.left(), depth + 1, TreeUpdate.childPath(path, depth, 0), prefix, out);
        collect(inner.right(), depth + 1, TreeUpdate.childPath(path, depth, 1), prefix, out);
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length
                && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
