package dev.teeledger.abci.state;

import dev.teeledger.protocol.merkle.SmtHash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Applies a batch of changes to a persisted sparse Merkle tree in one pass, rehashing only the
 * paths the changes touch, and keeps the tree canonical: a subtree holding one leaf is that
 * leaf, an empty subtree is {@link Node.Empty}. Canonical form makes the root a function of the
 * key-value set alone, whatever the order of writes. Used by {@link WorkingSet#rootHash()} and
 * {@link MerkleStore#commit} through {@link StateUpdate}, once per changed tree. Not
 * thread-safe; one instance per update.
 */
final class TreeUpdate {

    /** One staged change; {@code value == null} deletes. Arrays sorted by {@code keyHash}. */
    record Change(byte[] keyHash, byte[] key, byte[] value, byte[] valueHash) {
        static Change of(byte[] key, byte[] valueOrNull) {
            return new Change(SmtHash.keyHash(key), key, valueOrNull,
                    valueOrNull == null ? null : SmtHash.valueHash(valueOrNull));
        }
    }

    /**
     * The outcome of an update.
     *
     * @param root the new root (may reference new in-memory nodes)
     * @param staleNodeKeys storage keys of persisted nodes the new tree no longer uses
     * @param keyCountDelta keys added minus keys removed
     */
    record Result(Node root, List<byte[]> staleNodeKeys, long keyCountDelta) {
    }

    /** Receives each new node when a result is persisted. */
    interface NodeSink {
        void node(byte[] nodeKey, byte[] encoded, Object decoded) throws StoreException;
    }

    private final int tree;
    private final NodeSource source;
    private final List<byte[]> stale = new ArrayList<>();
    private long delta;

    private TreeUpdate(int tree, NodeSource source) {
        this.tree = tree;
        this.source = source;
    }

    /**
     * Applies {@code changes} (sorted by key hash, one per key) to {@code tree} (a sub-store code
     * or {@link NodeCodec#TOP}) rooted at {@code root}.
     */
    static Result apply(int tree, Node root, Change[] changes, NodeSource source)
            throws StoreException {
        TreeUpdate u = new TreeUpdate(tree, source);
        Node newRoot = u.update(root, 0, changes, 0, changes.length);
        return new Result(newRoot, List.copyOf(u.stale), u.delta);
    }

    /** Orders changes by key hash, the order the recursion splits them in. */
    static void sort(Change[] changes) {
        Arrays.sort(changes, (a, b) -> Arrays.compareUnsigned(a.keyHash(), b.keyHash()));
    }

    private Node update(Node cur, int depth, Change[] c, int lo, int hi) throws StoreException {
        if (lo == hi) {
            return cur;
        }
        byte[] path = c[lo].keyHash();
        if (cur instanceof Node.Stored s && !s.leaf()) {
            Node.InnerData inner = loadInner(s, depth, path);
            int mid = split(c, lo, hi, depth);
            Node left = update(inner.left(), depth + 1, c, lo, mid);
            Node right = update(inner.right(), depth + 1, c, mid, hi);
            if (left == inner.left() && right == inner.right()) {
                return cur;
            }
            stale.add(NodeCodec.nodeKey(tree, s.version(), depth, path));
            return join(left, right);
        }
        // An empty subtree or a single stored leaf; the parent told us the leaf's key hash, so
        // the leaf itself is never read here.
        Node.Stored existing = cur instanceof Node.Stored s ? s : null;
        List<Object> entries = new ArrayList<>(hi - lo + 1);
        boolean changed = false;
        boolean existingSeen = false;
        for (int i = lo; i < hi; i++) {
            Change ch = c[i];
            if (existing != null && Arrays.equals(ch.keyHash(), existing.keyHash())) {
                existingSeen = true;
                if (ch.value() == null) {
                    delta--;
                    changed = true;
                    stale.add(NodeCodec.leafKey(tree, existing.version(), existing.keyHash()));
                } else if (Arrays.equals(SmtHash.leaf(ch.keyHash(), ch.valueHash()),
                        existing.hash())) {
                    entries.add(existing);
                } else {
                    entries.add(leafOf(ch));
                    changed = true;
                    stale.add(NodeCodec.leafKey(tree, existing.version(), existing.keyHash()));
                }
            } else if (ch.value() != null) {
                delta++;
                entries.add(leafOf(ch));
                changed = true;
            }
        }
        if (!changed) {
            return cur;
        }
        if (existing != null && !existingSeen) {
            // The leaf stays as it is, only deeper: its storage key does not depend on depth.
            entries.add(existing);
            entries.sort((a, b) -> Arrays.compareUnsigned(keyHashOf(a), keyHashOf(b)));
        }
        if (entries.isEmpty()) {
            return Node.Empty.INSTANCE;
        }
        return build(entries, 0, entries.size(), depth);
    }

    private static Node.LeafData leafOf(Change ch) {
        return new Node.LeafData(ch.keyHash(), ch.key(), ch.value(), ch.valueHash());
    }

    private static byte[] keyHashOf(Object entry) {
        return entry instanceof Node.Stored s ? s.keyHash() : ((Node.LeafData) entry).keyHash();
    }

    /** A parent whose subtree now holds at most one leaf collapses into that leaf. */
    private static Node join(Node left, Node right) {
        boolean leftEmpty = left instanceof Node.Empty;
        boolean rightEmpty = right instanceof Node.Empty;
        if (leftEmpty && rightEmpty) {
            return Node.Empty.INSTANCE;
        }
        if (leftEmpty && isLeaf(right)) {
            return right;
        }
        if (rightEmpty && isLeaf(left)) {
            return left;
        }
        return Node.NewInner.of(left, right);
    }

    private static boolean isLeaf(Node n) {
        return n instanceof Node.NewLeaf || (n instanceof Node.Stored s && s.leaf());
    }

    private Node build(List<Object> entries, int lo, int hi, int depth) throws StoreException {
        if (hi - lo == 1) {
            Object e = entries.get(lo);
            return e instanceof Node.Stored s ? s : Node.NewLeaf.of((Node.LeafData) e);
        }
        if (depth >= SmtHash.MAX_DEPTH) {
            throw new StoreException("two keys share a 256-bit path: SHA-256 collision");
        }
        int mid = lo;
        while (mid < hi && SmtHash.bit(keyHashOf(entries.get(mid)), depth) == 0) {
            mid++;
        }
        Node left = mid > lo ? build(entries, lo, mid, depth + 1) : Node.Empty.INSTANCE;
        Node right = hi > mid ? build(entries, mid, hi, depth + 1) : Node.Empty.INSTANCE;
        return Node.NewInner.of(left, right);
    }

    private static int split(Change[] c, int lo, int hi, int depth) {
        int mid = lo;
        while (mid < hi && SmtHash.bit(c[mid].keyHash(), depth) == 0) {
            mid++;
        }
        return mid;
    }

    static byte[] childPath(byte[] path, int depth, int side) {
        byte[] p = path.clone();
        int mask = 0x80 >>> (depth & 7);
        if (side == 0) {
            p[depth >>> 3] &= (byte) ~mask;
        } else {
            p[depth >>> 3] |= (byte) mask;
        }
        return p;
    }

    private Node.InnerData loadInner(Node.Stored s, int depth, byte[] path) throws StoreException {
        Object o = source.load(tree, s, depth, path);
        if (o instanceof Node.InnerData d) {
            return d;
        }
        throw new StoreException("corrupt tree: expected an inner node at depth " + depth);
    }

    /**
     * Hands every new node of {@code root} to {@code sink}, children before parents, keyed at
     * {@code version}. Returns the number of nodes written.
     */
    static int persist(int tree, Node root, long version, NodeSink sink) throws StoreException {
        return write(tree, root, 0, new byte[SmtHash.LENGTH], version, sink);
    }

    private static int write(int tree, Node n, int depth, byte[] path, long version,
            NodeSink sink) throws StoreException {
        if (n instanceof Node.NewLeaf l) {
            byte[] key = NodeCodec.leafKey(tree, version, l.data().keyHash());
            sink.node(key, NodeCodec.encodeLeaf(l.data()), l.data());
            return 1;
        }
        if (n instanceof Node.NewInner i) {
            int count = 1;
            count += write(tree, i.left(), depth + 1, childPath(path, depth, 0), version, sink);
            count += write(tree, i.right(), depth + 1, childPath(path, depth, 1), version, sink);
            byte[] key = NodeCodec.nodeKey(tree, version, depth, path);
            sink.node(key, NodeCodec.encodeInner(i.left(), i.right(), version),
                    new Node.InnerData(asStored(i.left(), version), asStored(i.right(), version)));
            return count;
        }
        return 0;
    }

    /** The reference a persisted parent holds to {@code n} once written at {@code version}. */
    static Node asStored(Node n, long version) {
        if (n instanceof Node.NewLeaf l) {
            return Node.Stored.leaf(version, l.hash(), l.data().keyHash());
        }
        if (n instanceof Node.NewInner i) {
            return Node.Stored.inner(version, i.hash());
        }
        return n;
    }
}
