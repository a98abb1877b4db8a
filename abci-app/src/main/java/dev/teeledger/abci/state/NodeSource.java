package dev.teeledger.abci.state;

/**
 * Where the tree algorithms read persisted nodes from: RocksDB behind an LRU cache in
 * {@link MerkleStore}, a map in tests. Implementations must be thread-safe.
 */
interface NodeSource {

    /**
     * The decoded content of {@code node} of {@code tree} (the top-level tree
     * {@link NodeCodec#TOP} or a sub-store code), which sits at {@code depth} on {@code path} (only the
     * first {@code depth} bits of {@code path} matter, and only for inner nodes): a
     * {@link Node.LeafData} or {@link Node.InnerData}.
     *
     * @throws StoreException if the node is missing (pruned version or corrupt store)
     */
    Object load(int tree, Node.Stored node, int depth, byte[] path) throws StoreException;
}
