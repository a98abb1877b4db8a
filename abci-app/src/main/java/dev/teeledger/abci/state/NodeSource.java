package dev.teeledger.abci.state;

/**
 * Where the tree algorithms read persisted nodes from: RocksDB behind an LRU cache in
 * {@link MerkleStore}, a map in tests. Implementations must be thread-safe.
 */
interface NodeSource {

    /**
     * The decoded node written at {@code version} at {@code depth} on {@code path} (only the
     * first {@code depth} bits of {@code path} matter): a {@link Node.LeafData} or
     * {@link Node.InnerData}.
     *
     * @throws StoreException if the node is missing (pruned version or corrupt store)
     */
    Object load(long version, int depth, byte[] path) throws StoreException;
}
