package dev.teeledger.testkit.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.sig.Ed25519KeyPair;
import dev.teeledger.protocol.state.v1.AccountNonce;
import dev.teeledger.protocol.state.v1.GovernanceKeySet;
import dev.teeledger.protocol.state.v1.ParamRecord;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.KeyRotation;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.fixtures.GovernanceFixture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Governance over a real CometBFT node: genesis keys, committed changes, and rejections that change nothing. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GovernanceIT {
    private static final GovernanceFixture GOV = new GovernanceFixture(3, 2);
    private static LocalChain chain;

    @BeforeAll
    static void start() throws Exception {
        chain = LocalChain.builder().chainId("gov-it").appState(GOV.appState(Map.of("tx.max_signers", "8"))).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    @Order(1)
    void genesisHoldsTheGovernanceKeys() throws Exception {
        GovernanceKeySet keys = GovernanceKeySet.parseFrom(ChainTxs.value(ChainTxs.query(chain, "/gov/keys", new byte[0], 0, false)));
        assertThat(keys.getThreshold()).isEqualTo(2);
        assertThat(keys.getKeysList()).containsExactly(GOV.key(0).publicKey(), GOV.key(1).publicKey(), GOV.key(2).publicKey());
        assertThat(ParamRecord.parseFrom(ChainTxs.value(ChainTxs.query(chain, "/gov/param/tx.max_signers", new byte[0], 0, false))).getValue())
                .isEqualTo(8);
    }

    @Test
    @Order(2)
    void paramChangeIsCommitted() throws Exception {
        JsonNode res = ChainTxs.commit(chain, ChainTxs.paramChange(chain.chainId(), 0, "tx.max_signers", "10", GOV.first(2)));
        assertThat(res.path("check_tx").path("code").asInt()).isZero();
        assertThat(res.path("tx_result").path("code").asInt()).as(res.toString()).isZero();
        assertThat(res.path("tx_result").path("events").get(0).path("type").asText()).isEqualTo("gov.param_changed");
        assertThat(ParamRecord.parseFrom(ChainTxs.value(ChainTxs.query(chain, "/gov/param/tx.max_signers", new byte[0], 0, false))).getValue())
                .isEqualTo(10);
    }

    @Test
    @Order(3)
    void rejectedTransactionsGetTheirCodeAndChangeNothing() throws Exception {
        byte[] good = ChainTxs.paramChange(chain.chainId(), 1, "tx.max_signers", "11", GOV.first(2));
        byte[] badSig = good.clone();
        badSig[badSig.length - 5] ^= 1;
        Object[][] cases = {
            {badSig, ResultCode.INVALID_SIGNATURE},
            {ChainTxs.paramChange(chain.chainId(), 7, "tx.max_signers", "11", GOV.first(2)), ResultCode.BAD_NONCE},
            {ChainTxs.paramChange(chain.chainId(), 1, "tx.max_signers", "11", GOV.first(1)), ResultCode.INSUFFICIENT_GOVERNANCE_SIGNATURES},
            {ChainTxs.paramChange("other-chain", 1, "tx.max_signers", "11", GOV.first(2)), ResultCode.INVALID_SIGNATURE},
            {new byte[] {0x0a, 0x7f, 0x01}, ResultCode.MALFORMED_TX},
        };
        byte[] keysBefore = ChainTxs.value(ChainTxs.query(chain, "/gov/keys", new byte[0], 0, false));
        byte[] paramBefore = ChainTxs.value(ChainTxs.query(chain, "/gov/param/tx.max_signers", new byte[0], 0, false));
        long nonceBefore = AccountNonce.parseFrom(ChainTxs.value(ChainTxs.query(chain, "/gov/nonce", new byte[0], 0, false))).getNext();
        for (Object[] c : cases) {
            JsonNode res = ChainTxs.sync(chain, (byte[]) c[0]);
            assertThat(ResultCode.fromCode(res.path("code").asInt())).as(res.toString()).isEqualTo(c[1]);
        }
        long h = chain.height();
        chain.waitForHeight(h + 2, java.time.Duration.ofSeconds(30));
        assertThat(ChainTxs.value(ChainTxs.query(chain, "/gov/keys", new byte[0], 0, false))).isEqualTo(keysBefore);
        assertThat(ChainTxs.value(ChainTxs.query(chain, "/gov/param/tx.max_signers", new byte[0], 0, false))).isEqualTo(paramBefore);
        assertThat(AccountNonce.parseFrom(ChainTxs.value(ChainTxs.query(chain, "/gov/nonce", new byte[0], 0, false))).getNext())
                .isEqualTo(nonceBefore);
        // the good transaction still goes through afterwards
        assertThat(ChainTxs.commit(chain, good).path("tx_result").path("code").asInt()).isZero();
    }

    @Test
    @Order(4)
    void keyRotationIsCommittedAndOldKeysLoseAuthority() throws Exception {
        Ed25519KeyPair next = Ed25519KeyPair.fromSeed(new byte[] {
            9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
        byte[] rotate = TxBuilder.forChain(chain.chainId()).type(TxType.TX_TYPE_GOV_KEY_ROTATION)
                .payload(KeyRotation.newBuilder().addKeys(next.publicKey()).setThreshold(1).build())
                .nonce(2).signers(GOV.first(2)).build();
        assertThat(ChainTxs.commit(chain, rotate).path("tx_result").path("code").asInt()).isZero();
        JsonNode old = ChainTxs.sync(chain, ChainTxs.paramChange(chain.chainId(), 3, "tx.max_signers", "12", GOV.first(2)));
        assertThat(ResultCode.fromCode(old.path("code").asInt())).isEqualTo(ResultCode.NOT_GOVERNANCE_KEY);
        JsonNode fresh = ChainTxs.commit(chain, ChainTxs.paramChange(chain.chainId(), 3, "tx.max_signers", "12", List.of(next)));
        assertThat(fresh.path("tx_result").path("code").asInt()).isZero();
    }

    @Test
    @Order(5)
    void appServesPrometheusMetrics() throws Exception {
        java.net.http.HttpResponse<String> res = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(chain.appMetricsUrl())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).contains("teeledger_block_height", "teeledger_txs_total", "teeledger_finalize_block_seconds_bucket",
                "teeledger_commit_seconds_bucket", "teeledger_store_size_bytes", "code=\"9\"");
    }
}
