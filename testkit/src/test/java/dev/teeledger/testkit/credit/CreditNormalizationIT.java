package dev.teeledger.testkit.credit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.teeledger.chain.light.VerifiedQueryClient;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.sig.Ed25519KeyPair;
import dev.teeledger.protocol.sig.Signer;
import dev.teeledger.protocol.state.v1.CreditAccount;
import dev.teeledger.protocol.state.v1.CreditIndex;
import dev.teeledger.protocol.state.v1.CreditSupply;
import dev.teeledger.protocol.state.v1.NormalizationRecord;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.ActivityKind;
import dev.teeledger.protocol.tx.v1.ActivityReport;
import dev.teeledger.protocol.tx.v1.CreditReason;
import dev.teeledger.protocol.tx.v1.ReporterChange;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.fixtures.GovernanceFixture;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import dev.teeledger.protocol.tx.v1.ManufacturerAdd;
import dev.teeledger.testkit.swtpm.SwtpmFixture.AkAlgorithm;
import dev.teeledger.testkit.swtpm.JoinTransactions;
import dev.teeledger.testkit.swtpm.ProvisionedTpm;
import dev.teeledger.testkit.swtpm.SwtpmFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Credit on a real CometBFT node: governance authorises a reporter, activity reports push
 * the total past 110 % of the cap, and the next interval boundary brings it back to the cap.
 * Balances are read with light-client-verified proofs before and after; a duplicate report
 * and an unauthorised reporter are rejected with their codes and change nothing.
 */
class CreditNormalizationIT {
    private static final GovernanceFixture GOV = new GovernanceFixture(3, 2);
    private static final long CAP = 1_000_000;
    private static final int INTERVAL = 10;
    private static final Ed25519KeyPair REPORTER = Ed25519KeyPair.fromSeed(filled(40));
    /** HSM ids of three swtpm TPMs that join before they are credited. */
    private static byte[] A;
    private static byte[] B;
    private static byte[] C;
    private static SwtpmFixture tpms;
    private static LocalChain chain;
    private static VerifiedQueryClient client;

    @BeforeAll
    static void start() throws Exception {
        tpms = SwtpmFixture.start(AkAlgorithm.RSA, AkAlgorithm.RSA, AkAlgorithm.RSA);
        A = JoinTransactions.hsmId(tpms.tpm(0));
        B = JoinTransactions.hsmId(tpms.tpm(1));
        C = JoinTransactions.hsmId(tpms.tpm(2));
        chain = LocalChain.builder().chainId("credit-it").appState(GOV.appState(Map.of(
                "credit.cap", Long.toString(CAP), "credit.normalization_interval", Integer.toString(INTERVAL),
                // The joined HSMs' first attestation rounds find no verifiers; with no RA cost
                // they end INCONCLUSIVE without touching the balances this test checks.
                "attestation.ra_cost", "0"))).build().start();
        client = chain.verifiedQueryClient();
    }

    @AfterAll
    static void stop() throws Exception {
        if (chain != null) {
            chain.close();
        }
        if (tpms != null) {
            tpms.close();
        }
    }

    static byte[] filled(int v) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) v);
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode commit(byte[] tx) throws Exception {
        return chain.rpc("/broadcast_tx_commit?tx=0x" + HexFormat.of().formatHex(tx)).path("result");
    }

    private static byte[] reportTx(Signer signer, long nonce, byte[] hsm, long amount, String idem) {
        return TxBuilder.forChain(chain.chainId()).type(TxType.TX_TYPE_CREDIT_ACTIVITY_REPORT)
                .payload(ActivityReport.newBuilder().setHsmId(ByteString.copyFrom(hsm)).setKind(ActivityKind.ACTIVITY_KIND_INCOME)
                        .setAmount(amount).setReason(CreditReason.CREDIT_REASON_ATTESTATION_INCOME)
                        .setIdempotencyKey(ByteString.copyFromUtf8(idem)).build())
                .nonce(nonce).signer(signer).build();
    }

    private static void accepted(JsonNode res) {
        assertThat(res.path("check_tx").path("code").asInt()).as(res.toString()).isZero();
        assertThat(res.path("tx_result").path("code").asInt()).as(res.toString()).isZero();
    }

    private static CreditSupply supply() throws Exception {
        return CreditSupply.parseFrom(client.query("/credit/supply", utf8("credit/supply")).value());
    }

    /**
     * A balance from two verified answers: the account's shares at height h1 and the index at
     * h2 ≥ h1. The index only changes at normalization, which stamps its height, so an index
     * with updated_height ≤ h1 is also the index at h1; otherwise ask again.
     */
    private static long verifiedBalance(byte[] hsm) throws Exception {
        String hex = HexFormat.of().formatHex(hsm);
        for (int attempt = 0; attempt < 5; attempt++) {
            VerifiedQueryClient.VerifiedValue acct = client.query("/credit/balance/" + hex, utf8("credit/acct/" + hex));
            VerifiedQueryClient.VerifiedValue idx = client.query("/credit/index", utf8("credit/index"));
            CreditIndex index = CreditIndex.parseFrom(idx.value());
            if (index.getUpdatedHeight() > acct.height()) {
                continue;
            }
            BigInteger shares = acct.value() == null ? BigInteger.ZERO
                    : new BigInteger(1, CreditAccount.parseFrom(acct.value()).getShares().toByteArray());
            return shares.multiply(BigInteger.valueOf(index.getMantissa())).shiftRight(index.getExponent()).longValueExact();
        }
        throw new AssertionError("index kept changing");
    }

    @Test
    void reportsPushTheTotalPastTheTriggerAndTheNextBoundaryRestoresTheCap() throws Exception {
        // Only registered HSMs hold credit: register the swtpm CA as a manufacturer and join the
        // three TPMs first (governance nonce 0), then authorise the reporter (nonce 1).
        accepted(commit(TxBuilder.forChain(chain.chainId()).type(TxType.TX_TYPE_MANUFACTURER_ADD)
                .payload(ManufacturerAdd.newBuilder().setName("swtpm localca")
                        .setRootCertificate(ByteString.copyFrom(tpms.rootCertificate())).build())
                .nonce(0).signers(GOV.first(2)).build()));
        for (ProvisionedTpm tpm : tpms.tpms()) {
            accepted(commit(JoinTransactions.join(chain.chainId(), tpm)));
        }
        accepted(commit(TxBuilder.forChain(chain.chainId()).type(TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE)
                .payload(ReporterChange.newBuilder().setKey(REPORTER.publicKey()).build())
                .nonce(1).signers(GOV.first(2)).build()));
        // A report for an HSM that never joined is refused.
        JsonNode unknown = commit(reportTx(REPORTER, 0, filled(0xa1), 1_000, "ra-unknown"));
        assertThat(ResultCode.fromCode(unknown.path("check_tx").path("code").asInt())).as(unknown.toString())
                .isEqualTo(ResultCode.UNKNOWN_HSM);

        JsonNode first = commit(reportTx(REPORTER, 0, A, 500_000, "ra-a-1"));
        accepted(first);
        assertThat(first.path("tx_result").path("events").get(0).path("type").asText()).isEqualTo("credit.balance_changed");
        accepted(commit(reportTx(REPORTER, 1, B, 300_000, "ra-b-1")));

        // Rejections: a duplicate idempotency key and an unauthorised reporter change nothing.
        CreditSupply before = supply();
        JsonNode duplicate = commit(reportTx(REPORTER, 2, A, 500_000, "ra-a-1"));
        assertThat(ResultCode.fromCode(duplicate.path("check_tx").path("code").asInt())).as(duplicate.toString())
                .isEqualTo(ResultCode.DUPLICATE_ACTIVITY_REPORT);
        JsonNode stranger = commit(reportTx(Ed25519KeyPair.fromSeed(filled(99)), 0, A, 500_000, "ra-x"));
        assertThat(ResultCode.fromCode(stranger.path("check_tx").path("code").asInt())).as(stranger.toString())
                .isEqualTo(ResultCode.NOT_CREDIT_REPORTER);
        assertThat(supply()).isEqualTo(before);
        assertThat(before.getTotal()).isEqualTo(800_000);

        assertThat(verifiedBalance(A)).isEqualTo(500_000);
        assertThat(verifiedBalance(B)).isEqualTo(300_000);
        assertThat(verifiedBalance(C)).isZero();

        // 1.2 M > 110 % of the cap: the next multiple of the interval normalizes.
        JsonNode push = commit(reportTx(REPORTER, 2, C, 400_000, "ra-c-1"));
        accepted(push);
        long pushed = push.path("height").asLong();
        // Normalization runs at the end of a block, after its transactions: a push landing on a
        // multiple of the interval is normalized in that same block.
        long boundary = (pushed + INTERVAL - 1) / INTERVAL * INTERVAL;
        chain.waitForHeight(boundary + 1, Duration.ofSeconds(60));

        NormalizationRecord rec = NormalizationRecord.parseFrom(
                client.query("/credit/last_normalization", utf8("credit/last_normalization")).value());
        assertThat(rec.getHeight()).isEqualTo(boundary);
        assertThat(rec.getOldTotal()).isEqualTo(1_200_000);
        assertThat(rec.getNewTotal()).isBetween(CAP - 1, CAP);
        assertThat(supply().getTotal()).isBetween(CAP - 1, CAP);
        JsonNode events = chain.rpc("/block_results?height=" + boundary).path("result").path("finalize_block_events");
        assertThat(events.toString()).contains("credit.normalized");

        long a = verifiedBalance(A);
        long b = verifiedBalance(B);
        long c = verifiedBalance(C);
        // 5:3:4 kept within one unit each, scaled by 1/1.2.
        assertThat(a).isBetween(416_665L, 416_667L);
        assertThat(b).isBetween(249_999L, 250_000L);
        assertThat(c).isBetween(333_332L, 333_334L);
        assertThat(a + b + c).isBetween(CAP - 3, CAP);
    }
}
