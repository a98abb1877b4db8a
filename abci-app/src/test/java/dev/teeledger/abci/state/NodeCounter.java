package dev.teeledger.abci.state;

/** Counts stored tree nodes by walking the nodes column family (test helper). */
final class NodeCounter {

    private NodeCounter() {
    }

    static long count(MerkleStore store) {
        return store.storedNodeCount();
    }
}
