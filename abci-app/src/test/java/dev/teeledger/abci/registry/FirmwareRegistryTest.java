package dev.teeledger.abci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.firmware.FirmwareKeeper;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.state.v1.FirmwareRecord;
import dev.teeledger.protocol.tx.v1.FirmwareApprove;
import dev.teeledger.protocol.tx.v1.FirmwareRetire;
import dev.teeledger.protocol.tx.v1.TxType;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tendermint.abci.Types.ResponseFinalizeBlock;

class FirmwareRegistryTest {
    @TempDir
    Path tmp;

    static byte[] hash(int b) {
        byte[] h = new byte[32];
        h[0] = (byte) b;
        return h;
    }

    static FirmwareApprove approve(byte[] sha, long from, long until) {
        return FirmwareApprove.newBuilder().setComponent("tpm-sidecar").setVersion("1.2.3").setSha256(ByteString.copyFrom(sha))
                .setValidFromHeight(from).setValidUntilHeight(until).build();
    }

    static FirmwareRetire retire(byte[] sha, String reason) {
        return FirmwareRetire.newBuilder().setSha256(ByteString.copyFrom(sha)).setReason(reason).build();
    }

    @Test
    void approvedEntryIsProvenAndExpiresAtItsUntilHeight() throws Exception {
        byte[] sha = hash(1);
        String path = "/firmware/" + HexFormat.of().formatHex(sha);
        try (RegistryHarness h = new RegistryHarness(tmp)) {
            ResponseFinalizeBlock res = h.okBlock(h.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(sha, 2, 4)));
            assertThat(res.getTxResults(0).getEventsList()).extracting(e -> e.getType()).containsExactly("firmware.approved");
            FirmwareRecord rec = FirmwareRecord.parseFrom(h.proven(path));
            assertThat(rec.getApprovedHeight()).isEqualTo(1);
            assertThat(FirmwareKeeper.approvedAt(rec, 1)).isFalse();
            assertThat(FirmwareKeeper.approvedAt(rec, 2)).isTrue();
            assertThat(FirmwareKeeper.approvedAt(rec, 3)).isTrue();
            assertThat(FirmwareKeeper.approvedAt(rec, 4)).isFalse();
            for (int i = 2; i <= 4; i++) {
                h.okBlock();
                assertThat(new FirmwareKeeper(h.store.latest()).isApproved(sha, h.height)).as("height %d", h.height).isEqualTo(h.height < 4);
            }
            assertThat(h.proven("/firmware/" + "ab".repeat(32))).isNull();
        }
    }

    @Test
    void retiringEndsApprovalFromTheRetiringHeight() throws Exception {
        byte[] sha = hash(2);
        try (RegistryHarness h = new RegistryHarness(tmp)) {
            h.okBlock(h.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(sha, 1, 0)));
            h.okBlock();
            ResponseFinalizeBlock res = h.okBlock(h.govTx(TxType.TX_TYPE_FIRMWARE_RETIRE, retire(sha, "CVE-2027-0001")));
            assertThat(res.getTxResults(0).getEventsList()).extracting(e -> e.getType()).containsExactly("firmware.retired");
            FirmwareRecord rec = FirmwareRecord.parseFrom(h.proven("/firmware/" + HexFormat.of().formatHex(sha)));
            assertThat(rec.getRetiredHeight()).isEqualTo(3);
            assertThat(FirmwareKeeper.approvedAt(rec, 2)).isTrue();
            assertThat(FirmwareKeeper.approvedAt(rec, 3)).isFalse();
            assertThat(FirmwareKeeper.approvedAt(rec, 1_000_000)).isFalse();
        }
    }

    @Test
    void rejectedFirmwareTransactionsChangeNothing() throws Exception {
        byte[] listed = hash(3);
        byte[] retired = hash(4);
        byte[] fresh = hash(5);
        try (RegistryHarness bad = new RegistryHarness(tmp.resolve("bad")); RegistryHarness clean = new RegistryHarness(tmp.resolve("clean"))) {
            for (RegistryHarness h : List.of(bad, clean)) {
                h.okBlock(h.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(listed, 1, 0)),
                        h.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(retired, 1, 0)));
                h.okBlock(h.govTx(TxType.TX_TYPE_FIRMWARE_RETIRE, retire(retired, "old")));
            }
            long n = bad.govNonce;
            byte[][] txs = {
                bad.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(listed, 10, 0), n),
                bad.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(retired, 10, 0), n),
                bad.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(fresh, 10, 0).toBuilder().setComponent("").build(), n),
                bad.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(fresh, 10, 0).toBuilder().setComponent("Sidecar").build(), n),
                bad.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(fresh, 10, 0).toBuilder().setVersion("1 2").build(), n),
                bad.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(fresh, 10, 0).toBuilder().setVersion("").build(), n),
                bad.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(new byte[31], 10, 0), n),
                bad.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(fresh, 1, 0), n),          // before this block
                bad.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(fresh, 10, 10), n),
                bad.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(fresh, 10, 5), n),
                bad.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(fresh, 10, -1), n),        // 2^64-1 as uint64
                bad.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(fresh, -5, 0), n),
                bad.govTx(TxType.TX_TYPE_FIRMWARE_APPROVE, approve(fresh, 10, 0), n + 3),
                bad.govTx(TxType.TX_TYPE_FIRMWARE_RETIRE, retire(fresh, "unknown"), n),
                bad.govTx(TxType.TX_TYPE_FIRMWARE_RETIRE, retire(retired, "twice"), n),
                bad.govTx(TxType.TX_TYPE_FIRMWARE_RETIRE, retire(listed, ""), n),
                bad.govTx(TxType.TX_TYPE_FIRMWARE_RETIRE, retire(new byte[3], "short"), n),
            };
            ResultCode[] expected = {
                ResultCode.FIRMWARE_ALREADY_LISTED, ResultCode.FIRMWARE_ALREADY_LISTED, ResultCode.INVALID_FIRMWARE_COMPONENT,
                ResultCode.INVALID_FIRMWARE_COMPONENT, ResultCode.INVALID_FIRMWARE_VERSION, ResultCode.INVALID_FIRMWARE_VERSION,
                ResultCode.INVALID_FIRMWARE_HASH, ResultCode.INVALID_FIRMWARE_WINDOW, ResultCode.INVALID_FIRMWARE_WINDOW,
                ResultCode.INVALID_FIRMWARE_WINDOW, ResultCode.INVALID_FIRMWARE_WINDOW, ResultCode.INVALID_FIRMWARE_WINDOW,
                ResultCode.BAD_NONCE, ResultCode.UNKNOWN_FIRMWARE, ResultCode.FIRMWARE_ALREADY_RETIRED,
                ResultCode.INVALID_REVOCATION_REASON, ResultCode.INVALID_FIRMWARE_HASH,
            };
            ManufacturerRegistryTest.assertRejectedWithoutStateChange(bad, clean, txs, expected);
        }
    }

    static LongStream seeds() {
        return LongStream.range(0, 200);
    }

    /** The approval rule against a brute-force reading of its definition. */
    @ParameterizedTest
    @MethodSource("seeds")
    void approvalRuleMatchesItsDefinition(long seed) {
        Random rnd = new Random(seed);
        long from = 1 + rnd.nextInt(50);
        long until = rnd.nextBoolean() ? 0 : from + 1 + rnd.nextInt(50);
        long retiredAt = rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(120);
        FirmwareRecord r = FirmwareRecord.newBuilder().setValidFromHeight(from).setValidUntilHeight(until).setRetiredHeight(retiredAt).build();
        for (long h = 0; h < 130; h++) {
            boolean inWindow = from <= h && (until == 0 || h < until);
            boolean retiredBy = retiredAt != 0 && retiredAt <= h;
            assertThat(FirmwareKeeper.approvedAt(r, h)).as("h=%d", h).isEqualTo(inWindow && !retiredBy);
        }
    }
}
