package dev.teeledger.testkit.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.teeledger.protocol.state.v1.AccountNonce;
import dev.teeledger.protocol.state.v1.ParamRecord;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.fixtures.GovernanceFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restarts of the app behind a real CometBFT node: orderly, and SIGKILL while blocks are produced. */
class RestartIT {
    private static final GovernanceFixture GOV = new GovernanceFixture(3, 2);

    @TempDir
    Path tmp;

    @Test
    void cleanRestartContinuesAtTheSameHeightAndState() throws Exception {
        try (LocalChain chain = LocalChain.builder().chainId("restart-it").appState(GOV.appState(Map.of())).build().start()) {
            JsonNode res = ChainTxs.commit(chain, ChainTxs.paramChange(chain.chainId(), 0, "tx.max_signers", "7", GOV.first(2)));
            assertThat(res.path("check_tx").path("code").asInt()).as(res.toString()).isZero();
            assertThat(res.path("tx_result").path("code").asInt()).as(res.toString()).isZero();
            assertThat(res.path("height").asLong()).as(res.toString()).isPositive();
            chain.stop();
            long stoppedAt = lastHeightInLog(chain);
            chain.start();
            long resumed = chain.height();
            assertThat(resumed).isGreaterThanOrEqualTo(stoppedAt);
            chain.waitForHeight(resumed + 2, Duration.ofSeconds(30));
            JsonNode param = ChainTxs.query(chain, "/gov/param/tx.max_signers", new byte[0], 0, false);
            assertThat(ParamRecord.parseFrom(ChainTxs.value(param)).getValue())
                    .as(() -> "param after restart; tx at " + res.path("height") + ", query " + param
                            + "\n--- app.log\n" + chain.tail("app.log") + "\n--- cometbft.log\n" + chain.tail("cometbft.log"))
                    .isEqualTo(7);
            assertThat(AccountNonce.parseFrom(ChainTxs.value(ChainTxs.query(chain, "/gov/nonce", new byte[0], 0, false))).getNext())
                    .isEqualTo(1);
            // The app hash of every block, as the restarted node reports it, matches an independent replay.
            long h = chain.height() - 1;
            assertHashesMatchReplay(chain, h, tmp.resolve("replay-clean"));
        }
    }

    @Test
    void killDashNineWhileProducingBlocksRecoversToTheSameAppHashes() throws Exception {
        try (LocalChain chain = LocalChain.builder().chainId("crash-it").appState(GOV.appState(Map.of())).build().start()) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong nonce = new AtomicLong();
            Thread submitter = new Thread(() -> {
                while (running.get()) {
                    try {
                        long n = nonce.get();
                        byte[] tx = ChainTxs.paramChange(chain.chainId(), n, "tx.max_signers", Long.toString(2 + n % 60), GOV.first(2));
                        JsonNode res = ChainTxs.sync(chain, tx);
                        if (res.path("code").asInt(-1) == 0) {
                            nonce.incrementAndGet();
                        }
                        Thread.sleep(20);
                    } catch (Exception e) {
                        try {
                            Thread.sleep(200); // node down: retry
                        } catch (InterruptedException ie) {
                            return;
                        }
                    }
                }
            }, "tx-submitter");
            submitter.start();
            try {
                chain.waitForHeight(6, Duration.ofSeconds(60));
                chain.killAppHard();
                assertThat(chain.appAlive()).isFalse();
                chain.start();
                long after = chain.height();
                chain.waitForHeight(after + 4, Duration.ofSeconds(60));
            } finally {
                running.set(false);
                submitter.join(10_000);
            }
            assertThat(nonce.get()).as("transactions committed across the crash").isGreaterThan(0);
            long h = chain.height() - 1;
            assertHashesMatchReplay(chain, h, tmp.resolve("replay-crash"));
            long committedNonce = AccountNonce.parseFrom(ChainTxs.value(ChainTxs.query(chain, "/gov/nonce", new byte[0], 0, false))).getNext();
            assertThat(committedNonce).isGreaterThan(0);
        }
    }

    private static void assertHashesMatchReplay(LocalChain chain, long lastHeight, Path dir) throws Exception {
        List<byte[]> replayed = BlockReplayer.replay(chain, lastHeight, dir);
        for (long height = 1; height <= lastHeight; height++) {
            // Header h+1 carries the app hash after block h.
            assertThat(ChainTxs.appHashAt(chain, height + 1)).as("app hash after block %d", height)
                    .isEqualTo(replayed.get((int) height - 1));
        }
    }

    private static long lastHeightInLog(LocalChain chain) {
        long best = 0;
        for (String line : chain.tail("cometbft.log").split("\n")) {
            int i = line.indexOf("height=");
            if (i >= 0) {
                String digits = line.substring(i + 7).split("[^0-9]")[0];
                if (!digits.isEmpty()) {
                    best = Math.max(best, Long.parseLong(digits));
                }
            }
        }
        return best;
    }
}
