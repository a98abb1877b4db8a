package dev.teeledger.abci.state;

import dev.teeledger.protocol.merkle.SmtHash;
import dev.teeledger.protocol.merkle.SmtProof;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Walks one persisted tree (a sub-store's or the top-level one) of one version: point reads and
 * proofs follow the key's path (O(depth) node loads), prefix scans of an old version visit
 * every leaf. Stateless apart from its node source; safe to share between threads.
 */
final class TreeReader {

    /** A value (null if absent) and the proof of it under the tree's root. */
    record Found(byte[] value, SmtProof proof) {
    }

    private final NodeSource source;

    TreeReader(NodeSource source) {
        this.source = source;
    }

    /** The value of {@code key} in {@code tree} rooted at {@code root}, or null. */
    byte[] get(int tree, Node root, byte[] key) throws StoreException {
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
                return leaf(tree, s, depth, keyHash).value().clone();
            }
            Node.InnerData inner = inner(tree, s, depth, keyHash);
            node = SmtHash.bit(keyHash, depth) == 0 ? inner.left() : inner.right();
        }
    }

    /** The value of {@code key} (or null) with its proof against {@code root}. */
    Found prove(int tree, Node root, byte[] key) throws StoreException {
        byte[] keyHash = SmtHash.keyHash(key);
        List<byte[]> siblings = new ArrayList<>();
        Node node = root;
        for (int depth = 0; ; depth++) {
            if (!(node instanceof Node.Stored s)) {
                return new Found(null, SmtProof.of(SmtProof.Terminal.EMPTY,
                        siblings.toArray(new byte[0][]), null, null));
            }
            if (s.leaf()) {
                Node.LeafData leaf = leaf(tree, s, depth, keyHash);
                byte[][] sib = siblings.toArray(new byte[0][]);
                if (Arrays.equals(leaf.keyHash(), keyHash)) {
                    return new Found(leaf.value().clone(),
                            SmtProof.of(SmtProof.Terminal.LEAF, sib, null, null));
                }
                return new Found(null, SmtProof.of(SmtProof.Terminal.OTHER_LEAF, sib,
                        leaf.keyHash(), leaf.valueHash()));
            }
            Node.InnerData inner = inner(tree, s, depth, keyHash);
            boolean right = SmtHash.bit(keyHash, depth) == 1;
            siblings.add((right ? inner.left() : inner.right()).hash());
            node = right ? inner.right() : inner.left();
        }
    }

    private Node.LeafData leaf(int tree, Node.Stored s, int depth, byte[] path)
            throws StoreException {
        if (source.load(tree, s, depth, path) instanceof Node.LeafData d) {
            return d;
        }
        throw new StoreException("corrupt tree: expected a leaf at depth " + depth);
    }

    private Node.InnerData inner(int tree, Node.Stored s, int depth, byte[] path)
            throws StoreException {
        if (source.load(tree, s, depth, path) instanceof Node.InnerData d) {
            return d;
        }
        throw new StoreException("corrupt tree: expected an inner node at depth " + depth);
    }

    /**
     * Adds every leaf of {@code tree} whose key starts with {@code prefix} to {@code out}, in no
     * particular order (callers sort). O(size of the tree).
     */
    void collect(int tree, Node root, byte[] prefix, List<Node.LeafData> out)
            throws StoreException {
        collect(tree, root, 0, new byte[SmtHash.LENGTH], prefix, out);
    }

    private void collect(int tree, Node node, int depth, byte[] path, byte[] prefix,
            List<Node.LeafData> out) throws StoreException {
        if (!(node instanceof Node.Stored s)) {
            return;
        }
        if (s.leaf()) {
            Node.LeafData leaf = leaf(tree, s, depth, path);
            if (startsWith(leaf.key(), prefix)) {
                out.add(leaf);
            }
            return;
        }
        Node.InnerData inner = inner(tree, s, depth, path);
        collect(tree, inner.left(), depth + 1, TreeUpdate.childPath(path, depth, 0), prefix, out);
        collect(tree, inner.right(), depth + 1, TreeUpdate.childPath(path, depth, 1), prefix,
                out);
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length
                && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
