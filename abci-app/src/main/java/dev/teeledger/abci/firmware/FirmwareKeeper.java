package dev.teeledger.abci.firmware;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.teeledger.abci.state.KvReader;
import dev.teeledger.abci.state.KvStore;
import dev.teeledger.protocol.state.v1.FirmwareRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads and writes allow-list entries and answers whether a binary is approved at a height
 * ({@link #approvedAt}), the rule the attestation module applies to reported measurements.
 * A stored value that does not decode halts the node ({@link IllegalStateException}).
 */
public final class FirmwareKeeper {
    private final KvReader reader;

    public FirmwareKeeper(KvReader reader) {
        this.reader = reader;
    }

    /** The entry for this hash, or null. */
    public FirmwareRecord find(byte[] sha256) {
        byte[] raw = reader.get(FirmwareKeys.record(sha256));
        if (raw == null) {
            return null;
        }
        try {
            return FirmwareRecord.parseFrom(raw);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt firmware record", e);
        }
    }

    public void put(FirmwareRecord record) {
        writer().put(FirmwareKeys.record(record.getSha256().toByteArray()), record.toByteArray());
    }

    private KvStore writer() {
        if (!(reader instanceof KvStore store)) {
            throw new IllegalStateException("read-only firmware keeper");
        }
        return store;
    }

    /** Notes that the entry stops being approved at {@code height} (its valid-until or retire height). */
    public void scheduleEnd(byte[] sha256, long height) {
        writer().put(FirmwareKeys.end(height, sha256), FirmwareKeys.END_VALUE.clone());
    }

    /** Withdraws an end noted by {@link #scheduleEnd} (a retire before the valid-until height). */
    public void unscheduleEnd(byte[] sha256, long height) {
        writer().delete(FirmwareKeys.end(height, sha256));
    }

    /**
     * Hashes of the entries that stop being approved at {@code height}, ascending. One prefix
     * scan over that height's end keys only, so the cost is the number of entries ending then.
     */
    public List<byte[]> endingAt(long height) {
        String prefix = FirmwareKeys.endsAt(height);
        List<byte[]> out = new ArrayList<>();
        reader.scan(prefix.getBytes(StandardCharsets.UTF_8), (k, v) ->
                out.add(HexFormat.of().parseHex(new String(k, StandardCharsets.UTF_8).substring(prefix.length()))));
        return out;
    }

    /** Whether the binary with this hash is approved at {@code height} (see {@link #approvedAt(FirmwareRecord, long)}). */
    public boolean isApproved(byte[] sha256, long height) {
        FirmwareRecord r = find(sha256);
        return r != null && approvedAt(r, height);
    }

    /**
     * The allow-list rule: an entry is approved at height h iff
     * {@code valid_from ≤ h}, {@code valid_until = 0 or h < valid_until}, and it is not retired
     * at or before h ({@code retired_height = 0 or h < retired_height}). Pure, so clients
     * apply it to a proven record at any height and get the chain's answer.
     */
    public static boolean approvedAt(FirmwareRecord r, long height) {
        return height >= 0 && Long.compareUnsigned(height, r.getValidFromHeight()) >= 0
                && (r.getValidUntilHeight() == 0 || Long.compareUnsigned(height, r.getValidUntilHeight()) < 0)
                && (r.getRetiredHeight() == 0 || height < r.getRetiredHeight());
    }
}
