package dev.teeledger.abci.state;

/** Counts stored tree nodes by walking the nodes column family (test helper). */
final class NodeCounter {

    private NodeCounter() {
    }

    static long count(MerkleStore store) {
        return store.storedNodeCount();
    }

    /** Nodes of one tree: a sub-store code, or {@link NodeCodec#TOP}. */
    static long count(MerkleStore store, int tree) {
        return store.storedNodeCount(tree);
    }
}
