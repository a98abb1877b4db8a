package dev.teeledger.testkit.chain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teeledger.chain.light.HeaderVerifier;
import dev.teeledger.chain.light.TrustedValidators;
import dev.teeledger.chain.light.VerifiedHeader;
import dev.teeledger.chain.rpc.AbciQueryResult;
import dev.teeledger.chain.rpc.BlockResponse;
import dev.teeledger.chain.rpc.BroadcastResult;
import dev.teeledger.chain.rpc.CommitResponse;
import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.CometRpcConfig;
import dev.teeledger.chain.rpc.IndexedTx;
import dev.teeledger.chain.rpc.NodeStatus;
import dev.teeledger.chain.rpc.TxCommitResult;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.testkit.cometbft.LocalChain;
import dev.teeledger.testkit.fixtures.GovernanceFixture;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tendermint.types.ValidatorOuterClass;

/** Every chain-client RPC method against a real CometBFT node in front of the TEE Ledger app. */
class CometRpcClientIT {
    private static final GovernanceFixture GOV = new GovernanceFixture(3, 2);

    @Test
    void everyMethodWorksAgainstARealNode() throws Exception {
        try (LocalChain chain = LocalChain.builder().chainId("rpc-it").appState(GOV.appState(Map.of())).build().start()) {
            CometRpcClient rpc = new CometRpcClient(CometRpcConfig.of(URI.create(chain.rpcUrl())));
            NodeStatus status = rpc.status();
            assertThat(status.latestHeight()).isPositive();
            assertThat(status.chainId()).isEqualTo("rpc-it");

            BroadcastResult sync = rpc.broadcastTxSync(ChainTxs.paramChange(chain.chainId(), 0, "tx.max_signers", "5", GOV.first(2)));
            assertThat(sync.accepted()).isTrue();
            BroadcastResult rejected = rpc.broadcastTxSync(new byte[] {1, 2, 3});
            assertThat(rejected.accepted()).isFalse();
            assertThat(rpc.broadcastTxAsync(ChainTxs.paramChange(chain.chainId(), 1, "tx.max_signers", "6", GOV.first(2))).hash()).hasSize(32);
            TxCommitResult committed = rpc.broadcastTxCommit(ChainTxs.paramChange(chain.chainId(), 2, "tx.max_signers", "7", GOV.first(2)));
            assertThat(committed.height()).isPositive();
            IndexedTx found = rpc.tx(committed.hash());
            assertThat(found.height()).isEqualTo(committed.height());

            AbciQueryResult q = rpc.abciQuery("/gov/keys", new byte[0], 0, true);
            assertThat(q.height()).isPositive();
            // The key under its sub-store's root, then the sub-store's root under the app hash.
            assertThat(q.proofOps()).hasSize(2);
            AbciQueryResult missing = rpc.abciQuery("/store", "no/such".getBytes(StandardCharsets.UTF_8), 0, false);
            assertThat(missing.code()).isEqualTo(ResultCode.NOT_FOUND.code());

            long h = committed.height();
            BlockResponse block = rpc.block(h);
            assertThat(block.txs()).isNotEmpty();
            assertThat(rpc.blockResults(h).txResults()).hasSameSizeAs(block.txs());

            ValidatorOuterClass.ValidatorSet vals = rpc.validators(h);
            CommitResponse commit = rpc.commit(h);
            VerifiedHeader v = new HeaderVerifier(status.chainId())
                    .verifyTrusted(commit.signedHeader(), TrustedValidators.of(vals), Instant.now());
            assertThat(v.hash()).isEqualTo(block.blockId().getHash().toByteArray());
        }
    }
}
