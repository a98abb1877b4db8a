package dev.teeledger.abci.hsm;

import dev.teeledger.abci.state.KvStore;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/** An in-memory {@link KvStore} in unsigned key order that counts writes, for index tests. */
final class MapKvStore implements KvStore {
    final TreeMap<byte[], byte[]> map = new TreeMap<>(Arrays::compareUnsigned);
    int writes;

    @Override
    public byte[] get(byte[] key) {
        byte[] v = map.get(key);
        return v == null ? null : v.clone();
    }

    @Override
    public void scan(byte[] prefix, BiConsumer<byte[], byte[]> visitor) {
        for (Map.Entry<byte[], byte[]> e : new TreeMap<>(map.tailMap(prefix, true)).entrySet()) {
            byte[] k = e.getKey();
            if (k.length < prefix.length || !Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
                break;
            }
            visitor.accept(k.clone(), e.getValue().clone());
        }
    }

    @Override
    public void put(byte[] key, byte[] value) {
        writes++;
        map.put(key.clone(), value.clone());
    }

    @Override
    public void delete(byte[] key) {
        writes++;
        map.remove(key);
    }

    /** The content as sorted key=value hex lines, to compare two stores. */
    String dump() {
        StringBuilder b = new StringBuilder();
        java.util.HexFormat hex = java.util.HexFormat.of();
        map.forEach((k, v) -> b.append(hex.formatHex(k)).append('=').append(hex.formatHex(v)).append('\n'));
        return b.toString();
    }
}
