package dev.teeledger.abci.hsm;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.firmware.FirmwareKeeper;
import dev.teeledger.abci.manufacturer.ManufacturerKeeper;
import dev.teeledger.abci.state.KvReader;
import dev.teeledger.abci.state.KvStore;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.FirmwareExpiryWork;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.MeasuredFirmware;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * Reads and writes HSM records and everything indexed from them: the paged lists by
 * manufacturer, by state and by measured firmware ({@link PagedIdIndex}), the measured-firmware
 * records and the firmware-expiry work queue. Every write keeps the record and its list
 * memberships in step, in the same store branch, at O(1) records per list change.
 *
 * <p>Callers: the join and revoke handlers ({@link HsmTxHandler}), the end-of-block
 * {@link FirmwareExpiry}, the attestation module ({@link #find}, {@link #setState},
 * {@link #recordMeasuredFirmware}) and queries. Constructed with a {@link TxContext}, every state
 * change also emits its typed event ({@code hsm.state_changed}, {@code hsm.firmware_recorded});
 * constructed with a bare {@link KvReader} it still writes when the reader is a {@link KvStore}
 * but emits nothing, so block execution should use the context form. A stored value that does
 * not decode, or a caller breaking an invariant (a stale record, leaving REVOKED), halts the node
 * ({@link IllegalStateException} / {@link IllegalArgumentException}).
 */
public final class HsmKeeper {
    /** Most distinct hashes {@link #recordMeasuredFirmware} keeps for one HSM. */
    public static final int MAX_MEASURED_FIRMWARE = 64;
    private static final HexFormat HEX = HexFormat.of();

    private final KvReader reader;
    private final TxContext ctx;
    private final PagedIdIndex index;

    /** Reads; writes without events if {@code reader} is a {@link KvStore}. */
    public HsmKeeper(KvReader reader) {
        this.reader = reader;
        this.ctx = null;
        this.index = new PagedIdIndex(reader);
    }

    /** Reads and writes the context's store; state changes emit events to the context. */
    public HsmKeeper(TxContext ctx) {
        this.reader = ctx.store();
        this.ctx = ctx;
        this.index = new PagedIdIndex(reader);
    }

    private KvStore writer() {
        if (reader instanceof KvStore store) {
            return store;
        }
        throw new IllegalStateException("read-only HSM keeper");
    }

    private void emit(String type, String... keyValues) {
        if (ctx != null) {
            ctx.emit(type, keyValues);
        }
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

    /** Stores a new record and adds it to its manufacturer's and its state's list. */
    public void register(HsmRecord record) {
        byte[] id = record.getHsmId().toByteArray();
        requireListedState(record.getState());
        if (reader.get(HsmKeys.record(id)) != null) {
            throw new IllegalStateException("HSM " + HEX.formatHex(id) + " is already registered");
        }
        long height = record.getStateHeight();
        writer().put(HsmKeys.record(id), record.toByteArray());
        index.add(HsmKeys.byManufacturer(record.getManufacturerId().toByteArray()), id, height);
        index.add(HsmKeys.byState(record.getState()), id, height);
    }

    /**
     * Replaces the record of an HSM that re-joins (docs/registry.md, "Re-join"): the previous
     * record leaves its manufacturer's and state's lists and its measured firmware is dropped
     * (the new AK has not been attested), then {@code next} is registered.
     */
    public void rejoin(HsmRecord previous, HsmRecord next) {
        byte[] id = previous.getHsmId().toByteArray();
        if (!next.getHsmId().equals(previous.getHsmId())) {
            throw new IllegalArgumentException("a re-join keeps the HSM id");
        }
        requireStored(previous);
        long height = next.getStateHeight();
        clearMeasuredFirmware(id, height);
        index.remove(HsmKeys.byManufacturer(previous.getManufacturerId().toByteArray()), id, height);
        index.remove(HsmKeys.byState(previous.getState()), id, height);
        writer().delete(HsmKeys.record(id));
        register(next);
    }

    /** {@link #setState(HsmRecord, HsmState, long, String)} without a reason. */
    public HsmRecord setState(HsmRecord current, HsmState next, long height) {
        return setState(current, next, height, "");
    }

    /**
     * Moves an HSM to {@code next}: updates the record (state, state height, reason), moves it
     * between the by-state lists and emits {@code hsm.state_changed}. Entering REVOKED also
     * drops its measured firmware (a revoked HSM is never suspended). A move to the state it is
     * already in changes nothing and returns the stored record.
     *
     * @param current the stored record, as {@link #find} returned it in this block
     * @throws IllegalArgumentException if {@code next} is not PENDING/ACTIVE/SUSPENDED/REVOKED or
     *     the HSM is REVOKED (final)
     * @throws IllegalStateException if {@code current} is not what is stored
     */
    public HsmRecord setState(HsmRecord current, HsmState next, long height, String reason) {
        requireListedState(next);
        HsmRecord stored = requireStored(current);
        if (stored.getState() == next) {
            return stored;
        }
        if (stored.getState() == HsmState.HSM_STATE_REVOKED) {
            throw new IllegalArgumentException("REVOKED is final");
        }
        byte[] id = stored.getHsmId().toByteArray();
        HsmRecord updated = stored.toBuilder().setState(next).setStateHeight(height).setStateReason(reason).build();
        if (next == HsmState.HSM_STATE_REVOKED) {
            clearMeasuredFirmware(id, height);
        }
        index.remove(HsmKeys.byState(stored.getState()), id, height);
        index.add(HsmKeys.byState(next), id, height);
        writer().put(HsmKeys.record(id), updated.toByteArray());
        emit("hsm.state_changed", "hsm_id", HEX.formatHex(id), "from", stored.getState().name(), "to", next.name(),
                "height", Long.toString(height), "reason", reason);
        return updated;
    }

    /**
     * Records the firmware / system-wasm hashes the HSM was last attested running, replacing
     * the previous set, and moves its memberships of the by-firmware lists to match (at most
     * {@value #MAX_MEASURED_FIRMWARE} adds and removes). The attestation module calls it after a
     * passing round; when an allow-list entry later stops being approved, {@link FirmwareExpiry}
     * suspends the ACTIVE HSMs recorded here as running it. Duplicates are merged; order does not
     * matter. Whether the hashes are approved is the caller's rule, not checked here.
     *
     * @throws Rejection HSM_NOT_REGISTERED, HSM_ALREADY_REVOKED, INVALID_FIRMWARE_HASH (not 32
     *     bytes) or TOO_MANY_MEASURED_FIRMWARE; nothing is written then
     */
    public MeasuredFirmware recordMeasuredFirmware(byte[] hsmId, List<byte[]> sha256s, long height) throws Rejection {
        HsmRecord rec = hsmId == null || hsmId.length != 32 ? null : find(hsmId);
        if (rec == null) {
            throw new Rejection(ResultCode.HSM_NOT_REGISTERED, hsmId == null ? "null" : HEX.formatHex(hsmId));
        }
        if (rec.getState() == HsmState.HSM_STATE_REVOKED) {
            throw new Rejection(ResultCode.HSM_ALREADY_REVOKED, HEX.formatHex(hsmId));
        }
        TreeSet<String> next = new TreeSet<>();
        for (byte[] sha : sha256s) {
            if (sha == null || sha.length != 32) {
                throw new Rejection(ResultCode.INVALID_FIRMWARE_HASH, (sha == null ? 0 : sha.length) + " bytes");
            }
            next.add(HEX.formatHex(sha)); // lower-case hex sorts as the unsigned bytes do
        }
        if (next.size() > MAX_MEASURED_FIRMWARE) {
            throw new Rejection(ResultCode.TOO_MANY_MEASURED_FIRMWARE, next.size() + " distinct hashes");
        }
        TreeSet<String> previous = new TreeSet<>();
        measuredFirmware(hsmId).getHashesList().forEach(b -> previous.add(HEX.formatHex(b.toByteArray())));
        for (String old : previous) {
            if (!next.contains(old)) {
                index.remove(HsmKeys.byFirmware(HEX.parseHex(old)), hsmId, height);
            }
        }
        for (String added : next) {
            if (!previous.contains(added)) {
                index.add(HsmKeys.byFirmware(HEX.parseHex(added)), hsmId, height);
            }
        }
        MeasuredFirmware.Builder record = MeasuredFirmware.newBuilder().setRecordedHeight(height);
        next.forEach(h -> record.addHashes(ByteString.copyFrom(HEX.parseHex(h))));
        MeasuredFirmware built = record.build();
        writer().put(HsmKeys.measured(hsmId), built.toByteArray());
        emit("hsm.firmware_recorded", "hsm_id", HEX.formatHex(hsmId), "sha256s", String.join(",", next),
                "height", Long.toString(height));
        return built;
    }

    /** The hashes last recorded for this HSM; the empty default if none. */
    public MeasuredFirmware measuredFirmware(byte[] hsmId) {
        byte[] raw = reader.get(HsmKeys.measured(hsmId));
        if (raw == null) {
            return MeasuredFirmware.getDefaultInstance();
        }
        try {
            return MeasuredFirmware.parseFrom(raw);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt measured firmware record", e);
        }
    }

    private void clearMeasuredFirmware(byte[] hsmId, long height) {
        for (ByteString sha : measuredFirmware(hsmId).getHashesList()) {
            index.remove(HsmKeys.byFirmware(sha.toByteArray()), hsmId, height);
        }
        writer().delete(HsmKeys.measured(hsmId));
    }

    /** Whether this HSM is trusted now ({@link HsmTrust}), reading its manufacturer's status. */
    public boolean isTrusted(byte[] hsmId) {
        HsmRecord r = find(hsmId);
        return r != null && HsmTrust.trusted(r, new ManufacturerKeeper(reader).find(r.getManufacturerId().toByteArray()));
    }

    /** {@link #isTrusted} and every hash in its measured firmware approved at {@code height}. */
    public boolean isTrustedAt(byte[] hsmId, long height) {
        HsmRecord r = find(hsmId);
        FirmwareKeeper firmware = new FirmwareKeeper(reader);
        return r != null && HsmTrust.trusted(r, new ManufacturerKeeper(reader).find(r.getManufacturerId().toByteArray()),
                measuredFirmware(hsmId), sha -> firmware.find(sha.toByteArray()), height);
    }

    /** Number of HSMs in a list ({@link HsmKeys#byManufacturer}, {@link HsmKeys#byState}, {@link HsmKeys#byFirmware}). */
    public long count(String list) {
        return index.count(list);
    }

    /**
     * Page {@code n} of a list: the ids at positions {@code n·PAGE_SIZE ..}, at most
     * {@link HsmKeys#PAGE_SIZE}; empty past the last page. The same value, with its proof, is
     * the query {@code /hsm/page/<list>/<n>}.
     */
    public List<byte[]> page(String list, long n) {
        return index.page(list, n);
    }

    /** Whether the HSM is in the list. */
    public boolean isMember(String list, byte[] hsmId) {
        return index.contains(list, hsmId);
    }

    // --- firmware-expiry work queue, driven by FirmwareExpiry ---

    void putExpiryWork(FirmwareExpiryWork work) {
        writer().put(HsmKeys.expiry(work.getEndedHeight(), work.getSha256().toByteArray()), work.toByteArray());
    }

    void deleteExpiryWork(FirmwareExpiryWork work) {
        writer().delete(HsmKeys.expiry(work.getEndedHeight(), work.getSha256().toByteArray()));
    }

    /** The queued work in key order (end height, then hash): the order it is done in. */
    List<FirmwareExpiryWork> expiryWork() {
        List<FirmwareExpiryWork> out = new ArrayList<>();
        reader.scan(HsmKeys.EXPIRY_PREFIX.getBytes(StandardCharsets.UTF_8), (k, v) -> {
            try {
                out.add(FirmwareExpiryWork.parseFrom(v));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("corrupt firmware expiry work", e);
            }
        });
        return out;
    }

    private HsmRecord requireStored(HsmRecord current) {
        HsmRecord stored = find(current.getHsmId().toByteArray());
        if (stored == null || stored.getState() != current.getState()
                || !Arrays.equals(stored.getManufacturerId().toByteArray(), current.getManufacturerId().toByteArray())) {
            throw new IllegalStateException("HSM record " + HEX.formatHex(current.getHsmId().toByteArray())
                    + " is not the stored one (stale or unknown)");
        }
        return stored;
    }

    private static void requireListedState(HsmState state) {
        if (state != HsmState.HSM_STATE_PENDING && state != HsmState.HSM_STATE_ACTIVE
                && state != HsmState.HSM_STATE_SUSPENDED && state != HsmState.HSM_STATE_REVOKED) {
            throw new IllegalArgumentException("not an HSM lifecycle state: " + state);
        }
    }
}
