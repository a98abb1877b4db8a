package dev.teeledger.chain.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teeledger.chain.light.HeaderVerifier;
import dev.teeledger.chain.light.TrustedValidators;
import dev.teeledger.chain.light.VerifiedHeader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import tendermint.types.ValidatorOuterClass;

/**
 * Every RPC method against a live CometBFT v0.38 node running the built-in kvstore app. Off by
 * default; run with {@code -Dteeledger.cometbft.rpc=http://127.0.0.1:26657 -Dtest=LiveNodeSmokeTest}
 * after {@code cometbft start --proxy_app kvstore}.
 */
@EnabledIfSystemProperty(named = "teeledger.cometbft.rpc", matches = "https?://.+")
class LiveNodeSmokeTest {

  @Test
  void everyMethodWorksAgainstARealNode() throws Exception {
    CometRpcClient rpc =
        new CometRpcClient(CometRpcConfig.of(URI.create(System.getProperty("teeledger.cometbft.rpc"))));
    NodeStatus status = rpc.status();
    assertThat(status.latestHeight()).isPositive();

    byte[] tx = ("live" + System.nanoTime() + "=yes").getBytes(StandardCharsets.UTF_8);
    BroadcastResult sync = rpc.broadcastTxSync(tx);
    assertThat(sync.accepted()).isTrue();
    assertThat(rpc.broadcastTxAsync(("a" + System.nanoTime() + "=1").getBytes()).hash()).hasSize(32);
    TxCommitResult committed = rpc.broadcastTxCommit(("c" + System.nanoTime() + "=2").getBytes());
    assertThat(committed.height()).isPositive();
    IndexedTx found = rpc.tx(committed.hash());
    assertThat(found.height()).isEqualTo(committed.height());

    AbciQueryResult q =
        rpc.abciQuery("", ("c".getBytes(StandardCharsets.UTF_8)), 0, true);
    assertThat(q.height()).isPositive();

    long h = committed.height();
    BlockResponse block = rpc.block(h);
    assertThat(block.txs()).isNotEmpty();
    assertThat(rpc.blockResults(h).txResults()).hasSameSizeAs(block.txs());

    ValidatorOuterClass.ValidatorSet vals = rpc.validators(h);
    CommitResponse commit = rpc.commit(h);
    VerifiedHeader v =
        new HeaderVerifier(status.chainId())
            .verifyTrusted(commit.signedHeader(), TrustedValidators.of(vals), Instant.now());
    assertThat(v.hash()).isEqualTo(block.blockId().getHash().toByteArray());
  }
}
