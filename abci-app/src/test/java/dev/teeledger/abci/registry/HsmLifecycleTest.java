package dev.teeledger.abci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.hsm.HsmKeeper;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.sig.Ed25519KeyPair;
import dev.teeledger.protocol.sig.EcdsaP256KeyPair;
import dev.teeledger.protocol.state.v1.HsmIdPage;
import dev.teeledger.protocol.state.v1.HsmListCount;
import dev.teeledger.protocol.state.v1.HsmListEntry;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.FirmwareApprove;
import dev.teeledger.protocol.tx.v1.FirmwareRetire;
import dev.teeledger.protocol.tx.v1.HsmJoin;
import dev.teeledger.protocol.tx.v1.HsmRevoke;
import dev.teeledger.protocol.tx.v1.ManufacturerRevoke;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.protocol.x509.HsmId;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tendermint.abci.Types.Event;
import tendermint.abci.Types.ResponseFinalizeBlock;

/**
 * The HSM lifecycle through the full application: governance revocation of one HSM and its
 * rejections, the re-join rule, suspension when approved firmware expires or is retired, and the
 * paged-list queries with verified proofs. HSMs are seeded through the keeper (a valid join
 * needs a live TPM; RegistryChainIT covers that with swtpm).
 */
class HsmLifecycleTest {
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path tmp;

    static byte[] id(int n) {
        byte[] id = new byte[32];
        id[0] = 0x33;
        id[30] = (byte) (n >>> 8);
        id[31] = (byte) n;
        return id;
    }

    static byte[] sha(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static HsmRecord record(byte[] id, byte[] mid, HsmState state) {
        return HsmRecord.newBuilder().setHsmId(ByteString.copyFrom(id)).setManufacturerId(ByteString.copyFrom(mid))
                .setState(state).setJoinedHeight(1).setStateHeight(1).build();
    }

    /** Registers HSMs in the given states under {@code mid}; each state's HSMs run {@code firmware}. */
    static Consumer<TxContext> hsms(byte[] mid, List<byte[]> firmware, int firstId, HsmState... states) {
        return ctx -> {
            HsmKeeper keeper = new HsmKeeper(ctx);
            for (int i = 0; i < states.length; i++) {
                keeper.register(record(id(firstId + i), mid, states[i]));
                try {
                    if (!firmware.isEmpty() && states[i] != HsmState.HSM_STATE_REVOKED) {
                        keeper.recordMeasuredFirmware(id(firstId + i), firmware, ctx.height());
                    }
                } catch (Rejection r) {
                    throw new AssertionError(r);
                }
            }
        };
    }

    static byte[] revokeTx(RegistryHarness h, byte[] hsmId, String reason, long nonce) {
        return h.govTx(TxType.TX_TYPE_HSM_REVOKE, HsmRevoke.newBuilder().setHsmId(ByteString.copyFrom(hsmId)).setReason(reason).build(), nonce);
    }

    static byte[] swtpmMid() throws Exception {
        return ManufacturerRegistryTest.id(HsmJoinTest.file("root.der"));
    }

    /** Registers the swtpm root (the captured evidence's issuer). */
    static void addSwtpmRoot(RegistryHarness h) {
        h.okBlock(h.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, HsmJoinTest.add("swtpm", HsmJoinTest.file("root.der"))));
    }

    static <T> T parse(com.google.protobuf.Parser<T> parser, byte[] raw) throws Exception {
        return parser.parseFrom(raw);
    }

    @Test
    void governanceRevokesOneHsmForGoodWithEventsAndProvenLists() throws Exception {
        try (RegistryHarness h = new RegistryHarness(tmp)) {
            addSwtpmRoot(h);
            byte[] mid = swtpmMid();
            h.seed(hsms(mid, List.of(sha("fw-a")), 1, HsmState.HSM_STATE_ACTIVE, HsmState.HSM_STATE_PENDING, HsmState.HSM_STATE_SUSPENDED));
            ResponseFinalizeBlock res = h.okBlock(revokeTx(h, id(1), "key extracted in lab", h.govNonce++));
            List<Event> events = res.getTxResults(0).getEventsList();
            assertThat(events).extracting(Event::getType).containsExactly("hsm.state_changed", "hsm.revoked");
            assertThat(events.get(1).getAttributesList()).anySatisfy(a -> {
                assertThat(a.getKey()).isEqualTo("reason");
                assertThat(a.getValue()).isEqualTo("key extracted in lab");
            });

            HsmRecord rec = HsmRecord.parseFrom(h.proven("/hsm/" + HEX.formatHex(id(1))));
            assertThat(rec.getState()).isEqualTo(HsmState.HSM_STATE_REVOKED);
            assertThat(rec.getStateHeight()).isEqualTo(h.height);
            assertThat(rec.getStateReason()).isEqualTo("governance: key extracted in lab");
            HsmIdPage revoked = parse(HsmIdPage.parser(), h.proven("/hsm/page/by_state/4/0"));
            assertThat(revoked.getHsmIdsList()).containsExactly(ByteString.copyFrom(id(1)));
            assertThat(parse(HsmListCount.parser(), h.proven("/hsm/count/by_state/2")).getCount()).isZero();
            // A revoked HSM leaves the firmware lists, so firmware expiry never visits it.
            assertThat(h.proven("/hsm/member/by_firmware/" + HEX.formatHex(sha("fw-a")) + "/" + HEX.formatHex(id(1)))).isNull();
            // Suspended and pending HSMs can be revoked too.
            h.okBlock(revokeTx(h, id(2), "r", h.govNonce++), revokeTx(h, id(3), "r", h.govNonce++));
            assertThat(parse(HsmListCount.parser(), h.proven("/hsm/count/by_state/4")).getCount()).isEqualTo(3);
        }
    }

    @Test
    void badRevocationsGetTheirOwnCodeAndChangeNothing() throws Exception {
        Ed25519KeyPair outsider = Ed25519KeyPair.fromSeed(new byte[32]);
        try (RegistryHarness bad = new RegistryHarness(tmp.resolve("bad")); RegistryHarness clean = new RegistryHarness(tmp.resolve("clean"))) {
            for (RegistryHarness h : List.of(bad, clean)) {
                addSwtpmRoot(h);
                h.seed(hsms(swtpmMid(), List.of(), 1, HsmState.HSM_STATE_ACTIVE, HsmState.HSM_STATE_REVOKED));
            }
            long n = bad.govNonce;
            byte[][] txs = {
                revokeTx(bad, id(9), "unknown", n),
                revokeTx(bad, id(2), "again", n),
                revokeTx(bad, new byte[31], "short id", n),
                revokeTx(bad, new byte[33], "long id", n),
                revokeTx(bad, id(1), "", n),
                revokeTx(bad, id(1), "x".repeat(257), n),
                revokeTx(bad, id(1), "stale nonce", n + 1),
                TxBuilder.forChain(RegistryHarness.CHAIN).type(TxType.TX_TYPE_HSM_REVOKE)
                        .payload(HsmRevoke.newBuilder().setHsmId(ByteString.copyFrom(id(1))).setReason("outsider").build())
                        .nonce(n).signer(outsider).build(),
                TxBuilder.forChain(RegistryHarness.CHAIN).type(TxType.TX_TYPE_HSM_REVOKE)
                        .payload(HsmRevoke.newBuilder().setHsmId(ByteString.copyFrom(id(1))).setReason("one of two").build())
                        .nonce(n).signer(bad.gov.get(0)).build(),
                TxBuilder.forChain(RegistryHarness.CHAIN).type(TxType.TX_TYPE_HSM_REVOKE).payloadBytes(new byte[] {0x0a, 0x7f})
                        .nonce(n).signers(bad.gov.subList(0, 2)).build(),
            };
            ResultCode[] expected = {
                ResultCode.HSM_NOT_REGISTERED, ResultCode.HSM_ALREADY_REVOKED, ResultCode.INVALID_HSM_ID, ResultCode.INVALID_HSM_ID,
                ResultCode.INVALID_REVOCATION_REASON, ResultCode.INVALID_REVOCATION_REASON, ResultCode.BAD_NONCE,
                ResultCode.NOT_GOVERNANCE_KEY, ResultCode.INSUFFICIENT_GOVERNANCE_SIGNATURES, ResultCode.MALFORMED_PAYLOAD,
            };
            ManufacturerRegistryTest.assertRejectedWithoutStateChange(bad, clean, txs, expected);
        }
    }

    /**
     * The re-join rule on the captured swtpm evidence "a": with a record for its EK already
     * present, a governance-revoked HSM gets 322 and a live one 316, both before any evidence or
     * signer check; a record whose manufacturer was revoked passes the rule, and this evidence
     * then stops at the signer check (the captured node key's private half is gone; the full
     * re-join runs in RegistryChainIT).
     */
    @Test
    void rejoinIsRefusedAfterGovernanceRevocationAndWhileTheRecordsRootIsActive() throws Exception {
        byte[] idA = HsmId.of(HsmJoinTest.file("a-ek.der")).value();
        TestCerts.Ca old = TestCerts.Ca.create("Old Root");
        byte[] oldMid = ManufacturerRegistryTest.id(old.der());
        HsmJoin a = HsmJoinTest.captured("a");
        EcdsaP256KeyPair stranger = EcdsaP256KeyPair.generate(new SecureRandom());
        Object[][] cases = {
            {HsmState.HSM_STATE_REVOKED, swtpmMid(), ResultCode.HSM_REVOKED_CANNOT_REJOIN},
            {HsmState.HSM_STATE_ACTIVE, swtpmMid(), ResultCode.HSM_ALREADY_REGISTERED},
            {HsmState.HSM_STATE_PENDING, swtpmMid(), ResultCode.HSM_ALREADY_REGISTERED},
            {HsmState.HSM_STATE_REVOKED, oldMid, ResultCode.HSM_REVOKED_CANNOT_REJOIN},
            {HsmState.HSM_STATE_SUSPENDED, oldMid, ResultCode.JOIN_SIGNER_NOT_NODE_KEY},
        };
        int i = 0;
        for (Object[] c : cases) {
            Path dir = tmp.resolve("case" + i++);
            try (RegistryHarness bad = new RegistryHarness(dir.resolve("bad")); RegistryHarness clean = new RegistryHarness(dir.resolve("clean"))) {
                for (RegistryHarness h : List.of(bad, clean)) {
                    addSwtpmRoot(h);
                    h.okBlock(h.govTx(TxType.TX_TYPE_MANUFACTURER_ADD, HsmJoinTest.add("Old", old.der())));
                    h.okBlock(h.govTx(TxType.TX_TYPE_MANUFACTURER_REVOKE, ManufacturerRevoke.newBuilder()
                            .setManufacturerId(ByteString.copyFrom(oldMid)).setReason("rotated").build()));
                    h.seed(ctx -> new HsmKeeper(ctx).register(record(idA, (byte[]) c[1], (HsmState) c[0])));
                }
                ManufacturerRegistryTest.assertRejectedWithoutStateChange(bad, clean,
                        new byte[][] {HsmJoinTest.joinTx(a, stranger, 0)}, new ResultCode[] {(ResultCode) c[2]});
            }
        }
    }

    @Test
    void activeHsmsRunningFirmwareAreSuspendedInTheBlockItsApprovalEnds() throws Exception {
        try (RegistryHarness h = new RegistryHarness(tmp)) {
            addSwtpmRoot(h);
            byte[] mid = swtpmMid();
            byte[] fw = sha("system-wasm 1.0.0");
            byte[] keep = sha("system-wasm 2.0.0");
            h.seed(hsms(mid, List.of(fw, keep), 1, HsmState.HSM_STATE_ACTIVE, HsmState.HSM_STATE_ACTIVE, HsmState.HSM_STATE_PENDING,
                    HsmState.HSM_STATE_SUSPENDED, HsmState.HSM_STATE_ACTIVE));
            h.seed(hsms(mid, List.of(keep), 6, HsmState.HSM_STATE_ACTIVE));
            long from = h.height + 1;
            h.okBlock(h.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, FirmwareApprove.newBuilder().setComponent("system-wasm").setVersion("1.0.0")
                    .setSha256(ByteString.copyFrom(fw)).setValidFromHeight(from).setValidUntilHeight(from + 3).build()));
            assertThat(parse(HsmListCount.parser(), h.proven("/hsm/count/by_firmware/" + HEX.formatHex(fw))).getCount()).isEqualTo(5);
            while (h.height < from + 2) {
                ResponseFinalizeBlock quiet = h.block();
                assertThat(quiet.getEventsList()).extracting(Event::getType).doesNotContain("hsm.state_changed");
            }
            ResponseFinalizeBlock end = h.block();
            assertThat(h.height).isEqualTo(from + 3);
            assertThat(end.getEventsList()).extracting(Event::getType).containsExactly("firmware.expired", "hsm.firmware_expiry_queued",
                    "hsm.state_changed", "hsm.state_changed", "hsm.state_changed", "hsm.firmware_expiry_done");
            for (int i = 1; i <= 6; i++) {
                HsmRecord rec = HsmRecord.parseFrom(h.proven("/hsm/" + HEX.formatHex(id(i))));
                HsmState expected = switch (i) {
                    case 1, 2, 5 -> HsmState.HSM_STATE_SUSPENDED;
                    case 3 -> HsmState.HSM_STATE_PENDING;
                    case 4 -> HsmState.HSM_STATE_SUSPENDED;
                    default -> HsmState.HSM_STATE_ACTIVE;
                };
                assertThat(rec.getState()).as("HSM %d", i).isEqualTo(expected);
                if (i == 1 || i == 2 || i == 5) {
                    assertThat(rec.getStateHeight()).isEqualTo(from + 3);
                }
            }
            assertThat(parse(HsmListCount.parser(), h.proven("/hsm/count/by_state/3")).getCount()).isEqualTo(4);
            assertThat(parse(HsmListCount.parser(), h.proven("/hsm/count/by_state/2")).getCount()).isEqualTo(1);
            assertThat(h.block().getEventsList()).isEmpty();
        }
    }

    /**
     * 300 ACTIVE HSMs on one expiring entry: 256 are suspended in the block the approval ends,
     * the other 44 in the next; two nodes fed the same blocks agree on every app hash.
     */
    @Test
    void expiryPastTheBoundCarriesOverOneBlockAndTwoNodesAgree() throws Exception {
        List<List<Integer>> changesPerBlock = new ArrayList<>();
        List<List<String>> hashes = new ArrayList<>();
        for (String node : List.of("node-a", "node-b")) {
            List<Integer> changes = new ArrayList<>();
            List<String> appHashes = new ArrayList<>();
            try (RegistryHarness h = new RegistryHarness(tmp.resolve(node))) {
                addSwtpmRoot(h);
                byte[] fw = sha("system-wasm 3");
                HsmState[] active = new HsmState[150];
                java.util.Arrays.fill(active, HsmState.HSM_STATE_ACTIVE);
                h.seed(hsms(swtpmMid(), List.of(fw), 0, active));
                h.seed(hsms(swtpmMid(), List.of(fw), 150, active));
                long from = h.height + 1;
                h.okBlock(h.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, FirmwareApprove.newBuilder().setComponent("system-wasm").setVersion("3")
                        .setSha256(ByteString.copyFrom(fw)).setValidFromHeight(from).setValidUntilHeight(from + 2).build()));
                for (int b = 0; b < 4; b++) {
                    ResponseFinalizeBlock res = h.block();
                    changes.add((int) res.getEventsList().stream().filter(e -> e.getType().equals("hsm.state_changed")).count());
                    appHashes.add(HEX.formatHex(res.getAppHash().toByteArray()));
                }
                assertThat(parse(HsmListCount.parser(), h.proven("/hsm/count/by_state/3")).getCount()).isEqualTo(300);
                assertThat(h.proven("/hsm/count/by_state/2")).satisfies(v -> assertThat(parse(HsmListCount.parser(), v).getCount()).isZero());
            }
            changesPerBlock.add(changes);
            hashes.add(appHashes);
        }
        assertThat(changesPerBlock.get(0)).containsExactly(0, 256, 44, 0);
        assertThat(hashes.get(1)).isEqualTo(hashes.get(0));
    }

    @Test
    void retiringAnEntrySuspendsItsActiveHsmsAtTheEndOfTheRetiringBlock() throws Exception {
        try (RegistryHarness h = new RegistryHarness(tmp)) {
            addSwtpmRoot(h);
            byte[] fw = sha("tpm-sidecar 0.9");
            h.okBlock(h.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, FirmwareApprove.newBuilder().setComponent("tpm-sidecar").setVersion("0.9")
                    .setSha256(ByteString.copyFrom(fw)).setValidFromHeight(h.height + 1).setValidUntilHeight(h.height + 1000).build()));
            h.seed(hsms(swtpmMid(), List.of(fw), 1, HsmState.HSM_STATE_ACTIVE, HsmState.HSM_STATE_ACTIVE));
            ResponseFinalizeBlock res = h.okBlock(h.govTx(TxType.TX_TYPE_FIRMWARE_RETIRE,
                    FirmwareRetire.newBuilder().setSha256(ByteString.copyFrom(fw)).setReason("CVE-2027-0001").build()));
            assertThat(res.getTxResults(0).getEventsList()).extracting(Event::getType).containsExactly("firmware.retired");
            assertThat(res.getEventsList()).extracting(Event::getType).containsExactly("hsm.firmware_expiry_queued",
                    "hsm.state_changed", "hsm.state_changed", "hsm.firmware_expiry_done");
            assertThat(parse(HsmListCount.parser(), h.proven("/hsm/count/by_state/3")).getCount()).isEqualTo(2);
            // The retirement replaced the valid-until end, so nothing happens again at that height.
            long until = h.height - 2 + 1000;
            for (long end : new long[] {until, h.height}) {
                String key = "fw/ends/" + String.format(java.util.Locale.ROOT, "%020d", end) + "/" + HEX.formatHex(fw);
                var q = h.app.query(tendermint.abci.Types.RequestQuery.newBuilder().setPath("/store")
                        .setData(ByteString.copyFromUtf8(key)).build());
                assertThat(q.getCode()).as(key).isEqualTo(end == until ? ResultCode.NOT_FOUND.code() : 0);
            }
        }
    }

    @Test
    void everyPageOfAListIsProvenAndTheListIsExactlyItsMembers() throws Exception {
        try (RegistryHarness h = new RegistryHarness(tmp)) {
            addSwtpmRoot(h);
            byte[] mid = swtpmMid();
            HsmState[] states = new HsmState[150];
            java.util.Arrays.fill(states, HsmState.HSM_STATE_PENDING);
            h.seed(hsms(mid, List.of(), 0, java.util.Arrays.copyOf(states, 100)));
            h.seed(hsms(mid, List.of(), 100, java.util.Arrays.copyOf(states, 50)));
            h.okBlock(revokeTx(h, id(3), "r", h.govNonce++), revokeTx(h, id(120), "r", h.govNonce++));
            String midHex = HEX.formatHex(mid);
            for (String list : List.of("by_manufacturer/" + midHex, "by_state/1")) {
                HsmListCount count = parse(HsmListCount.parser(), h.proven("/hsm/count/" + list));
                assertThat(count.getPageSize()).isEqualTo(64);
                List<ByteString> all = new ArrayList<>();
                long pages = (count.getCount() + count.getPageSize() - 1) / count.getPageSize();
                for (long p = 0; p < pages; p++) {
                    all.addAll(parse(HsmIdPage.parser(), h.proven("/hsm/page/" + list + "/" + p)).getHsmIdsList());
                }
                assertThat(h.proven("/hsm/page/" + list + "/" + pages)).isNull();   // absence proof past the end
                assertThat(all).hasSize((int) count.getCount()).doesNotHaveDuplicates();
                for (int i = 0; i < 150; i++) {
                    boolean member = list.startsWith("by_manufacturer") || (i != 3 && i != 120);
                    assertThat(all.contains(ByteString.copyFrom(id(i)))).as("%s has %d", list, i).isEqualTo(member);
                    byte[] entry = h.proven("/hsm/member/" + list + "/" + HEX.formatHex(id(i)));
                    if (member) {
                        long pos = parse(HsmListEntry.parser(), entry).getPosition();
                        assertThat(all.get((int) pos)).isEqualTo(ByteString.copyFrom(id(i)));
                    } else {
                        assertThat(entry).isNull();
                    }
                }
            }
            assertThat(parse(HsmListCount.parser(), h.proven("/hsm/count/by_manufacturer/" + midHex)).getCount()).isEqualTo(150);
            assertThat(parse(HsmListCount.parser(), h.proven("/hsm/count/by_state/1")).getCount()).isEqualTo(148);
        }
    }

    @Test
    void malformedListPathsAreRefusedAsMalformedQueries() throws Exception {
        try (RegistryHarness h = new RegistryHarness(tmp)) {
            h.block();
            String mid = "ab".repeat(32);
            for (String path : List.of("/hsm/page/by_state/5/0", "/hsm/page/by_state/0/0", "/hsm/page/by_state/1/01",
                    "/hsm/page/by_state/1/-1", "/hsm/page/by_state/1", "/hsm/page/by_state/1/0/", "/hsm/page/by_state/1/2147483648",
                    "/hsm/page/by_manufacturer/" + mid.toUpperCase() + "/0", "/hsm/page/by_manufacturer/" + mid.substring(2) + "/0",
                    "/hsm/count/by_nothing/1", "/hsm/count/by_state", "/hsm/count/by_state/1/0", "/hsm/member/by_state/1/abc",
                    "/hsm/member/by_firmware/" + mid, "/hsm/measured/00", "/hsm/page/by_state/1/+1", "/hsm/page/by_state/1/1e3")) {
                assertThat(h.query(path, true).getCode()).as(path).isEqualTo(ResultCode.MALFORMED_QUERY.code());
            }
            assertThat(h.query("/hsm/page/by_state/1/2147483647", true).getCode()).isEqualTo(ResultCode.NOT_FOUND.code());
        }
    }
}
