package dev.teeledger.abci.hsm;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.teeledger.abci.manufacturer.ManufacturerKeeper;
import dev.teeledger.abci.state.KvReader;
import dev.teeledger.abci.state.KvStore;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads and writes HSM records and their index keys, keeping the indexes in step with the
 * record in the same write. Lists are paged by the last id seen, in ascending id order, so
 * deterministic. A stored value that does not decode halts the node ({@link IllegalStateException}).
 */
public final class HsmKeeper {
    /** Largest page {@link #byManufacturer} and {@link #byState} return. */
    public static final int MAX_PAGE = 100;
    private static final HexFormat HEX = HexFormat.of();

    private final KvReader reader;

    public HsmKeeper(KvReader reader) {
        this.reader = reader;
    }

    private KvStore writer() {
        if (reader instanceof KvStore store) {
            return store;
        }
        throw new IllegalStateException("read-only HSM keeper");
    }

    /** The record with this id, or null. */
    public HsmRecord find(byte[] hsmId) {
        byte[] raw = reader.get(HsmKeys.record(hsmId));
        if (raw == null) {
            return null;
        }
        try {
            return HsmRecord.parseFrom(raw);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt HSM record", e);
        }
    }

    /** Stores a new record (state PENDING or any) and both its index keys. */
    public void register(HsmRecord record) {
        byte[] id = record.getHsmId().toByteArray();
        KvStore store = writer();
        store.put(HsmKeys.record(id), record.toByteArray());
        store.put(HsmKeys.byManufacturer(record.getManufacturerId().toByteArray(), id), HsmKeys.INDEX_VALUE.clone());
        store.put(HsmKeys.byState(record.getState(), id), HsmKeys.INDEX_VALUE.clone());
    }

    /** Moves an existing HSM to {@code next}, moving its state index key; returns the new record. */
    public HsmRecord setState(HsmRecord current, HsmState next, long height) {
        byte[] id = current.getHsmId().toByteArray();
        HsmRecord updated = current.toBuilder().setState(next).setStateHeight(height).build();
        KvStore store = writer();
        store.delete(HsmKeys.byState(current.getState(), id));
        store.put(HsmKeys.byState(next, id), HsmKeys.INDEX_VALUE.clone());
        store.put(HsmKeys.record(id), updated.toByteArray());
        return updated;
    }

    /** Whether this HSM is trusted now ({@link HsmTrust}), reading its manufacturer's status. */
    public boolean isTrusted(byte[] hsmId) {
        HsmRecord r = find(hsmId);
        return r != null && HsmTrust.trusted(r, new ManufacturerKeeper(reader).find(r.getManufacturerId().toByteArray()));
    }

    /** Ids of the manufacturer's HSMs after {@code afterId} (null = from the start), at most {@code limit}. */
    public List<byte[]> byManufacturer(byte[] manufacturerId, byte[] afterId, int limit) {
        return page(HsmKeys.byManufacturerPrefix(manufacturerId), afterId, limit);
    }

    /** Ids of the HSMs in {@code state} after {@code afterId} (null = from the start), at most {@code limit}. */
    public List<byte[]> byState(HsmState state, byte[] afterId, int limit) {
        return page(HsmKeys.byStatePrefix(state), afterId, limit);
    }

    private List<byte[]> page(String prefix, byte[] afterId, int limit) {
        int max = Math.max(0, Math.min(limit, MAX_PAGE));
        String after = afterId == null ? null : HEX.formatHex(afterId);
        List<byte[]> out = new ArrayList<>();
        // The scan visits keys in ascending order; hex ids of equal length sort as the ids do.
        reader.scan(HsmKeys.utf8(prefix), (k, v) -> {
            String hex = new String(k, StandardCharsets.UTF_8).substring(prefix.length());
            if (out.size() < max && (after == null || hex.compareTo(after) > 0)) {
                out.add(HEX.parseHex(hex));
            }
        });
        return out;
    }
}
