package dev.teeledger.abci.state;

import java.util.Objects;

/**
 * Tuning of a {@link MerkleStore}, given to {@link MerkleStore#open}. None of it affects the
 * root hash: two stores with different settings fed the same commits have the same roots.
 *
 * @param keepRecentVersions how many of the newest versions stay queryable (0 = keep all); a
 *     commit of version {@code v} prunes versions below {@code v - keepRecentVersions + 1}
 * @param nodeCacheSize number of decoded tree nodes kept in memory (LRU); the upper levels of
 *     the tree are read by every commit and proof, so a few hundred thousand nodes suffice
 * @param blockCacheBytes size of RocksDB's block cache shared by all column families
 * @param faultInjector test hook; {@link FaultInjector#NONE} in production
 */
public record StoreConfig(int keepRecentVersions, int nodeCacheSize, long blockCacheBytes,
        FaultInjector faultInjector) {

    public StoreConfig {
        if (keepRecentVersions < 0) {
            throw new IllegalArgumentException("keepRecentVersions must be >= 0");
        }
        if (nodeCacheSize < 0) {
            throw new IllegalArgumentException("nodeCacheSize must be >= 0");
        }
        if (blockCacheBytes < 0) {
            throw new IllegalArgumentException("blockCacheBytes must be >= 0");
        }
        Objects.requireNonNull(faultInjector, "faultInjector");
    }

    /** Keeps {@code keepRecentVersions}, 250,000 cached nodes, 128 MiB block cache. */
    public static StoreConfig keepRecent(int keepRecentVersions) {
        return new StoreConfig(keepRecentVersions, 250_000, 128L << 20, FaultInjector.NONE);
    }

    /** Keeps every version. */
    public static StoreConfig defaults() {
        return keepRecent(0);
    }

    public StoreConfig withNodeCacheSize(int size) {
        return new StoreConfig(keepRecentVersions, size, blockCacheBytes, faultInjector);
    }

    public StoreConfig withBlockCacheBytes(long bytes) {
        return new StoreConfig(keepRecentVersions, nodeCacheSize, bytes, faultInjector);
    }

    public StoreConfig withFaultInjector(FaultInjector injector) {
        return new StoreConfig(keepRecentVersions, nodeCacheSize, blockCacheBytes, injector);
    }
}
