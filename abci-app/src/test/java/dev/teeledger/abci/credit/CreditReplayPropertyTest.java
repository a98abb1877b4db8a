package dev.teeledger.abci.credit;

import static dev.teeledger.abci.credit.CreditHarness.report;
import static dev.teeledger.abci.credit.CreditHarness.reportTx;
import static dev.teeledger.abci.credit.CreditHarness.reporterChange;
import static org.assertj.core.api.Assertions.assertThat;

import dev.teeledger.protocol.sig.Ed25519KeyPair;
import dev.teeledger.protocol.state.v1.AccountNonce;
import dev.teeledger.protocol.state.v1.CreditSupply;
import dev.teeledger.protocol.tx.v1.ActivityKind;
import dev.teeledger.protocol.tx.v1.TxType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tendermint.abci.Types.ResponseFinalizeBlock;

/**
 * Determinism: random blocks of activity reports (incomes, penalties, duplicates, bad
 * nonces) replayed into two fresh applications give the same app hash at every height,
 * including the normalization blocks; and after every normalization the total is within
 * [cap - 1, cap].
 */
class CreditReplayPropertyTest {
    private static final AtomicInteger NORMALIZATIONS = new AtomicInteger();

    @TempDir
    Path tmp;

    @AfterAll
    static void normalizationsHappened() {
        assertThat(NORMALIZATIONS.get()).as("the generated blocks reach normalization").isGreaterThan(5);
    }

    static LongStream seeds() {
        return LongStream.range(0, 12);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void replayingTheSameBlocksGivesTheSameAppHashes(long seed) throws Exception {
        Random r = new Random(seed);
        long cap = 10_000 + r.nextInt(1_000_000);
        int interval = 1 + r.nextInt(4);
        Map<String, String> params = Map.of("credit.cap", Long.toString(cap),
                "credit.normalization_interval", Integer.toString(interval));
        Ed25519KeyPair reporter = Ed25519KeyPair.fromSeed(CreditTxHandlerTest.filled(50 + (int) seed));
        try (CreditHarness a = new CreditHarness(tmp.resolve("a")); CreditHarness b = new CreditHarness(tmp.resolve("b"))) {
            assertThat(a.initChain(params)).isEqualTo(b.initChain(params));
            byte[] auth = reporterChange(TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE, 0, reporter.publicKey(), a.gov.subList(0, 2));
            assertThat(a.block(auth).getAppHash()).isEqualTo(b.block(auth).getAppHash());
            long nonce = 0;
            int normalizations = 0;
            for (int height = 2; height < 2 + 8 + r.nextInt(12); height++) {
                List<byte[]> txs = new ArrayList<>();
                for (int i = r.nextInt(8); i > 0; i--) {
                    byte[] hsm = CreditTxHandlerTest.filled(1 + r.nextInt(6));
                    ActivityKind kind = r.nextInt(4) == 0 ? ActivityKind.ACTIVITY_KIND_PENALTY : ActivityKind.ACTIVITY_KIND_INCOME;
                    long amount = 1 + (long) (r.nextDouble() * cap / 2);
                    String idem = "k" + r.nextInt(40);                 // collisions make duplicates
                    long n = r.nextInt(10) == 0 ? nonce + 3 : nonce++;   // some bad nonces
                    txs.add(reportTx(reporter, n, report(hsm, kind, amount, idem)));
                }
                byte[][] block = txs.toArray(new byte[0][]);
                ResponseFinalizeBlock ra = a.block(block);
                ResponseFinalizeBlock rb = b.block(block);
                assertThat(ra.getAppHash()).as("height %d", height).isEqualTo(rb.getAppHash());
                assertThat(ra.getTxResultsList()).isEqualTo(rb.getTxResultsList());
                // Re-sync the nonce with what the chain accepted.
                var stored = a.query("/credit/nonce/" + CreditTxHandlerTest.hex(CreditKeeper.keyDigest(reporter.publicKey())), false);
                nonce = stored.getCode() == 0 ? AccountNonce.parseFrom(stored.getValue()).getNext() : 0;
                if (!ra.getEventsList().isEmpty()) {
                    normalizations++;
                    assertThat(ra.getEventsList()).isEqualTo(rb.getEventsList());
                    assertThat(CreditSupply.parseFrom(a.query("/credit/supply", false).getValue()).getTotal()).isBetween(cap - 1, cap);
                }
            }
            NORMALIZATIONS.addAndGet(normalizations);
        }
    }
}
