package dev.teeledger.abci.state;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The latest committed value of recently used keys, in memory, so that hot records (credit's
 * index and supply, governance parameters, nonces) are read in O(1) whatever the size of the
 * state, without a RocksDB lookup through an LSM tree that grows with it. Owned by one
 * {@link MerkleStore}; it starts empty at every open, so a reopen or a crash can never serve a
 * value from before. Bounded by bytes (LRU); values above a size limit are not kept.
 *
 * <p>Consistency with the flat table: {@link MerkleStore#commit} calls {@link #committed} only
 * after its synced write returned, so a failed commit leaves the cache as it was. A reader that
 * missed fills the cache with what it read from RocksDB only if no commit was published since
 * it started ({@link #generation()}), so a value read just before a commit cannot overwrite the
 * commit's newer value. Thread-safe (one monitor; every operation is a few map accesses).
 */
final class ValueCache {

    /** Marks "known absent"; compared by identity. */
    static final byte[] ABSENT = new byte[0];

    /** Per-entry bookkeeping estimate (map entry, ByteBuffer, arrays' headers). */
    private static final int OVERHEAD = 96;

    private final long capacityBytes;
    private final int maxValueBytes;
    private final LinkedHashMap<ByteBuffer, byte[]> map = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;
    private long generation;

    /**
     * @param capacityBytes total estimated size of the entries kept (0 disables the cache)
     * @param maxValueBytes values larger than this are not cached
     */
    ValueCache(long capacityBytes, int maxValueBytes) {
        this.capacityBytes = capacityBytes;
        this.maxValueBytes = maxValueBytes;
    }

    /**
     * The cached latest value of {@code key}: the stored array (callers copy it before handing
     * it out), {@link #ABSENT} when the key is known to be absent, or null on a miss.
     */
    synchronized byte[] get(byte[] key) {
        return capacityBytes == 0 ? null : map.get(ByteBuffer.wrap(key));
    }

    /** Incremented by every published commit; a fill carries the value it saw before reading. */
    synchronized long generation() {
        return generation;
    }

    /** Caches {@code valueOrNull} read from the flat table, unless a commit happened since. */
    synchronized void fill(byte[] key, byte[] valueOrNull, long seenGeneration) {
        if (seenGeneration == generation) {
            put(key.clone(), valueOrNull == null ? ABSENT : valueOrNull.clone());
        }
    }

    /**
     * Publishes a commit's changes ({@link WorkingSet#TOMBSTONE} deletes); call after the write
     * is durable. Writes through, so the next block reads what this one wrote without RocksDB.
     */
    synchronized void committed(NavigableMap<byte[], byte[]> changes) {
        generation++;
        if (capacityBytes == 0) {
            return;
        }
        for (Map.Entry<byte[], byte[]> e : changes.entrySet()) {
            byte[] v = e.getValue();
            // The working set's arrays are private copies that die with it; no clone needed.
            put(e.getKey(), v == WorkingSet.TOMBSTONE ? ABSENT : v);
        }
    }

    synchronized int size() {
        return map.size();
    }

    private void put(byte[] key, byte[] value) {
        if (capacityBytes == 0) {
            return;
        }
        ByteBuffer k = ByteBuffer.wrap(key);
        byte[] old;
        if (value.length > maxValueBytes) {
            old = map.remove(k);
        } else {
            old = map.put(k, value);
            bytes += weight(key, value);
        }
        if (old != null) {
            bytes -= weight(key, old);
        }
        var it = map.entrySet().iterator();
        while (bytes > capacityBytes && it.hasNext()) {
            Map.Entry<ByteBuffer, byte[]> eldest = it.next();
            bytes -= weight(eldest.getKey().array(), eldest.getValue());
            it.remove();
        }
    }

    private static long weight(byte[] key, byte[] value) {
        return OVERHEAD + key.length + value.length;
    }
}
