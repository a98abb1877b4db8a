package dev.teeledger.abci.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.app.BlockTime;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import tendermint.abci.Types.Event;

/** State moves, measured firmware and re-join bookkeeping in {@link HsmKeeper}, with their events. */
class HsmKeeperLifecycleTest {
    static final byte[] MID = filled(0xa1);
    static final byte[] OTHER_MID = filled(0xa2);

    static byte[] filled(int b) {
        byte[] x = new byte[32];
        Arrays.fill(x, (byte) b);
        return x;
    }

    static byte[] id(int n) {
        byte[] id = new byte[32];
        id[0] = 0x11;
        id[31] = (byte) n;
        return id;
    }

    static HsmRecord record(byte[] id, byte[] mid, HsmState state) {
        return HsmRecord.newBuilder().setHsmId(ByteString.copyFrom(id)).setManufacturerId(ByteString.copyFrom(mid))
                .setState(state).setJoinedHeight(1).setStateHeight(1).build();
    }

    static TxContext ctx(MapKvStore store, long height) {
        return new TxContext(height, new BlockTime(1_800_000_000L + height, 0), "test-chain", store);
    }

    static String attr(Event e, String key) {
        return e.getAttributesList().stream().filter(a -> a.getKey().equals(key)).findFirst().orElseThrow().getValue();
    }

    @Test
    void stateMovesUpdateTheRecordTheListsAndEmitAnEvent() {
        MapKvStore store = new MapKvStore();
        TxContext c = ctx(store, 5);
        HsmKeeper keeper = new HsmKeeper(c);
        keeper.register(record(id(1), MID, HsmState.HSM_STATE_PENDING));
        HsmRecord active = keeper.setState(keeper.find(id(1)), HsmState.HSM_STATE_ACTIVE, 5, "first attestation passed");
        assertThat(active.getState()).isEqualTo(HsmState.HSM_STATE_ACTIVE);
        assertThat(active.getStateHeight()).isEqualTo(5);
        assertThat(active.getStateReason()).isEqualTo("first attestation passed");
        assertThat(keeper.isMember(HsmKeys.byState(HsmState.HSM_STATE_ACTIVE), id(1))).isTrue();
        assertThat(keeper.isMember(HsmKeys.byState(HsmState.HSM_STATE_PENDING), id(1))).isFalse();
        assertThat(c.events()).hasSize(1);
        Event e = c.events().get(0);
        assertThat(e.getType()).isEqualTo("hsm.state_changed");
        assertThat(attr(e, "from")).isEqualTo("HSM_STATE_PENDING");
        assertThat(attr(e, "to")).isEqualTo("HSM_STATE_ACTIVE");
        assertThat(attr(e, "reason")).isEqualTo("first attestation passed");
        // The three-argument form (used by the attestation module) clears the reason.
        HsmRecord suspended = keeper.setState(active, HsmState.HSM_STATE_SUSPENDED, 6);
        assertThat(suspended.getStateReason()).isEmpty();
    }

    @Test
    void revokedIsFinalAndStaleOrForeignRecordsAreRefusedWithoutWriting() throws Exception {
        MapKvStore store = new MapKvStore();
        HsmKeeper keeper = new HsmKeeper(ctx(store, 5));
        keeper.register(record(id(1), MID, HsmState.HSM_STATE_PENDING));
        HsmRecord stale = keeper.find(id(1));
        keeper.recordMeasuredFirmware(id(1), List.of(filled(0xf1)), 5);
        HsmRecord revoked = keeper.setState(stale, HsmState.HSM_STATE_REVOKED, 5, "governance: test");
        // Revocation drops the measured firmware, so expiry never visits a revoked HSM.
        assertThat(keeper.count(HsmKeys.byFirmware(filled(0xf1)))).isZero();
        assertThat(keeper.measuredFirmware(id(1)).getHashesCount()).isZero();
        String before = store.dump();
        assertThatThrownBy(() -> keeper.setState(revoked, HsmState.HSM_STATE_ACTIVE, 6)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keeper.setState(stale, HsmState.HSM_STATE_ACTIVE, 6)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> keeper.setState(record(id(2), MID, HsmState.HSM_STATE_PENDING), HsmState.HSM_STATE_ACTIVE, 6))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> keeper.setState(revoked, HsmState.HSM_STATE_UNSPECIFIED, 6)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keeper.register(record(id(1), MID, HsmState.HSM_STATE_PENDING))).isInstanceOf(IllegalStateException.class);
        assertThat(store.dump()).isEqualTo(before);
    }

    @Test
    void measuredFirmwareReplacesThePreviousSetAndMovesTheFirmwareLists() throws Exception {
        MapKvStore store = new MapKvStore();
        TxContext c = ctx(store, 8);
        HsmKeeper keeper = new HsmKeeper(c);
        keeper.register(record(id(1), MID, HsmState.HSM_STATE_ACTIVE));
        byte[] a = filled(0x0a);
        byte[] b = filled(0x0b);
        byte[] d = filled(0x0d);
        keeper.recordMeasuredFirmware(id(1), List.of(b, a, b), 8);
        assertThat(keeper.measuredFirmware(id(1)).getHashesList()).extracting(ByteString::toByteArray).containsExactly(a, b);
        assertThat(keeper.isMember(HsmKeys.byFirmware(a), id(1))).isTrue();
        keeper.recordMeasuredFirmware(id(1), List.of(d, b), 9);
        assertThat(keeper.isMember(HsmKeys.byFirmware(a), id(1))).isFalse();
        assertThat(keeper.isMember(HsmKeys.byFirmware(b), id(1))).isTrue();
        assertThat(keeper.isMember(HsmKeys.byFirmware(d), id(1))).isTrue();
        assertThat(keeper.measuredFirmware(id(1)).getRecordedHeight()).isEqualTo(9);
        assertThat(c.events()).extracting(Event::getType).containsExactly("hsm.firmware_recorded", "hsm.firmware_recorded");
        assertThat(attr(c.events().get(1), "sha256s")).isEqualTo("0b".repeat(32) + "," + "0d".repeat(32));
    }

    @Test
    void badMeasuredFirmwareIsRejectedWithItsCodeAndWritesNothing() throws Exception {
        MapKvStore store = new MapKvStore();
        HsmKeeper keeper = new HsmKeeper(ctx(store, 3));
        keeper.register(record(id(1), MID, HsmState.HSM_STATE_ACTIVE));
        keeper.register(record(id(2), MID, HsmState.HSM_STATE_REVOKED));
        keeper.recordMeasuredFirmware(id(1), List.of(filled(1)), 3);
        String before = store.dump();
        List<byte[]> tooMany = new java.util.ArrayList<>();
        for (int i = 0; i <= HsmKeeper.MAX_MEASURED_FIRMWARE; i++) {
            tooMany.add(id(i));
        }
        Object[][] cases = {
            {id(9), List.of(filled(2)), ResultCode.HSM_NOT_REGISTERED},
            {new byte[31], List.of(filled(2)), ResultCode.HSM_NOT_REGISTERED},
            {id(2), List.of(filled(2)), ResultCode.HSM_ALREADY_REVOKED},
            {id(1), List.of(filled(2), new byte[31]), ResultCode.INVALID_FIRMWARE_HASH},
            {id(1), List.of(new byte[33]), ResultCode.INVALID_FIRMWARE_HASH},
            {id(1), tooMany, ResultCode.TOO_MANY_MEASURED_FIRMWARE},
        };
        for (Object[] k : cases) {
            @SuppressWarnings("unchecked")
            List<byte[]> hashes = (List<byte[]>) k[1];
            assertThatThrownBy(() -> keeper.recordMeasuredFirmware((byte[]) k[0], hashes, 4))
                    .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.code()).isEqualTo(k[2]));
        }
        assertThat(store.dump()).isEqualTo(before);
    }

    @Test
    void firmwareAwareTrustEndsWithTheApprovalEvenBeforeTheSuspension() throws Exception {
        MapKvStore store = new MapKvStore();
        new dev.teeledger.abci.manufacturer.ManufacturerKeeper(store).put(dev.teeledger.protocol.state.v1.ManufacturerRecord.newBuilder()
                .setId(ByteString.copyFrom(MID)).setStatus(dev.teeledger.protocol.state.v1.ManufacturerStatus.MANUFACTURER_STATUS_ACTIVE).build());
        new dev.teeledger.abci.firmware.FirmwareKeeper(store).put(dev.teeledger.protocol.state.v1.FirmwareRecord.newBuilder()
                .setSha256(ByteString.copyFrom(filled(0x0f))).setValidFromHeight(2).setValidUntilHeight(10).build());
        HsmKeeper keeper = new HsmKeeper(ctx(store, 3));
        keeper.register(record(id(1), MID, HsmState.HSM_STATE_ACTIVE));
        keeper.register(record(id(2), MID, HsmState.HSM_STATE_ACTIVE));
        keeper.recordMeasuredFirmware(id(1), List.of(filled(0x0f)), 3);
        keeper.recordMeasuredFirmware(id(2), List.of(filled(0x0f), filled(0x0e)), 3);   // 0e never approved
        assertThat(keeper.isTrustedAt(id(1), 9)).isTrue();
        assertThat(keeper.isTrustedAt(id(1), 10)).isFalse();
        assertThat(keeper.isTrusted(id(1))).isTrue();                 // the record-only rule
        assertThat(keeper.isTrustedAt(id(2), 9)).isFalse();
        assertThat(keeper.isTrustedAt(id(3), 9)).isFalse();
    }

    @Test
    void rejoinMovesTheHsmToItsNewManufacturerAsPendingAndDropsItsMeasuredFirmware() throws Exception {
        MapKvStore store = new MapKvStore();
        HsmKeeper keeper = new HsmKeeper(ctx(store, 4));
        keeper.register(record(id(1), MID, HsmState.HSM_STATE_ACTIVE));
        keeper.register(record(id(2), MID, HsmState.HSM_STATE_ACTIVE));
        keeper.recordMeasuredFirmware(id(1), List.of(filled(0x0c)), 4);
        HsmRecord next = record(id(1), OTHER_MID, HsmState.HSM_STATE_PENDING).toBuilder().setJoinedHeight(9).setStateHeight(9).build();
        keeper.rejoin(keeper.find(id(1)), next);
        assertThat(keeper.find(id(1))).isEqualTo(next);
        assertThat(keeper.page(HsmKeys.byManufacturer(MID), 0)).containsExactly(id(2));
        assertThat(keeper.page(HsmKeys.byManufacturer(OTHER_MID), 0)).containsExactly(id(1));
        assertThat(keeper.page(HsmKeys.byState(HsmState.HSM_STATE_ACTIVE), 0)).containsExactly(id(2));
        assertThat(keeper.page(HsmKeys.byState(HsmState.HSM_STATE_PENDING), 0)).containsExactly(id(1));
        assertThat(keeper.count(HsmKeys.byFirmware(filled(0x0c)))).isZero();
        assertThat(store.get(HsmKeys.measured(id(1)))).isNull();
    }
}
