package dev.teeledger.abci.credit;

import dev.teeledger.abci.query.QueryProofs;
import static dev.teeledger.abci.credit.CreditHarness.report;
import static dev.teeledger.abci.credit.CreditHarness.reportTx;
import static dev.teeledger.abci.credit.CreditHarness.reporterChange;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.sig.EcdsaP256KeyPair;
import dev.teeledger.protocol.sig.Ed25519KeyPair;
import dev.teeledger.protocol.state.v1.CreditAccount;
import dev.teeledger.protocol.state.v1.CreditIndex;
import dev.teeledger.protocol.state.v1.CreditSupply;
import dev.teeledger.protocol.state.v1.NormalizationRecord;
import dev.teeledger.protocol.state.v1.ParamRecord;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.ActivityKind;
import dev.teeledger.protocol.tx.v1.ActivityReport;
import dev.teeledger.protocol.tx.v1.CreditReason;
import dev.teeledger.protocol.tx.v1.KeyType;
import dev.teeledger.protocol.tx.v1.PublicKey;
import dev.teeledger.protocol.tx.v1.TxType;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tendermint.abci.Types.Event;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.ResponseFinalizeBlock;
import tendermint.abci.Types.ResponseQuery;

class CreditTxHandlerTest {
    static final Map<String, String> PARAMS = Map.of("credit.cap", "1000000", "credit.normalization_interval", "4");
    static final Ed25519KeyPair REPORTER = Ed25519KeyPair.fromSeed(filled(40));
    static final EcdsaP256KeyPair P256_REPORTER = EcdsaP256KeyPair.fromScalar(filled(41));
    static final byte[] A = filled(0xa1);
    static final byte[] B = filled(0xb2);
    static final byte[] C = filled(0xc3);

    @TempDir
    Path tmp;

    static byte[] filled(int v) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) v);
        return b;
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static void ok(ResponseFinalizeBlock res) {
        for (var r : res.getTxResultsList()) {
            assertThat(r.getCode()).as(r.getLog()).isZero();
        }
    }

    /** Verifies the proof of a query answer against an app hash and returns the value. */
    private static byte[] proven(CreditHarness h, String path, byte[] appHash) throws Exception {
        ResponseQuery q = h.query(path, true);
        byte[] value = q.getCode() == 0 ? q.getValue().toByteArray() : null;
        QueryProofs.verify(q, appHash, value);
        return value;
    }

    private static long provenBalance(CreditHarness h, byte[] hsm, byte[] appHash) throws Exception {
        byte[] acct = proven(h, "/credit/balance/" + hex(hsm), appHash);
        CreditIndex idx = CreditIndex.parseFrom(proven(h, "/credit/index", appHash));
        BigInteger shares = acct == null ? BigInteger.ZERO
                : ShareIndex.decodeShares(CreditAccount.parseFrom(acct).getShares().toByteArray());
        return new ShareIndex(idx.getMantissa(), idx.getExponent()).balance(shares);
    }

    @Test
    void reportsDriveTheTotalPastTheTriggerAndTheBoundaryBlockNormalizesToTheCap() throws Exception {
        try (CreditHarness h = new CreditHarness(tmp.resolve("a"))) {
            h.initChain(PARAMS);
            ResponseFinalizeBlock b1 = h.block(
                    reporterChange(TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE, 0, REPORTER.publicKey(), h.gov.subList(0, 2)),
                    reporterChange(TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE, 1, P256_REPORTER.publicKey(), h.gov.subList(1, 3)));
            ok(b1);
            assertThat(b1.getTxResults(0).getEvents(0).getType()).isEqualTo("credit.reporter_authorized");
            ResponseFinalizeBlock b2 = h.block(
                    reportTx(REPORTER, 0, report(A, ActivityKind.ACTIVITY_KIND_INCOME, 600_000, "ra-1")),
                    reportTx(REPORTER, 1, report(B, ActivityKind.ACTIVITY_KIND_INCOME, 400_000, "ra-2")),
                    reportTx(P256_REPORTER, 0, report(C, ActivityKind.ACTIVITY_KIND_INCOME, 250_000, "ra-3")),
                    reportTx(P256_REPORTER, 1, report(C, ActivityKind.ACTIVITY_KIND_PENALTY, 50_000, "ra-4")));
            ok(b2);
            Event changed = b2.getTxResults(3).getEvents(0);
            assertThat(changed.getType()).isEqualTo("credit.balance_changed");
            assertThat(changed.getAttributesList()).extracting(a -> a.getKey() + "=" + a.getValue())
                    .containsExactly("hsm=" + hex(C), "delta=-50000", "reason=CREDIT_REASON_DISSENT_PENALTY", "height=2");
            byte[] hash2 = b2.getAppHash().toByteArray();
            assertThat(provenBalance(h, A, hash2)).isEqualTo(600_000);
            assertThat(provenBalance(h, C, hash2)).isEqualTo(200_000);
            assertThat(CreditSupply.parseFrom(proven(h, "/credit/supply", hash2)).getTotal()).isEqualTo(1_200_000);
            // The metrics behind the TeeLedgerCreditAboveTrigger alert (helm/teeledger).
            assertThat(h.app.metrics().scrape())
                    .contains("teeledger_credit_total_supply 1200000.0")
                    .contains("teeledger_credit_cap 1000000.0");

            ResponseFinalizeBlock b3 = h.block();
            assertThat(b3.getEventsList()).isEmpty();
            ResponseFinalizeBlock b4 = h.block();
            assertThat(b4.getEventsList()).hasSize(1);
            Event norm = b4.getEvents(0);
            assertThat(norm.getType()).isEqualTo("credit.normalized");
            assertThat(norm.getAttributesList()).extracting(a -> a.getKey())
                    .containsExactly("old_total", "new_total", "factor", "height");
            assertThat(norm.getAttributes(2).getValue()).startsWith("0.83333333333333");

            byte[] hash4 = b4.getAppHash().toByteArray();
            CreditSupply supply = CreditSupply.parseFrom(proven(h, "/credit/supply", hash4));
            assertThat(supply.getTotal()).isBetween(999_999L, 1_000_000L);
            assertThat(h.app.metrics().scrape()).containsPattern("teeledger_credit_total_supply (999999|1000000)\\.0");
            assertThat(supply.getAccounts()).isEqualTo(3);
            long a = provenBalance(h, A, hash4);
            long b = provenBalance(h, B, hash4);
            long c = provenBalance(h, C, hash4);
            assertThat(a).isBetween(499_999L, 500_000L);
            assertThat(b).isBetween(333_332L, 333_334L);
            assertThat(c).isBetween(166_665L, 166_667L);
            assertThat(a + b + c).isBetween(1_000_000L - 3, 1_000_000L);
            NormalizationRecord rec = NormalizationRecord.parseFrom(proven(h, "/credit/last_normalization", hash4));
            assertThat(rec.getHeight()).isEqualTo(4);
            assertThat(rec.getOldTotal()).isEqualTo(1_200_000);
            assertThat(rec.getNewTotal()).isEqualTo(supply.getTotal());
            assertThat(ParamRecord.parseFrom(proven(h, "/credit/cap", hash4)).getValue()).isEqualTo(1_000_000);
            // The next boundary finds the total at the cap and leaves it alone.
            h.block(); h.block(); h.block();
            assertThat(h.block().getEventsList()).isEmpty();
        }
    }

    @Test
    void rejectedReportsAndReporterChangesChangeNothing() throws Exception {
        try (CreditHarness bad = new CreditHarness(tmp.resolve("bad")); CreditHarness clean = new CreditHarness(tmp.resolve("clean"))) {
            for (CreditHarness h : List.of(bad, clean)) {
                h.initChain(PARAMS);
                ok(h.block(reporterChange(TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE, 0, REPORTER.publicKey(), h.gov.subList(0, 2))));
                ok(h.block(reportTx(REPORTER, 0, report(A, ActivityKind.ACTIVITY_KIND_INCOME, 1_000, "once"))));
            }
            Ed25519KeyPair stranger = Ed25519KeyPair.fromSeed(filled(99));
            ActivityReport good = report(B, ActivityKind.ACTIVITY_KIND_INCOME, 10, "fresh");
            byte[][] txs = {
                reportTx(REPORTER, 1, report(A, ActivityKind.ACTIVITY_KIND_INCOME, 1_000, "once")),
                reportTx(stranger, 0, good),
                reportTx(REPORTER, 1, good.toBuilder().setAmount(Long.MIN_VALUE).build()),        // 2^63 as uint64
                reportTx(REPORTER, 1, good.toBuilder().setAmount((1L << 62) + 1).build()),
                reportTx(REPORTER, 1, report(A, ActivityKind.ACTIVITY_KIND_INCOME, 1L << 62, "big")),  // balance 1000 + 2^62
                TxBuilder.forChain(CreditHarness.CHAIN).type(TxType.TX_TYPE_CREDIT_ACTIVITY_REPORT)
                        .payloadBytes(new byte[] {0x0a, 0x7f, 1}).nonce(1).signer(REPORTER).build(),
                reportTx(REPORTER, 1, good.toBuilder().setHsmId(ByteString.copyFrom(new byte[31])).build()),
                reportTx(REPORTER, 1, good.toBuilder().setKind(ActivityKind.ACTIVITY_KIND_UNSPECIFIED).build()),
                reportTx(REPORTER, 1, good.toBuilder().setKindValue(7).build()),
                reportTx(REPORTER, 1, good.toBuilder().setReason(CreditReason.CREDIT_REASON_UNSPECIFIED).build()),
                reportTx(REPORTER, 1, good.toBuilder().setAmount(0).build()),
                reportTx(REPORTER, 1, good.toBuilder().setIdempotencyKey(ByteString.copyFrom(new byte[65])).build()),
                reportTx(REPORTER, 1, good.toBuilder().clearIdempotencyKey().build()),
                reportTx(REPORTER, 7, good),
                TxBuilder.forChain(CreditHarness.CHAIN).type(TxType.TX_TYPE_CREDIT_ACTIVITY_REPORT).payload(good)
                        .nonce(1).signer(REPORTER).signer(stranger).build(),
                reporterChange(TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE, 1, stranger.publicKey(), bad.gov.subList(0, 1)),
                reporterChange(TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE, 1, stranger.publicKey(), List.of(stranger, bad.gov.get(0))),
                reporterChange(TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE, 0, stranger.publicKey(), bad.gov.subList(0, 2)),
                reporterChange(TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE, 1, REPORTER.publicKey(), bad.gov.subList(0, 2)),
                reporterChange(TxType.TX_TYPE_CREDIT_REPORTER_REVOKE, 1, stranger.publicKey(), bad.gov.subList(0, 2)),
                reporterChange(TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE, 1,
                        PublicKey.newBuilder().setType(KeyType.KEY_TYPE_ED25519).setKey(ByteString.copyFrom(new byte[5])).build(),
                        bad.gov.subList(0, 2)),
            };
            ResultCode[] expected = {
                ResultCode.DUPLICATE_ACTIVITY_REPORT, ResultCode.NOT_CREDIT_REPORTER, ResultCode.CREDIT_OVERFLOW,
                ResultCode.CREDIT_OVERFLOW, ResultCode.CREDIT_OVERFLOW, ResultCode.MALFORMED_PAYLOAD,
                ResultCode.INVALID_ACTIVITY_REPORT, ResultCode.INVALID_ACTIVITY_REPORT, ResultCode.INVALID_ACTIVITY_REPORT,
                ResultCode.INVALID_ACTIVITY_REPORT, ResultCode.INVALID_ACTIVITY_REPORT, ResultCode.INVALID_ACTIVITY_REPORT,
                ResultCode.INVALID_ACTIVITY_REPORT, ResultCode.BAD_NONCE, ResultCode.REPORTER_SIGNER_COUNT,
                ResultCode.INSUFFICIENT_GOVERNANCE_SIGNATURES, ResultCode.NOT_GOVERNANCE_KEY, ResultCode.BAD_NONCE,
                ResultCode.REPORTER_ALREADY_AUTHORIZED, ResultCode.REPORTER_NOT_AUTHORIZED, ResultCode.INVALID_REPORTER_KEY,
            };
            assertThat(txs.length).isEqualTo(expected.length);
            for (int i = 0; i < txs.length; i++) {
                int code = bad.app.checkTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFrom(txs[i])).build()).getCode();
                assertThat(ResultCode.fromCode(code)).as("CheckTx %d", i).isEqualTo(expected[i]);
            }
            ResponseFinalizeBlock res = bad.block(txs);
            ResponseFinalizeBlock empty = clean.block();
            for (int i = 0; i < txs.length; i++) {
                assertThat(ResultCode.fromCode(res.getTxResults(i).getCode())).as("tx %d: %s", i, res.getTxResults(i).getLog())
                        .isEqualTo(expected[i]);
                assertThat(res.getTxResults(i).getEventsList()).isEmpty();
            }
            assertThat(res.getAppHash()).isEqualTo(empty.getAppHash());
        }
    }

    @Test
    void penaltyAboveTheBalanceBurnsItAllAndRevokedReportersAreRefused() throws Exception {
        try (CreditHarness h = new CreditHarness(tmp.resolve("a"))) {
            h.initChain(PARAMS);
            ok(h.block(reporterChange(TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE, 0, REPORTER.publicKey(), h.gov.subList(0, 2))));
            ok(h.block(reportTx(REPORTER, 0, report(A, ActivityKind.ACTIVITY_KIND_INCOME, 700, "i")),
                    reportTx(REPORTER, 1, report(B, ActivityKind.ACTIVITY_KIND_INCOME, 300, "j"))));
            ResponseFinalizeBlock burn = h.block(reportTx(REPORTER, 2, report(A, ActivityKind.ACTIVITY_KIND_PENALTY, 5_000, "k")));
            ok(burn);
            assertThat(burn.getTxResults(0).getEvents(0).getAttributes(1).getValue()).isEqualTo("-700");
            byte[] hash = burn.getAppHash().toByteArray();
            assertThat(provenBalance(h, A, hash)).isZero();
            assertThat(proven(h, "/credit/balance/" + hex(A), hash)).as("an empty account is absent").isNull();
            CreditSupply supply = CreditSupply.parseFrom(proven(h, "/credit/supply", hash));
            assertThat(supply.getTotal()).isEqualTo(300);
            assertThat(supply.getAccounts()).isEqualTo(1);

            ok(h.block(reporterChange(TxType.TX_TYPE_CREDIT_REPORTER_REVOKE, 1, REPORTER.publicKey(), h.gov.subList(0, 2))));
            ResponseFinalizeBlock refused = h.block(reportTx(REPORTER, 3, report(B, ActivityKind.ACTIVITY_KIND_INCOME, 1, "l")));
            assertThat(ResultCode.fromCode(refused.getTxResults(0).getCode())).isEqualTo(ResultCode.NOT_CREDIT_REPORTER);
            // Re-authorised, the key keeps its nonce: its old transactions cannot replay.
            ok(h.block(reporterChange(TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE, 2, REPORTER.publicKey(), h.gov.subList(0, 2))));
            ResponseFinalizeBlock replay = h.block(reportTx(REPORTER, 0, report(A, ActivityKind.ACTIVITY_KIND_INCOME, 700, "i2")));
            assertThat(ResultCode.fromCode(replay.getTxResults(0).getCode())).isEqualTo(ResultCode.BAD_NONCE);
            ok(h.block(reportTx(REPORTER, 3, report(B, ActivityKind.ACTIVITY_KIND_INCOME, 1, "l"))));
        }
    }

    @Test
    void malformedQueryPathsAreRejected() throws Exception {
        try (CreditHarness h = new CreditHarness(tmp.resolve("a"))) {
            h.initChain(PARAMS);
            h.block();
            assertThat(ResultCode.fromCode(h.query("/credit/balance/ABCD", false).getCode())).isEqualTo(ResultCode.MALFORMED_QUERY);
            assertThat(ResultCode.fromCode(h.query("/credit/balance/" + hex(A).toUpperCase(), false).getCode()))
                    .isEqualTo(ResultCode.MALFORMED_QUERY);
            assertThat(ResultCode.fromCode(h.query("/credit/balance/" + hex(A), false).getCode())).isEqualTo(ResultCode.NOT_FOUND);
            CreditIndex idx = CreditIndex.parseFrom(h.query("/credit/index", false).getValue());
            assertThat(new ShareIndex(idx.getMantissa(), idx.getExponent())).isEqualTo(ShareIndex.ONE);
        }
    }
}
