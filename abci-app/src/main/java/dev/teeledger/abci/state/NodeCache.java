package dev.teeledger.abci.state;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bounded LRU cache of decoded tree nodes keyed by their storage key. Nodes are immutable
 * under a given key, so entries never need invalidation; pruned nodes simply age out. Every
 * commit reads the top of the tree, which therefore stays in memory. Thread-safe.
 */
final class NodeCache {

    private final int capacity;
    private final LinkedHashMap<ByteBuffer, Object> map;

    NodeCache(int capacity) {
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Object> eldest) {
                return size() > NodeCache.this.capacity;
            }
        };
    }

    synchronized Object get(byte[] nodeKey) {
        return capacity == 0 ? null : map.get(ByteBuffer.wrap(nodeKey));
    }

    synchronized void put(byte[] nodeKey, Object decoded) {
        if (capacity > 0) {
            map.put(ByteBuffer.wrap(nodeKey), decoded);
        }
    }

    synchronized int size() {
        return map.size();
    }
}
