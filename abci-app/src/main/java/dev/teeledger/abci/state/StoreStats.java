package dev.teeledger.abci.state;

/**
 * A snapshot of store figures for metrics (Prometheus gauges) and operations.
 *
 * @param version last committed version (0 if none)
 * @param oldestRetainedVersion oldest version still queryable (0 if none)
 * @param keyCount number of keys in the committed state
 * @param approximateDiskBytes RocksDB's estimate of SST files plus memtables, all column families
 * @param cachedNodes decoded tree nodes currently held in memory
 * @param pruneFailures how many pruning passes failed since open (each is retried next commit)
 * @param nodeDiskReads tree nodes read from RocksDB since open (node cache misses)
 * @param cachedValues latest values (or known absences) held by the value cache
 * @param backgroundJobs RocksDB flushes and compactions running or pending now; benchmarks
 *     wait for 0 so that they do not measure compaction competing for the CPU
 */
public record StoreStats(long version, long oldestRetainedVersion, long keyCount,
        long approximateDiskBytes, int cachedNodes, long pruneFailures, long nodeDiskReads,
        int cachedValues, int backgroundJobs) {
}
