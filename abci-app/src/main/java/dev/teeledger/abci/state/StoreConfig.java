package dev.teeledger.abci.state;

import java.util.Objects;

/**
 * Tuning of a {@link MerkleStore}, given to {@link MerkleStore#open}. None of it affects the
 * root hash: two stores with different settings fed the same commits have the same roots.
 *
 * @param keepRecentVersions how many of the newest versions stay queryable (0 = keep all); a
 *     commit of version {@code v} prunes versions below {@code v - keepRecentVersions + 1}
 * @param nodeCacheSize number of decoded tree nodes kept in memory (LRU); the upper levels of
 *     the trees are read by every commit and proof, so a few hundred thousand nodes suffice
 * @param blockCacheBytes size of RocksDB's block cache shared by all column families
 * @param valueCacheBytes memory for the latest values of recently read or written keys (LRU,
 *     estimated bytes; 0 disables it), so hot records are read without RocksDB
 * @param faultInjector test hook; {@link FaultInjector#NONE} in production
 */
public record StoreConfig(int keepRecentVersions, int nodeCacheSize, long blockCacheBytes,
        long valueCacheBytes, FaultInjector faultInjector) {

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
        if (valueCacheBytes < 0) {
            throw new IllegalArgumentException("valueCacheBytes must be >= 0");
        }
        Objects.requireNonNull(faultInjector, "faultInjector");
    }

    /**
     * Keeps {@code keepRecentVersions}, 250,000 cached nodes, 128 MiB block cache, 32 MiB of
     * cached values.
     */
    public static StoreConfig keepRecent(int keepRecentVersions) {
        return new StoreConfig(keepRecentVersions, 250_000, 128L << 20, 32L << 20,
                FaultInjector.NONE);
    }

    /** Keeps every version. */
    public static StoreConfig defaults() {
        return keepRecent(0);
    }

    public StoreConfig withNodeCacheSize(int size) {
        return new StoreConfig(keepRecentVersions, size, blockCacheBytes, valueCacheBytes,
                faultInjector);
    }

    public StoreConfig withBlockCacheBytes(long bytes) {
        return new StoreConfig(keepRecentVersions, nodeCacheSize, bytes, valueCacheBytes,
                faultInjector);
    }

    public StoreConfig withValueCacheBytes(long bytes) {
        return new StoreConfig(keepRecentVersions, nodeCacheSize, blockCacheBytes, bytes,
                faultInjector);
    }

    public StoreConfig withFaultInjector(FaultInjector injector) {
        return new StoreConfig(keepRecentVersions, nodeCacheSize, blockCacheBytes,
                valueCacheBytes, injector);
    }
}
