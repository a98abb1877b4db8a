package dev.teeledger.abci.manufacturer;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.teeledger.abci.state.KvReader;
import dev.teeledger.abci.state.KvStore;
import dev.teeledger.protocol.state.v1.ManufacturerRecord;
import dev.teeledger.protocol.state.v1.ManufacturerStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes manufacturer records. The HSM registry reads the active roots through
 * {@link #active()} at join and a manufacturer's status through {@link #find(byte[])} when it
 * derives trust. A stored value that does not decode is a broken invariant and halts the node
 * ({@link IllegalStateException}).
 */
public final class ManufacturerKeeper {
    private final KvReader reader;

    /** Read-only access; write methods throw if the reader cannot write. */
    public ManufacturerKeeper(KvReader reader) {
        this.reader = reader;
    }

    /** The record with this id, or null. */
    public ManufacturerRecord find(byte[] id) {
        return decode(reader.get(ManufacturerKeys.record(id)));
    }

    public void put(ManufacturerRecord record) {
        if (!(reader instanceof KvStore store)) {
            throw new IllegalStateException("read-only manufacturer keeper");
        }
        store.put(ManufacturerKeys.record(record.getId().toByteArray()), record.toByteArray());
    }

    /** Every active manufacturer, in ascending id order (the store's key order), so deterministic. */
    public List<ManufacturerRecord> active() {
        List<ManufacturerRecord> out = new ArrayList<>();
        reader.scan(ManufacturerKeys.prefix(), (k, v) -> {
            ManufacturerRecord r = decode(v);
            if (r.getStatus() == ManufacturerStatus.MANUFACTURER_STATUS_ACTIVE) {
                out.add(r);
            }
        });
        return out;
    }

    private static ManufacturerRecord decode(byte[] raw) {
        if (raw == null) {
            return null;
        }
        try {
            return ManufacturerRecord.parseFrom(raw);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt manufacturer record", e);
        }
    }
}
