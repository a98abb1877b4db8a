package dev.teeledger.abci.hsm;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.firmware.FirmwareKeeper;
import dev.teeledger.protocol.state.v1.FirmwareRecord;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tendermint.abci.Types.Event;

/**
 * End-of-block suspension when an allow-list entry stops being approved: only ACTIVE HSMs
 * recorded as running it move, work beyond the per-block bound carries over, and list changes
 * between blocks neither skip nor break the remaining work.
 */
class FirmwareExpiryTest {
    static final byte[] MID = HsmKeeperLifecycleTest.filled(0xa1);
    static final byte[] FW = HsmKeeperLifecycleTest.filled(0xf0);
    static final byte[] OTHER_FW = HsmKeeperLifecycleTest.filled(0xf1);

    static byte[] id(int n) {
        byte[] id = new byte[32];
        id[0] = 0x22;
        id[30] = (byte) (n >>> 8);
        id[31] = (byte) n;
        return id;
    }

    /** Approves FW until {@code until} and OTHER_FW forever, and registers HSMs running them. */
    static void setUp(MapKvStore store, int hsms, long until, Random rnd) throws Exception {
        FirmwareKeeper fw = new FirmwareKeeper(store);
        fw.put(FirmwareRecord.newBuilder().setComponent("system-wasm").setVersion("1").setSha256(ByteString.copyFrom(FW))
                .setValidFromHeight(1).setValidUntilHeight(until).setApprovedHeight(1).build());
        fw.scheduleEnd(FW, until);
        fw.put(FirmwareRecord.newBuilder().setComponent("system-wasm").setVersion("2").setSha256(ByteString.copyFrom(OTHER_FW))
                .setValidFromHeight(1).setApprovedHeight(1).build());
        HsmKeeper keeper = new HsmKeeper(HsmKeeperLifecycleTest.ctx(store, 1));
        HsmState[] states = {HsmState.HSM_STATE_ACTIVE, HsmState.HSM_STATE_ACTIVE, HsmState.HSM_STATE_PENDING, HsmState.HSM_STATE_SUSPENDED};
        for (int i = 0; i < hsms; i++) {
            HsmState s = states[rnd.nextInt(states.length)];
            keeper.register(HsmKeeperLifecycleTest.record(id(i), MID, s));
            keeper.recordMeasuredFirmware(id(i), rnd.nextInt(5) == 0 ? List.of(OTHER_FW) : List.of(FW, OTHER_FW), 1);
        }
    }

    static List<Event> endBlock(FirmwareExpiry hook, MapKvStore store, long h) {
        TxContext c = HsmKeeperLifecycleTest.ctx(store, h);
        hook.endBlock(c);
        return c.events();
    }

    @Test
    void nothingHappensBeforeTheValidUntilHeightAndActiveHsmsAreSuspendedAtIt() throws Exception {
        MapKvStore store = new MapKvStore();
        setUp(store, 12, 10, new Random(1));
        HsmKeeper keeper = new HsmKeeper(store);
        List<HsmRecord> before = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            before.add(keeper.find(id(i)));
        }
        FirmwareExpiry hook = new FirmwareExpiry();
        String snapshot = store.dump();
        assertThat(endBlock(hook, store, 9)).isEmpty();
        assertThat(store.dump()).isEqualTo(snapshot);

        List<Event> events = endBlock(hook, store, 10);
        int suspended = 0;
        for (int i = 0; i < 12; i++) {
            HsmRecord was = before.get(i);
            HsmRecord now = keeper.find(id(i));
            boolean runsFw = keeper.measuredFirmware(id(i)).getHashesList().contains(ByteString.copyFrom(FW));
            if (was.getState() == HsmState.HSM_STATE_ACTIVE && runsFw) {
                assertThat(now.getState()).isEqualTo(HsmState.HSM_STATE_SUSPENDED);
                assertThat(now.getStateHeight()).isEqualTo(10);
                assertThat(now.getStateReason()).isEqualTo("firmware " + "f0".repeat(32) + " no longer approved");
                suspended++;
            } else {
                assertThat(now).isEqualTo(was);
            }
        }
        assertThat(suspended).isPositive();
        assertThat(events).extracting(Event::getType).startsWith("firmware.expired", "hsm.firmware_expiry_queued").endsWith("hsm.firmware_expiry_done");
        assertThat(events).filteredOn(e -> e.getType().equals("hsm.state_changed")).hasSize(suspended);
        assertThat(keeper.expiryWork()).isEmpty();
        assertThat(endBlock(hook, store, 11)).isEmpty();
    }

    static LongStream seeds() {
        return LongStream.range(0, 20);
    }

    /**
     * Many HSMs, a small bound, and between blocks random HSMs change their measured firmware
     * (leaving the list) or are revoked: every HSM still ACTIVE and still running FW when the
     * work is done has been suspended, within the bound per block.
     */
    @ParameterizedTest
    @MethodSource("seeds")
    void workBeyondTheBoundCarriesOverAndSurvivesListChanges(long seed) throws Exception {
        Random rnd = new Random(seed);
        MapKvStore store = new MapKvStore();
        int n = 150 + rnd.nextInt(150);
        setUp(store, n, 5, rnd);
        int bound = 7 + rnd.nextInt(20);
        FirmwareExpiry hook = new FirmwareExpiry(bound);
        HsmKeeper keeper = new HsmKeeper(store);
        long h = 5;
        int blocks = 0;
        do {
            List<Event> events = endBlock(hook, store, h);
            assertThat(events).filteredOn(e -> e.getType().equals("hsm.state_changed")).hasSizeLessThanOrEqualTo(bound);
            // Between blocks: some HSMs drop FW from their measurements, some are revoked.
            HsmKeeper changer = new HsmKeeper(HsmKeeperLifecycleTest.ctx(store, h + 1));
            for (int k = 0; k < 3; k++) {
                byte[] victim = id(rnd.nextInt(n));
                HsmRecord r = changer.find(victim);
                if (r.getState() == HsmState.HSM_STATE_REVOKED) {
                    continue;
                }
                if (rnd.nextBoolean()) {
                    changer.recordMeasuredFirmware(victim, List.of(OTHER_FW), h + 1);
                } else {
                    changer.setState(r, HsmState.HSM_STATE_REVOKED, h + 1, "test");
                }
            }
            h++;
            blocks++;
        } while (!keeper.expiryWork().isEmpty());
        assertThat(blocks).isLessThanOrEqualTo((n + bound - 1) / bound + 1);
        for (int i = 0; i < n; i++) {
            HsmRecord r = keeper.find(id(i));
            boolean runsFw = keeper.isMember(HsmKeys.byFirmware(FW), id(i));
            assertThat(r.getState() == HsmState.HSM_STATE_ACTIVE && runsFw).as("HSM %d still ACTIVE on expired firmware", i).isFalse();
        }
    }

    @Test
    void aRetiredEntryEndsInItsRetiringBlockOnce() throws Exception {
        MapKvStore store = new MapKvStore();
        setUp(store, 20, 100, new Random(3));
        FirmwareKeeper fw = new FirmwareKeeper(store);
        // What FirmwareTxHandler does on retire at height 6.
        fw.put(fw.find(FW).toBuilder().setRetiredHeight(6).setRetireReason("cve").build());
        fw.unscheduleEnd(FW, 100);
        fw.scheduleEnd(FW, 6);
        FirmwareExpiry hook = new FirmwareExpiry();
        List<Event> events = endBlock(hook, store, 6);
        assertThat(events).extracting(Event::getType).doesNotContain("firmware.expired").contains("hsm.firmware_expiry_queued");
        HsmKeeper keeper = new HsmKeeper(store);
        assertThat(keeper.count(HsmKeys.byState(HsmState.HSM_STATE_SUSPENDED))).isPositive();
        assertThat(endBlock(hook, store, 100)).isEmpty();
    }
}
