package dev.teeledger.abci.state;

import dev.teeledger.protocol.merkle.SmtHash;

/**
 * A child pointer in the sparse Merkle tree while it is being read or rewritten. A node is
 * either empty, a reference to a node already on disk ({@link Stored}, addressed by the version
 * that wrote it and its position), or a node created by the pending update ({@link NewLeaf},
 * {@link NewInner}) that gets written at the commit's version.
 */
sealed interface Node permits Node.Empty, Node.Stored, Node.NewLeaf, Node.NewInner {

    /** The node's Merkle hash (32 bytes; must not be modified). */
    byte[] hash();

    /** The empty subtree. */
    enum Empty implements Node {
        INSTANCE;

        private static final byte[] ZERO = SmtHash.empty();

        @Override
        public byte[] hash() {
            return ZERO;
        }
    }

    /**
     * A persisted node written at {@code version}. An inner node is addressed by its position
     * (known from the walk); a leaf by {@code keyHash}, which the parent carries, so a leaf can
     * move up or down the tree without being read or rewritten.
     */
    record Stored(long version, boolean leaf, byte[] hash, byte[] keyHash) implements Node {
        static Stored inner(long version, byte[] hash) {
            return new Stored(version, false, hash, null);
        }

        static Stored leaf(long version, byte[] hash, byte[] keyHash) {
            return new Stored(version, true, hash, keyHash);
        }
    }

    /** A leaf created by the pending update. */
    record NewLeaf(LeafData data, byte[] hash) implements Node {
        static NewLeaf of(LeafData data) {
            return new NewLeaf(data, SmtHash.leaf(data.keyHash(), data.valueHash()));
        }
    }

    /** An inner node created by the pending update. */
    record NewInner(Node left, Node right, byte[] hash) implements Node {
        static NewInner of(Node left, Node right) {
            return new NewInner(left, right, SmtHash.inner(left.hash(), right.hash()));
        }
    }

    /** Decoded content of a leaf: the key and value themselves, so old versions can be read. */
    record LeafData(byte[] keyHash, byte[] key, byte[] value, byte[] valueHash) {
    }

    /** Decoded content of an inner node: two children, each {@link Empty} or {@link Stored}. */
    record InnerData(Node left, Node right) {
    }
}
