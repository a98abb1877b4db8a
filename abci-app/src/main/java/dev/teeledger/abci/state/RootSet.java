package dev.teeledger.abci.state;

import dev.teeledger.protocol.merkle.SubStore;

/**
 * The roots of one version of the state (ADR 0010): the top-level tree, whose hash is the app
 * hash, and the tree of every {@link SubStore}. Nodes may be stored references or, inside a
 * pending update, new in-memory nodes. Immutable: the array is never written after
 * construction and never handed out.
 *
 * @param top the top-level tree mapping sub-store names to sub-store roots
 * @param stores the sub-store roots, indexed by {@link SubStore#ordinal()}
 */
record RootSet(Node top, Node[] stores) {

    /** The state before the first commit: every tree empty, including the top-level one. */
    static RootSet empty() {
        Node[] roots = new Node[SubStore.values().length];
        java.util.Arrays.fill(roots, Node.Empty.INSTANCE);
        return new RootSet(Node.Empty.INSTANCE, roots);
    }

    Node store(SubStore s) {
        return stores[s.ordinal()];
    }

    /** The same roots as persisted references at {@code version}. */
    RootSet asStored(long version) {
        Node[] roots = new Node[stores.length];
        for (int i = 0; i < roots.length; i++) {
            roots[i] = TreeUpdate.asStored(stores[i], version);
        }
        return new RootSet(TreeUpdate.asStored(top, version), roots);
    }
}
